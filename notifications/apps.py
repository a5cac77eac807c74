from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(
            _ensure_periodic_tasks, sender=self, dispatch_uid="kokeilu_ensure_periodic_tasks"
        )


def _ensure_periodic_tasks(sender, **kwargs):
    # The beat schedule lives in the database (django-celery-beat); missing jobs are created
    # after every migrate, as `manage.py setup_periodic_tasks` does.
    from .services import periodic_tasks_ensure

    periodic_tasks_ensure()
