"""Each main page, rendered in Finnish and in Swedish, keeps no visible text of its English
rendering apart from names and data (the demo's pilots, companies, people, references)."""

from dataclasses import dataclass
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models, transaction
from django.urls import reverse
from viewflow.workflow.models import Task

from cases.models import Division, Pilot, PlatformTheme, Reference, Stage
from contracts.models import ContractTemplate
from tests.i18n.visible_text import leftover_words, visible_texts

User = get_user_model()

# Words that are the same in every language: the service's name, the language names of the
# switcher (each in its own language), file formats and digests.
SAME_IN_EVERY_LANGUAGE = {
    "Kokeilu", "English", "Suomi", "Svenska", "SHA", "JSON", "CSV", "PDF", "PNG", "BPMN",
    "docx", "XLSX", "Schema",
}  # fmt: skip
# Words that Swedish or Finnish happen to spell as English does.
SAME_IN = {
    "sv": {
        "Portal",
        "Status",
        "Version",
        "Process",
        "Median",
        "Budget",
        "Text",
        "Filter",
        "Period",
        "Pilot",
    },
    "fi": set(),
}
DATA_APPS = {"auth", "cases", "contracts", "calls", "insight", "notifications", "workflows"}


@dataclass
class Demo:
    pages: dict[str, tuple[str | None, str]]
    data: list[str]


def _data_values() -> list[str]:
    """Every text that users entered (pilots, companies, contracts, calls, timelines, names),
    longest first. Division and theme names are not data: they are translated."""
    values = set()
    for model in apps.get_models():
        if model._meta.app_label not in DATA_APPS or model in (Division, PlatformTheme):
            continue
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField) and not field.choices
        ]
        for row in model._base_manager.values_list(*fields) if fields else []:
            for value in row:
                if isinstance(value, str):
                    values.update(line.strip() for line in [value, *value.splitlines()])
    values.update(user.get_full_name() for user in User.objects.all())
    return sorted((value for value in values if len(value) >= 3), key=len, reverse=True)


def _task_url(task: Task, action: str) -> str:
    return reverse(f"pilot:{task.flow_task.name}:{action}", args=[task.process_id, task.pk])


def _open_task(node: str) -> Task:
    return Task.objects.filter(
        flow_task__endswith=f".{node}", status__in=["NEW", "ASSIGNED"]
    ).first()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, seeded once for the module and rolled back after it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=StringIO())
            agent = User.objects.get(username="agent")
            screen = _open_task("screen")
            with screen.activation() as activation:
                activation.assign(agent)
            company = User.objects.get(username="company")
            by_stage = {stage: Pilot.objects.filter(stage=stage).first() for stage in Stage}
            company_pilot = Pilot.objects.filter(company__memberships__user=company).first()
            published = Pilot.objects.filter(published=True).first()
            reference = Reference.objects.filter(revoked__isnull=True).first()
            template = ContractTemplate.objects.order_by("pk").first()
            pages = {
                "login": (None, "/accounts/login/"),
                "accessibility": (None, "/accessibility/"),
                "signup": (None, "/portal/signup/"),
                "registry": (None, "/registry/"),
                "registry_pilot": (None, f"/registry/{published.reference}/"),
                "verification": (None, f"/verify/{reference.code}/"),
                "inbox": ("agent", "/workflow/pilot/inbox/"),
                "queue": ("agent", "/workflow/pilot/queue/"),
                "archive": ("agent", "/workflow/pilot/archive/"),
                "task": ("agent", _task_url(screen, "index")),
                "task_assign": ("agent", _task_url(_open_task("match"), "assign")),
                "process_list": ("agent", "/workflow/pilot/flows/"),
                "pilot_list": ("agent", "/pilots/"),
                "dashboard": ("manager", "/dashboard/"),
                "portal": ("company", "/portal/"),
                "proposal_form": ("company", "/pilots/new/"),
                "pilot_page_company": ("company", company_pilot.get_absolute_url()),
                "notifications": ("company", "/notifications/"),
                "settings": ("company", "/notifications/preferences/"),
                "contract_templates": ("legal", "/contracts/templates/"),
                "contract_template": ("legal", f"/contracts/templates/{template.pk}/"),
                "calls": ("company", "/calls/"),
            }
            for stage in [Stage.CONTRACTING, Stage.EXECUTION, Stage.EVALUATION, Stage.CLOSED]:
                pages[f"pilot_page_{stage}"] = ("agent", by_stage[stage].get_absolute_url())
            yield Demo(pages=pages, data=_data_values())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


PAGES = [
    "login", "signup", "registry", "registry_pilot", "verification", "inbox", "queue",
    "archive", "task", "task_assign", "process_list", "pilot_list", "dashboard", "portal",
    "proposal_form", "pilot_page_company", "notifications", "settings", "contract_templates",
    "contract_template", "calls", "accessibility", "pilot_page_contracting",
    "pilot_page_execution", "pilot_page_evaluation", "pilot_page_closed",
]  # fmt: skip


def _render(client, username: str | None, url: str, language: str) -> str:
    client.logout()
    if username:
        client.force_login(User.objects.get(username=username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("language", ["fi", "sv"])
@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_english_left_apart_from_names_and_data(client, db, demo, page, language):
    # given the page as its user sees it in English
    username, url = demo.pages[page]
    english = visible_texts(_render(client, username, url, "en"))
    # when it is rendered in Finnish or Swedish
    html = _render(client, username, url, language)
    # then it says so, and no text of the English page is left in it but names and data
    assert f'<html lang="{language}"' in html
    allowed = SAME_IN_EVERY_LANGUAGE | SAME_IN[language]
    left = {
        text: words
        for text in english & visible_texts(html)
        if (words := set(leftover_words(text, demo.data).split()) - allowed)
    }
    assert left == {}
