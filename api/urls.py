"""/api/v1/ (the REST API), /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import routers

from . import views


class ApiRootView(views.LoginNotRequiredMixin, routers.APIRootView):
    """The list of the API's collections."""


router = routers.DefaultRouter()
router.APIRootView = ApiRootView
router.register("pilots", views.PilotViewSet, basename="pilot")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("companies", views.CompanyViewSet, basename="company")
router.register("divisions", views.DivisionViewSet, basename="division")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("notifications", views.NotificationViewSet, basename="notification")

app_name = "api"

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        # The split view serves its start-up script as a file: no inline script (CSP).
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    # Anything else under /api/ is a JSON 404, not the site's HTML page.
    re_path(r"^", views.not_found),
]
