"""The one per-user language setting: it decides the pages, the e-mail and the notifications."""

from django.db import transaction
from django.utils import translation

from .selectors import SESSION_KEY, supported_languages


@transaction.atomic
def user_language_set(*, user, language: str, session=None) -> None:
    """Save the user's language in their profile (and in their session, when given)."""
    from notifications.models import UserProfile

    if language not in supported_languages():
        raise ValueError(f"unsupported language {language!r}")
    profile, _created = UserProfile.objects.get_or_create(
        user=user, defaults={"language": language}
    )
    if profile.language != language:
        profile.language = language
        profile.full_clean()
        profile.save(update_fields=["language"])
    if session is not None:
        session[SESSION_KEY] = language


def remember_language(request, language: str) -> None:
    """Make `language` the session's language from this request on (after it was saved)."""
    if language in supported_languages():
        request.session[SESSION_KEY] = language
        translation.activate(language)
        request.LANGUAGE_CODE = language
