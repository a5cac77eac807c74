"""Celery application: namespace CELERY, JSON only, tasks discovered in every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("kokeilu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
