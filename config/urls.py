from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import TemplateView
from viewflow.urls import Site

from api.health import healthz
from calls.flows import CallFlow
from calls.viewsets import CallAppViewset
from cases import views as case_views
from insight import views as insight_views
from languages import views as language_views
from workflows import viewsets
from workflows.flows import PilotFlow

site = Site(
    title="Kokeilu",
    viewsets=[
        viewsets.PilotAppViewset(PilotFlow, icon="science"),
        CallAppViewset(CallFlow, icon="campaign"),
    ],
)

urlpatterns = [
    path("", case_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", language_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    path(
        "accessibility/",
        login_not_required(TemplateView.as_view(template_name="pages/accessibility.html")),
        name="accessibility",
    ),
    path("workflow/", site.urls),
    path("notifications/", include("notifications.urls")),
    path("contracts/", include("contracts.urls")),
    path("calls/", include("calls.urls")),
    path("api/", include("api.urls")),
    path("verify/<str:code>/", insight_views.verify, name="verify"),
    path("", include("insight.urls")),
    path("", include("registry.urls")),
    path("", include("cases.urls")),
]
