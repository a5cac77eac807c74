"""Activates a logged-in user's saved language (after Django's LocaleMiddleware, which has
chosen from the language cookie or the browser's Accept-Language, and AuthenticationMiddleware)."""

from django.utils import translation

from . import selectors


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = request.session.get(selectors.SESSION_KEY)
            if language is None:
                # A session from before the language was remembered: look it up once.
                language = selectors.saved_language(user)
                request.session[selectors.SESSION_KEY] = language
            if language in selectors.supported_languages():
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
