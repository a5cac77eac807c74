"""Celery application: namespace CELERY, JSON only, time limits, tasks discovered in every app.

The settings (config/settings/base.py) make tasks run eagerly in the calling process when no
broker is configured. With a broker, the idempotent tasks (the outbox relay, the reminder
scans) are declared `acks_late=True, reject_on_worker_lost=True`: a task whose worker dies
is delivered again, and the task's own bookkeeping in the database keeps a message from being
sent twice. The periodic jobs are scheduled by django-celery-beat from the database
(`manage.py setup_periodic_tasks`); run exactly one `celery -A config beat`.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("kokeilu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Options of the tasks that may run again after a worker died in the middle of them.
IDEMPOTENT = {"acks_late": True, "reject_on_worker_lost": True}
