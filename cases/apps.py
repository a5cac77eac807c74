from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Pilot cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        # Without a sender: the groups need permissions of apps migrated after this one.
        post_migrate.connect(_ensure_roles, dispatch_uid="kokeilu_ensure_roles")


def _ensure_roles(sender, **kwargs):
    # Permissions exist only after migrate; the role groups are (re)built from them here.
    from .services import roles_ensure

    roles_ensure()
