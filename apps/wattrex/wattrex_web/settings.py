"""Database credentials and the secret key come from the mounted .cred.env, never the environment."""
import os

from credfile import read_cred_env

CRED = read_cred_env(os.environ.get("CRED_ENV_PATH", "/run/secrets/cred.env"))
SECRET_KEY = CRED["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = []
MIDDLEWARE = []
ROOT_URLCONF = "wattrex_web.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": CRED["DJANGO_DB1_database"],
        "USER": CRED["DJANGO_DB1_user"],
        "PASSWORD": CRED["DJANGO_DB1_password"],
        "HOST": CRED["DJANGO_DB1_host"],
        "PORT": CRED["DJANGO_DB1_port"],
        "OPTIONS": {"charset": "utf8mb4"},
    }
}
USE_TZ = True
