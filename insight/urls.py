from django.urls import path

from . import views

app_name = "insight"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path(
        "dashboard/export/<slug:table>.<str:fmt>",
        views.dashboard_export,
        name="dashboard_export",
    ),
    path(
        "pilots/<str:reference>/reference/certificate.pdf",
        views.reference_certificate,
        name="reference_certificate",
    ),
    path(
        "pilots/<str:reference>/reference/revoke/",
        views.reference_revoke,
        name="reference_revoke",
    ),
]
