from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("registry/", views.registry_list, name="list"),
    path("registry/pilots.json", views.pilots_json, name="pilots_json"),
    path("registry/pilots.csv", views.pilots_csv, name="pilots_csv"),
    path("registry/schema.json", views.schema, name="schema"),
    path("registry/<str:reference>/", views.registry_pilot, name="pilot"),
    path("pilots/<str:reference>/publication/consent/", views.pilot_consent, name="consent"),
    path(
        "pilots/<str:reference>/publication/trade-secrets/",
        views.pilot_trade_secrets,
        name="trade_secrets",
    ),
    path("pilots/<str:reference>/publication/publish/", views.pilot_publish, name="publish"),
    path("pilots/<str:reference>/publication/unpublish/", views.pilot_unpublish, name="unpublish"),
]
