"""Which language a user reads Kokeilu in."""

from django.conf import settings

# The user's saved language, kept in the session so that it costs no query per request.
SESSION_KEY = "kokeilu_language"


def supported_languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def saved_language(user) -> str:
    """The language the user saved (their profile's), or "" when they saved none."""
    from notifications.models import UserProfile

    language = (
        UserProfile.objects.filter(user=user).values_list("language", flat=True).first() or ""
    )
    return language if language in supported_languages() else ""
