"""The actors and shared objects of the access-control matrix (see README.md)."""

from types import SimpleNamespace

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from viewflow.workflow.models import Task

from cases.models import CompanyMembership, Pilot
from cases.services import attachment_add
from contracts.models import ContractTemplate, ContractTemplateVersion
from notifications.models import Notification
from registry import services as registry_services
from tests import factories as f
from workflows import scenarios as sc
from workflows.models import ScreeningDecision

ACTORS = [
    "anonymous",
    "inactive",
    "company",
    "company2",
    "edu_staff",
    "urban_staff",
    "legal",
    "agent",
    "manager",
    "modelperm",
    "admin",
]

SHARED_PILOTS = ["pilot_a_edu", "pilot_a_urban", "pilot_b_urban", "pilot_b_new", "pilot_b_edu"]


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, sc.MINIMAL_PDF, content_type="application/pdf")


def _fresh(pilot: Pilot) -> Pilot:
    return Pilot.objects.get(pk=pilot.pk)


def build_actors() -> dict:
    """One user per actor (None for anonymous), with the divisions and companies they need."""
    edu = f.division("education")
    urban = f.division("urban-environment")
    company_a = f.CompanyFactory(name="Oppimisratkaisut Oy")
    company_b = f.CompanyFactory(name="Katuvalo Oy")
    inactive = f.make_company_user(company_a, "inactive")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    modelperm = f.UserFactory(username="modelperm")
    modelperm.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["cases", "workflows"],
            codename__in=["view_pilot", "change_pilot", "view_pilotprocess"],
        )
    )
    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    return {
        "edu": edu,
        "urban": urban,
        "company_a": company_a,
        "company_b": company_b,
        "anonymous": None,
        "inactive": f.fresh(inactive),
        "company": f.make_company_user(company_a, "company"),
        "company2": f.make_company_user(company_b, "company2"),
        "edu_staff": f.make_division_staff(edu, "edu"),
        "urban_staff": f.make_division_staff(urban, "urban"),
        "legal": f.make_legal(),
        "agent": f.make_agent(),
        "manager": f.make_manager(),
        "modelperm": f.fresh(modelperm),
        "admin": f.fresh(admin),
    }


def build_world() -> SimpleNamespace:
    """The actors and the shared objects of README.md, built through the services."""
    w = SimpleNamespace(**build_actors())

    # Company A, Education: the whole lifecycle, with every loop.
    a_edu = f.submit_pilot(w.company_a, w.company, title="Matrix A Education")
    sc.screen(a_edu, w.agent, ScreeningDecision.REQUEST_INFORMATION, "Describe the data used.")
    sc.request_information(a_edu, w.company)
    sc.screen(a_edu, w.agent)
    sc.match(a_edu, w.agent, w.urban)
    sc.review_match(a_edu, w.urban_staff, accept=False, reason="Not our platform.")
    sc.match(a_edu, w.agent, w.edu)
    sc.review_match(a_edu, w.edu_staff, site="Kalasataman koulu")
    sc.prepare_contract(a_edu, w.legal, w.edu_staff)
    sc.accept_contract(a_edu, w.company)
    sc.sign_contract(a_edu, w.edu_staff)
    w.attachment_a_edu = attachment_add(pilot=a_edu, by=w.company, uploaded=_pdf("a.pdf"))
    sc.run_pilot(a_edu, w.agent)
    sc.evaluate(a_edu, w.company, "company")
    sc.evaluate(a_edu, w.edu_staff, "division")
    sc.decide_scaling(a_edu, w.edu_staff)
    # ... and published in the public registry with the company's consent.
    registry_services.pilot_consent_publication(pilot=_fresh(a_edu), by=w.company)
    registry_services.pilot_publish(pilot=_fresh(a_edu), by=w.agent)

    # Company A, Urban Environment: a contract waiting for the company's acceptance.
    a_urban = f.submit_pilot(w.company_a, w.company, title="Matrix A Urban")
    sc.screen(a_urban, w.agent)
    sc.match(a_urban, w.agent, w.urban)
    sc.review_match(a_urban, w.urban_staff, site="Jätkäsaari")
    sc.prepare_contract(a_urban, w.legal, w.urban_staff)

    # Company B, Urban Environment: matched, the division's review open.
    b_urban = f.submit_pilot(w.company_b, w.company2, title="Matrix B Urban")
    sc.screen(b_urban, w.agent)
    sc.match(b_urban, w.agent, w.urban)

    # Company B: just submitted, no division yet.
    b_new = f.submit_pilot(w.company_b, w.company2, title="Matrix B new")

    # Company B, Education: running (the execution stage).
    b_edu = f.submit_pilot(w.company_b, w.company2, title="Matrix B Education")
    sc.screen(b_edu, w.agent)
    sc.match(b_edu, w.agent, w.edu)
    sc.review_match(b_edu, w.edu_staff, site="Vuosaaren koulu")
    sc.prepare_contract(b_edu, w.legal, w.edu_staff)
    sc.accept_contract(b_edu, w.company2)
    sc.sign_contract(b_edu, w.edu_staff)

    # Company B: rejected at screening (the flow's "rejected" end).
    b_rejected = f.submit_pilot(w.company_b, w.company2, title="Matrix B rejected")
    sc.screen(b_rejected, w.agent, ScreeningDecision.REJECT, "Out of scope.")

    w.pilot_a_edu = _fresh(a_edu)
    w.pilot_a_urban = _fresh(a_urban)
    w.pilot_b_urban = _fresh(b_urban)
    w.pilot_b_new = _fresh(b_new)
    w.pilot_b_rejected = _fresh(b_rejected)
    w.pilot_b_edu = _fresh(b_edu)
    w.attachment_b_urban = attachment_add(
        pilot=w.pilot_b_urban, by=w.company2, uploaded=_pdf("b.pdf")
    )
    w.template = ContractTemplate.objects.order_by("pk").first()
    w.version = ContractTemplateVersion.objects.filter(template=w.template).order_by("pk").first()
    w.notification_company = Notification.objects.filter(user=w.company).order_by("pk").first()
    w.notification_agent = Notification.objects.filter(user=w.agent).order_by("pk").first()
    w.agent2 = f.make_agent("agent2")
    # The company has claimed its acceptance task (an ASSIGNED task; the others are NEW).
    with sc.open_task(w.pilot_a_urban, "accept_contract").activation() as activation:
        activation.assign(w.company)
    w.task_a_urban_accept = sc.open_task(w.pilot_a_urban, "accept_contract")
    w.task_b_urban_review = sc.open_task(w.pilot_b_urban, "review_match")
    w.task_b_new_screen = sc.open_task(w.pilot_b_new, "screen")
    w.task_a_edu_done = (
        Task.objects.filter(process__pilotprocess__pilot=w.pilot_a_edu, flow_task_type="HUMAN")
        .order_by("-pk")
        .first()
    )
    w.contract_a_edu = w.pilot_a_edu.contract
    w.contract_a_urban = w.pilot_a_urban.contract
    w.theme = f.theme()
    w.membership_request = CompanyMembership.objects.create(
        company=w.company_a,
        user=f.UserFactory(username="applicant"),
        status=CompanyMembership.Status.REQUESTED,
    )
    return w
