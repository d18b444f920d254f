"""Settings from the environment; the database password from a file (a Docker secret)."""
import os


def _secret(name):
    """The value of NAME_FILE's file, else NAME, else empty: secrets never need to be env values."""
    path = os.environ.get(name + "_FILE")
    if path:
        with open(path) as f:
            return f.read().strip()
    return os.environ.get(name, "")


SECRET_KEY = _secret("DJANGO_SECRET_KEY") or "insecure-dev-only"
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["*"]
SITE_NAME = os.environ.get("SITE_NAME", "Biostar")
INSTALLED_APPS = ["django.contrib.contenttypes", "posts"]
MIDDLEWARE = []
ROOT_URLCONF = "biostar.urls"
WSGI_APPLICATION = "biostar.wsgi.application"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": os.environ.get("DATABASE_HOST", "db"),
        "PORT": os.environ.get("DATABASE_PORT", "5432"),
        "NAME": os.environ.get("DATABASE_NAME", "biostar"),
        "USER": os.environ.get("DATABASE_USER", "biostar"),
        "PASSWORD": _secret("DATABASE_PASSWORD"),
    }
}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# Production profile only (stacks/biostar.ts): the broker the web app enqueues to and the worker
# consumes from, and the search index the index job builds and the worker updates. Empty in dev.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", "")
