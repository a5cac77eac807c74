"""The contract template pages of legal staff, and who may download a pilot's contract.

Only legal staff see the template pages (403 for anyone else logged in). A pilot's contract is
downloaded through the pilot's visibility rule: 404 for whoever may not see the pilot.
"""

import pytest
from django.urls import reverse

from contracts.models import ContractKind, ContractTemplate, ContractTemplateVersion
from tests.contracts.helpers import (
    DOCX,
    GOOD_TEMPLATE,
    docx,
    published,
    text_of,
    to_contracting,
    upload,
)
from workflows import scenarios as sc

Status = ContractTemplateVersion.Status


def _state() -> dict:
    return {
        "kinds": list(ContractKind.objects.values()),
        "templates": list(ContractTemplate.objects.values()),
        "versions": list(ContractTemplateVersion.objects.values()),
        "history": ContractTemplateVersion.history.count() + ContractTemplate.history.count(),
    }


def _pages(version) -> list[str]:
    template = version.template_id
    return [
        reverse("contracts:template_list"),
        reverse("contracts:template_create"),
        reverse("contracts:kind_create"),
        reverse("contracts:template_detail", args=[template]),
        reverse("contracts:template_edit", args=[template]),
        reverse("contracts:version_upload", args=[template]),
        reverse("contracts:version_download", args=[version.pk]),
        reverse("contracts:version_preview", args=[version.pk]),
        reverse("contracts:version_preview_download", args=[version.pk]),
    ]


def test_legal_staff_open_every_template_page(client, world):
    version = published("pilot-compensation", "fi")
    client.force_login(world.legal)
    assert [client.get(url).status_code for url in _pages(version)] == [200] * 9


def test_everyone_else_gets_403_on_every_template_page_and_action_and_nothing_changes(
    client, world
):
    w = world
    version = published("pilot-compensation", "fi")
    posts = [
        (reverse("contracts:template_create"), {"name": "Mine", "kind": version.template.kind_id}),
        (reverse("contracts:kind_create"), {"name": "Mine", "compensation": "any"}),
        (
            reverse("contracts:template_edit", args=[version.template_id]),
            {"name": "Renamed", "kind": version.template.kind_id},
        ),
        (
            reverse("contracts:version_upload", args=[version.template_id]),
            {"language": "fi", "file": upload(docx(*GOOD_TEMPLATE))},
        ),
        (reverse("contracts:version_publish", args=[version.pk]), {}),
        (reverse("contracts:version_retire", args=[version.pk]), {}),
    ]
    before = _state()
    for user in (w.agent, w.manager, w.edu_staff, w.company):
        client.force_login(user)
        gets = [client.get(url).status_code for url in _pages(version)]
        denied = [client.post(url, data).status_code for url, data in posts]
        assert (user.username, gets, denied) == (user.username, [403] * 9, [403] * 6)
    assert _state() == before


def test_anonymous_users_are_sent_to_log_in(client, world):
    response = client.get(reverse("contracts:template_list"))
    assert (response.status_code, response.url) == (
        302,
        "/accounts/login/?next=/contracts/templates/",
    )


def test_the_menu_links_to_the_templates_for_legal_staff_only(client, world):
    link = 'href="/contracts/templates/"'
    client.force_login(world.legal)
    assert link in client.get(reverse("cases:pilot_list")).content.decode()
    client.force_login(world.agent)
    assert link not in client.get(reverse("cases:pilot_list")).content.decode()


def test_the_list_shows_each_template_with_its_published_versions(client, world):
    client.force_login(world.legal)
    html = client.get(reverse("contracts:template_list")).content.decode()
    for name in (
        "Pilot agreement without compensation",
        "Pilot agreement with compensation",
        "Non-disclosure agreement",
    ):
        assert name in html
    assert html.count("example for legal review") == 9


def test_legal_creates_a_template_uploads_previews_and_publishes_a_version(client, world):
    w = world
    client.force_login(w.legal)
    kind = ContractKind.objects.get(code="dpa")

    # create the template
    response = client.post(
        reverse("contracts:template_create"),
        {"name": "Data processing agreement", "kind": kind.pk, "description": "GDPR art. 28"},
    )
    template = ContractTemplate.objects.get(name="Data processing agreement")
    assert (response.status_code, response.url) == (
        302,
        reverse("contracts:version_upload", args=[template.pk]),
    )
    assert template.history.get().history_user == w.legal

    # the upload page documents every variable
    page = client.get(response.url).content.decode()
    for variable in (
        "pilot.reference",
        "company.business_id",
        "division.name",
        "terms.compensation",
        "dates.period_start",
        "signatories.division_name",
    ):
        assert f"{{{{ {variable} }}}}" in page

    # upload a version: a draft, then its preview
    response = client.post(
        reverse("contracts:version_upload", args=[template.pk]),
        {"language": "sv", "file": upload(docx(*GOOD_TEMPLATE)), "notes": "First version."},
    )
    version = ContractTemplateVersion.objects.get(template=template)
    assert (response.status_code, response.url) == (
        302,
        reverse("contracts:version_preview", args=[version.pk]),
    )
    assert (version.language, version.number, version.status) == ("sv", 1, Status.DRAFT)
    preview = client.get(response.url).content.decode()
    assert "Agreement between the city and Esimerkki Oy (1234567-1)" in preview
    assert "Period: 1.3.2027 \u2013 31.8.2027" in preview

    download = client.get(reverse("contracts:version_preview_download", args=[version.pk]))
    assert download["Content-Type"] == DOCX
    assert download["Content-Disposition"] == (
        'attachment; filename="Data_processing_agreement-sv-v1-preview.docx"'
    )
    assert "Signed for the division by Helmi Saarinen" in text_of(
        b"".join(download.streaming_content)
    )

    # publish it
    response = client.post(reverse("contracts:version_publish", args=[version.pk]))
    assert response.status_code == 302
    version.refresh_from_db()
    assert (version.status, version.published_by) == (Status.PUBLISHED, w.legal)
    detail = client.get(reverse("contracts:template_detail", args=[template.pk]))
    assert "Version 1 (sv): Published" in detail.content.decode()

    # then retire it
    client.post(reverse("contracts:version_retire", args=[version.pk]))
    version.refresh_from_db()
    assert (version.status, version.retired_by) == (Status.RETIRED, w.legal)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            docx("Dear {{ customer.name }},"),
            "The template uses unknown variables: customer.",
        ),
        (docx("{{ company.name"), "The template has a syntax error: unexpected"),
        (b"PK\x03\x04 not really a zip", "The file is not a valid Word document (.docx)."),
    ],
    ids=["unknown variable", "syntax error", "not a docx"],
)
def test_a_rejected_upload_shows_the_problem_and_saves_nothing(client, world, data, message):
    template = published("nda", "en").template
    client.force_login(world.legal)
    before = _state()
    response = client.post(
        reverse("contracts:version_upload", args=[template.pk]),
        {"language": "en", "file": upload(data)},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors["file"][0].startswith(message)
    assert _state() == before


# -- a pilot's contract ------------------------------------------------------------------------


def test_the_contract_is_downloaded_by_those_who_see_the_pilot_with_a_safe_name(client, world):
    w = world
    pilot = to_contracting(w)
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    url = reverse("cases:contract_download", args=[pilot.reference])
    for user in (w.company, w.legal, w.agent, w.manager, w.edu_staff):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user.username
        assert response["Content-Disposition"] == (
            f'attachment; filename="{pilot.reference}-contract-1.docx"'
        )
        assert response["Content-Type"] == DOCX
        assert w.company_a.business_id in text_of(b"".join(response.streaming_content))


def test_a_user_of_another_company_gets_404_for_the_contract_document(client, world):
    w = world
    # given company A's pilot with a generated contract
    pilot = to_contracting(w)
    sc.prepare_contract(pilot, w.legal, w.edu_staff)

    # when a user of company B, or Urban Environment's staff, ask for its documents
    urls = [
        reverse("cases:contract_download", args=[pilot.reference]),
        reverse("cases:contract_pdf_download", args=[pilot.reference]),
    ]
    for user in (w.company2, w.urban_staff):
        client.force_login(user)
        # then they get 404, as for anything of a pilot they may not see
        assert [client.get(url).status_code for url in urls] == [404, 404]


def test_the_company_sees_its_contract_on_its_portal_and_no_other(client, world):
    w = world
    pilot = to_contracting(w)
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    link = reverse("cases:contract_download", args=[pilot.reference])
    client.force_login(w.company)
    portal = client.get(reverse("cases:portal"))
    assert [c.pilot for c in portal.context["contracts"]] == [pilot]
    assert link in portal.content.decode()
    client.force_login(w.company2)
    portal = client.get(reverse("cases:portal"))
    assert list(portal.context["contracts"]) == []
    assert link not in portal.content.decode()


def test_the_contract_task_offers_published_pilot_agreements_only(client, world):
    w = world
    pilot = to_contracting(w)
    task = sc.open_task(pilot, "prepare_contract")
    client.force_login(w.legal)
    args = [task.process_id, task.pk]
    client.post(reverse("pilot:prepare_contract:assign", args=args))
    response = client.get(reverse("pilot:prepare_contract:execute", args=args))
    choices = response.context["form"].fields["template_version"].queryset
    assert sorted((v.template.kind.code, v.language) for v in choices) == sorted(
        (kind, language)
        for kind in ("pilot-no-compensation", "pilot-compensation")
        for language in ("fi", "sv", "en")
    )
    assert "(example for legal review)" in response.content.decode()
