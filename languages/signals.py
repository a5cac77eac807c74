"""At login the user's saved language takes over; a user who saved none keeps the language
they were reading in (their browser's or the one they chose), and it is saved for them."""

from . import selectors, services


def remember_language_at_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    language = selectors.saved_language(user)
    if not language:
        language = getattr(request, "LANGUAGE_CODE", "")
        if language not in selectors.supported_languages():
            return
        services.user_language_set(user=user, language=language)
    request.session[selectors.SESSION_KEY] = language
