"""The task runner of the production profile: a celery app whose broker is redis (CELERY_BROKER_URL),
as Biostar's own deployment runs its tasks beside the web app. Tasks live in posts/tasks.py."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biostar.settings")

app = Celery("biostar")
# CELERY_* names in settings.py; the broker URL is empty in the dev profile, which enqueues nothing.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
