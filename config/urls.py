from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from viewflow.urls import Site

from api.health import healthz
from cases import views as case_views
from workflows import viewsets
from workflows.flows import PilotFlow

site = Site(
    title="Kokeilu",
    viewsets=[
        viewsets.PilotAppViewset(PilotFlow, icon="science"),
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
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    path("workflow/", site.urls),
    path("notifications/", include("notifications.urls")),
    path("contracts/", include("contracts.urls")),
    path("api/", include("api.urls")),
    path("", include("registry.urls")),
    path("", include("cases.urls")),
]
