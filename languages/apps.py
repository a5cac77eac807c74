from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LanguagesConfig(AppConfig):
    name = "languages"
    verbose_name = _("Languages")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .signals import remember_language_at_login

        user_logged_in.connect(remember_language_at_login, dispatch_uid="kokeilu_language_login")
