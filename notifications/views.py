"""The bell's pages: the user's notifications, marking them read, and the preferences."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from languages.services import remember_language

from . import messages as words
from . import selectors, services
from .forms import PreferencesForm


def notification_list(request):
    notifications = selectors.notifications_of(request.user)
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    for notification in page:
        notification.title = words.title(notification)
    return render(request, "notifications/notification_list.html", {"page": page})


def notification_open(request, pk):
    """Follow a notice: it is marked read, and the reader lands on the task or the pilot."""
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.notification_mark_read(notification=notification, by=request.user)
    return redirect(words.target_path(notification))


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
def notification_mark_read(request, pk):
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.notification_mark_read(notification=notification, by=request.user)
    return _back(request)


@require_POST
def notifications_mark_all_read(request):
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications marked as read."))
    return _back(request)


def preferences(request):
    user = request.user
    form = PreferencesForm(
        request.POST or None,
        preferences=selectors.preferences_of(user),
        language=selectors.user_language(user),
    )
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        services.preferences_set(user=user, modes=form.modes(), language=language)
        # The one language setting: the pages follow it from now on, too.
        remember_language(request, language)
        messages.success(request, _("Your notification settings were saved."))
        response = redirect("notifications:preferences")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language)
        return response
    return render(request, "notifications/preferences.html", {"form": form})
