"""Settings of the benchmarks: the test settings (fast password hashing, no PDF rendering, no
login throttling) plus the bare Viewflow flow of B3 (bench.bareflow).

The database comes from DATABASE_URL as usual; `bench.run` creates a fresh test database next
to it (test_<name> on PostgreSQL, var/bench.sqlite3 for SQLite) and drops it afterwards.
"""

from config.settings.test import *  # noqa: F403
from config.settings.test import BASE_DIR, DATABASES, INSTALLED_APPS, env

INSTALLED_APPS = [*INSTALLED_APPS, "bench.bareflow"]
# As in production, the web process only publishes the mails to the broker (a Celery worker
# renders and sends them): the benchmark measures what a request does. Nothing consumes
# the queue; bench.run purges it at the end. Without a broker (CELERY_BROKER_URL empty) the
# mails are sent in the process, as `make run` does.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
DEBUG = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file rather than memory, as in production (WAL is set by the base settings' command).
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "bench.sqlite3")}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}
