from django.urls import path

from . import views

app_name = "contracts"

urlpatterns = [
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/kinds/new/", views.kind_create, name="kind_create"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/versions/new/", views.version_upload, name="version_upload"),
    path(
        "templates/versions/<int:pk>/download/",
        views.version_download,
        name="version_download",
    ),
    path("templates/versions/<int:pk>/preview/", views.version_preview, name="version_preview"),
    path(
        "templates/versions/<int:pk>/preview.docx",
        views.version_preview_download,
        name="version_preview_download",
    ),
    path("templates/versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path("templates/versions/<int:pk>/retire/", views.version_retire, name="version_retire"),
]
