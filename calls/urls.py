from django.urls import path

from . import views

app_name = "calls"

urlpatterns = [
    path("", views.call_list, name="list"),
    path("new/", views.call_create, name="create"),
    path("mine/", views.my_applications, name="my_applications"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("<int:pk>/", views.call_detail, name="detail"),
    path("<int:pk>/apply/", views.application_edit, name="apply"),
    path("<int:pk>/ranking/", views.call_ranking, name="ranking"),
]
