"""The language switcher's target: Django's set_language, which also saves a logged-in user's
choice as their language (of the pages, their e-mail and their notifications)."""

from django.contrib.auth.decorators import login_not_required
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from . import selectors, services


@login_not_required
@require_POST
def set_language(request):
    language = request.POST.get("language", "")
    if language not in selectors.supported_languages():
        # Django would accept any language it has a translation for; only ours are offered.
        request.POST = request.POST.copy()
        request.POST.pop("language", None)
    response = django_set_language(request)
    if request.user.is_authenticated and language in selectors.supported_languages():
        services.user_language_set(user=request.user, language=language, session=request.session)
    return response
