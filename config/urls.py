from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import include, path
from viewflow.urls import Site

from cases import views as case_views
from workflows import viewsets
from workflows.flows import PilotFlow


@login_not_required
def healthz(request):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


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
    path("", include("cases.urls")),
]
