from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("pilots/", views.pilot_list, name="pilot_list"),
    path("pilots/new/", views.proposal_new, name="proposal_new"),
    path("pilots/<str:reference>/", views.pilot_detail, name="pilot_detail"),
    path("pilots/<str:reference>/withdraw/", views.pilot_withdraw, name="pilot_withdraw"),
    path("pilots/<str:reference>/cancel/", views.pilot_cancel, name="pilot_cancel"),
    path("pilots/<str:reference>/notes/", views.pilot_note, name="pilot_note"),
    path("pilots/<str:reference>/milestones/", views.pilot_milestone, name="pilot_milestone"),
    path(
        "pilots/<str:reference>/progress/",
        views.pilot_progress_report,
        name="pilot_progress_report",
    ),
    path(
        "pilots/<str:reference>/attachments/",
        views.pilot_attachment_upload,
        name="pilot_attachment_upload",
    ),
    path(
        "pilots/<str:reference>/attachments/<int:pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("pilots/<str:reference>/contract/", views.contract_download, name="contract_download"),
    path(
        "pilots/<str:reference>/contract/pdf/",
        views.contract_pdf_download,
        name="contract_pdf_download",
    ),
    path("portal/", views.portal, name="portal"),
    path("portal/signup/", views.signup, name="signup"),
    path("portal/memberships/<int:pk>/", views.membership_decide, name="membership_decide"),
]
