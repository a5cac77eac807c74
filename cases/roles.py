"""The roles of DESIGN.md as groups and permissions, and questions about a user's role."""

from django.utils.translation import gettext_lazy as _

AGENTS = "Innovation agents"
LEGAL = "Legal staff"
MANAGERS = "Managers"
# Reviewers from outside the city: they see only the call applications assigned to them.
EXPERTS = "External experts"

# Group name -> permissions ("app_label.codename") held through the group.
GROUP_PERMISSIONS = {
    AGENTS: [
        "cases.view_all_pilots",
        "cases.act_as_agent",
        "workflows.view_pilotprocess",
    ],
    LEGAL: [
        "cases.view_contracting_pilots",
        "cases.act_as_legal",
        "workflows.view_pilotprocess",
    ],
    MANAGERS: [
        "cases.view_all_pilots",
        "workflows.view_pilotprocess",
    ],
    EXPERTS: [
        "calls.review_applications",
    ],
}

ROLE_LABELS = {
    "admin": _("Administrator"),
    "agent": _("Innovation agent"),
    "legal": _("Legal staff"),
    "manager": _("Manager"),
    "division": _("Division staff"),
    "company": _("Company user"),
    "expert": _("External expert"),
}
