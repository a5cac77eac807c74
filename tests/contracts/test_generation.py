"""The flow's contract steps: the document generated from a published template version, the
company's acceptance, the division's signature, and what a new version changes (nothing)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import Pilot, Stage
from contracts import services
from contracts.models import Contract, ContractTemplateVersion
from tests import factories as f
from tests.contracts.helpers import GOOD_TEMPLATE, docx, published, read, text_of, to_contracting
from tests.contracts.helpers import upload as docx_upload
from workflows import scenarios as sc
from workflows.models import PilotProcess

Status = ContractTemplateVersion.Status


def _contract(pilot) -> Contract:
    return Contract.objects.get(pilot=pilot)


def _snapshot(pilot) -> dict:
    return {
        "contract": list(Contract.objects.filter(pilot=pilot).values()),
        "contract_history": Contract.history.filter(pilot_id=pilot.pk).count(),
        "timeline": list(pilot.timeline.values_list("pk", flat=True)),
        "process": PilotProcess.objects.filter(pilot=pilot).values().get(),
    }


def test_the_generated_document_names_the_company_its_business_id_the_period_and_signatory(
    world,
):
    w = world
    # given a pilot of company A accepted by Education
    pilot = to_contracting(w, "Learning analytics")

    # when legal staff generate its contract from the Finnish pilot agreement
    sc.prepare_contract(
        pilot,
        w.legal,
        w.edu_staff,
        period_start=datetime.date(2027, 3, 1),
        period_end=datetime.date(2027, 8, 31),
    )

    # then the .docx, opened with python-docx, has the company, its business ID, the period
    # and the division's signatory in it, and no placeholder is left
    contract = _contract(pilot)
    text = text_of(read(contract.document))
    company = w.company_a
    assert f"{company.name}, Y-tunnus {company.business_id} (yritys)" in text
    assert "Kokeilu kestää 1.3.2027\u201331.8.2027." in text
    assert w.edu_staff.get_full_name() in text
    # the division is named in the contract's language (Finnish here)
    assert "Helsingin kaupunki, Kasvatuksen ja koulutuksen toimiala" in text
    assert "Kaupunki ei maksa kokeilusta korvausta." in text
    assert "{{" not in text and "{%" not in text
    # and the contract records the version, the revision and the document's SHA-256
    version = published("pilot-no-compensation", "fi")
    assert (contract.template_version, contract.revision) == (version, 1)
    assert contract.document_name == f"{pilot.reference}-contract-1.docx"
    assert contract.document_sha256 == services.documents.sha256_of(read(contract.document))
    assert (contract.issued_by, contract.document_pdf.name) == (w.legal, "")


def test_the_english_agreement_with_compensation_formats_dates_and_amounts(world):
    w = world
    pilot = to_contracting(w)
    sc.prepare_contract(
        pilot,
        w.legal,
        w.edu_staff,
        compensation=Decimal("12500"),
        language="en",
        period_start=datetime.date(2027, 3, 1),
        period_end=datetime.date(2027, 8, 31),
        ipr_terms="R&D results <beta> belong to the company.\nThe city may use them.",
    )
    text = text_of(read(_contract(pilot).document))
    assert f"{w.company_a.name}, business ID {w.company_a.business_id} (the Company)" in text
    assert "The pilot runs from 1 March 2027 to 31 August 2027." in text
    assert "The City pays the Company EUR 12,500.00 (VAT 0 %) for the pilot" in text
    # the terms are written as text: markup is escaped, a new line is a line break
    assert "R&D results <beta> belong to the company.\nThe city may use them." in text
    assert f"For {w.company_a.name}" in text


def test_the_swedish_agreement(world):
    w = world
    pilot = to_contracting(w)
    sc.prepare_contract(pilot, w.legal, w.edu_staff, compensation=Decimal("1500"), language="sv")
    text = text_of(read(_contract(pilot).document))
    assert f"FO-nummer {w.company_a.business_id}" in text
    assert "Staden betalar företaget 1\u00a0500,00\u00a0€ (moms 0 %)" in text


def test_acceptance_and_signature_record_who_when_and_the_sha256_of_the_document(world):
    w = world
    pilot = to_contracting(w)
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    issued_sha = _contract(pilot).document_sha256

    sc.accept_contract(pilot, w.company)
    sc.sign_contract(pilot, w.edu_staff)

    contract = _contract(pilot)
    assert (contract.accepted_by, contract.accepted_sha256) == (w.company, issued_sha)
    assert (contract.signed_by, contract.signed_sha256) == (w.edu_staff, issued_sha)
    assert contract.accepted is not None and contract.signed >= contract.accepted
    assert Pilot.objects.get(pk=pilot.pk).stage == Stage.EXECUTION
    # each step is in the contract's audit history, by whoever did it
    history = list(contract.history.order_by("history_date", "history_id"))
    assert [(h.history_user, h.revision, h.accepted_sha256, h.signed_sha256) for h in history] == [
        (w.legal, 1, "", ""),
        (w.company, 1, issued_sha, ""),
        (w.edu_staff, 1, issued_sha, issued_sha),
    ]
    # and on the pilot's timeline, which the company sees
    texts = list(pilot.timeline.filter(visible_to_company=True).values_list("text", flat=True))
    version = published("pilot-no-compensation", "fi")
    assert texts[-3:] == [
        f"Contract document 1 was generated from {version.template.name}, version 1 (fi), "
        f"and issued for the company's acceptance (SHA-256 {issued_sha}).",
        f"The company accepted the contract (SHA-256 {issued_sha}).",
        f"The contract was signed (SHA-256 {issued_sha}); the pilot is running.",
    ]


def test_regenerating_after_acceptance_voids_it_and_the_signature_is_refused(world):
    w = world
    # given a contract the company accepted
    pilot = to_contracting(w)
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    sc.accept_contract(pilot, w.company)
    accepted_sha = _contract(pilot).accepted_sha256

    # when legal staff generate the document again (a longer period)
    contract = services.contract_generate(
        pilot=pilot,
        by=w.legal,
        version=published("pilot-no-compensation", "fi"),
        terms={"period_end": datetime.date(2027, 12, 31)},
    )

    # then the acceptance is void, the new document has another SHA-256
    contract.refresh_from_db()
    assert (contract.accepted, contract.accepted_by, contract.accepted_sha256) == (None, None, "")
    assert (contract.revision, contract.period_end) == (2, datetime.date(2027, 12, 31))
    assert contract.document_sha256 != accepted_sha
    assert "31.12.2027" in text_of(read(contract.document))
    assert pilot.timeline.filter(
        text="The contract document was generated again: the company's earlier acceptance is void.",
        visible_to_company=True,
    ).exists()

    # and the division may not sign what the company did not accept
    before = _snapshot(pilot)
    with pytest.raises(ValidationError, match="has not accepted this version"):
        sc.sign_contract(pilot, w.edu_staff)
    assert _snapshot(pilot) == before


def test_company_asks_for_changes_and_legal_generates_a_new_revision(world):
    w = world
    pilot = to_contracting(w)
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    first = _contract(pilot)

    sc.accept_contract(pilot, w.company, accept=False, comment="Name our cloud provider.")
    assert _contract(pilot).change_request == "Name our cloud provider."

    sc.prepare_contract(
        pilot, w.legal, w.edu_staff, data_handling="Data stays in Example Cloud's EU region."
    )
    second = _contract(pilot)
    assert (second.revision, second.change_request) == (2, "")
    assert second.document.name != first.document.name
    assert "Data stays in Example Cloud's EU region." in text_of(read(second.document))
    # the first document is kept: the history points at it
    assert read(first.document) != read(second.document)
    assert [h.document_sha256 for h in second.history.order_by("history_id")][:1] == [
        first.document_sha256
    ]


def test_a_pilot_keeps_version_1_after_version_2_is_published(client, world):
    w = world
    # given a pilot contracted on version 1 of the English pilot agreement
    pilot = to_contracting(w, "On version 1")
    version_1 = published("pilot-no-compensation", "en")
    sc.prepare_contract(pilot, w.legal, w.edu_staff, version=version_1)
    sc.accept_contract(pilot, w.company)
    sc.sign_contract(pilot, w.edu_staff)
    document_before = read(_contract(pilot).document)

    # when legal staff upload and publish version 2
    version_2 = services.version_upload(
        template=version_1.template,
        by=w.legal,
        language="en",
        uploaded=docx_upload(docx(*GOOD_TEMPLATE, "Version 2 adds a clause.")),
    )
    services.version_publish(version=version_2, by=w.legal)

    # then the pilot still has version 1 and its very document, and its page says so
    contract = _contract(pilot)
    assert (contract.template_version, contract.template_version.number) == (version_1, 1)
    assert read(contract.document) == document_before
    version_1.refresh_from_db()
    assert version_1.status == Status.RETIRED
    client.force_login(w.company)
    page = client.get(pilot.get_absolute_url())
    assert f"{version_1.template.name} (English), version 1" in page.content.decode()
    # and a new pilot gets version 2
    other = to_contracting(w, "On version 2")
    sc.prepare_contract(other, w.legal, w.edu_staff, language="en")
    assert _contract(other).template_version == version_2
    assert "Version 2 adds a clause." in text_of(read(_contract(other).document))


def test_the_template_must_fit_the_compensation(world):
    w = world
    pilot = to_contracting(w)
    before = _snapshot(pilot)
    with pytest.raises(ValidationError) as caught:
        sc.prepare_contract(
            pilot,
            w.legal,
            w.edu_staff,
            compensation=Decimal("500"),
            version=published("pilot-no-compensation", "fi"),
        )
    assert caught.value.message_dict == {
        "compensation": [
            "The template is for pilots without compensation: choose another template or set "
            "the compensation to 0."
        ]
    }
    with pytest.raises(ValidationError) as caught:
        sc.prepare_contract(
            pilot, w.legal, w.edu_staff, version=published("pilot-compensation", "fi")
        )
    assert list(caught.value.message_dict) == ["compensation"]
    assert _snapshot(pilot) == before


def test_only_a_published_pilot_contract_template_generates_a_contract(world):
    w = world
    pilot = to_contracting(w)
    before = _snapshot(pilot)
    nda = published("nda", "fi")
    with pytest.raises(ValidationError) as caught:
        sc.prepare_contract(pilot, w.legal, w.edu_staff, version=nda)
    assert caught.value.message_dict == {
        "template_version": ["Templates of this kind are not used as a pilot's contract."]
    }
    retired = published("pilot-no-compensation", "sv")
    services.version_retire(version=retired, by=w.legal)
    with pytest.raises(ValidationError) as caught:
        sc.prepare_contract(pilot, w.legal, w.edu_staff, version=retired)
    assert caught.value.message_dict == {
        "template_version": ["Choose a published version of a contract template."]
    }
    assert _snapshot(pilot) == before


def test_only_legal_staff_generate_contracts(world):
    w = world
    pilot = to_contracting(w)
    before = _snapshot(pilot)
    with pytest.raises(PermissionDenied):
        services.contract_generate(
            pilot=pilot,
            by=w.agent,
            version=published("pilot-no-compensation", "fi"),
            terms={
                "period_start": datetime.date(2027, 3, 1),
                "period_end": datetime.date(2027, 8, 31),
                "ipr_terms": "x",
                "data_handling": "y",
                "division_signatory": w.edu_staff,
            },
        )
    assert _snapshot(pilot) == before


def test_a_document_changed_on_the_storage_is_neither_accepted_nor_signed(world):
    w = world
    # given an issued contract whose stored document was replaced behind the service's back
    pilot = to_contracting(w)
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    contract = _contract(pilot)
    storage, name = contract.document.storage, contract.document.name
    storage.delete(name)
    storage.save(name, docx_upload(docx("Another contract")))
    before = _snapshot(pilot)

    # when the company accepts, then it is refused and nothing changed
    with pytest.raises(ValidationError, match="differs from the one issued"):
        sc.accept_contract(pilot, w.company)
    assert _snapshot(pilot) == before


def test_a_signed_contract_is_not_generated_again(world):
    w = world
    pilot = to_contracting(w)
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    sc.accept_contract(pilot, w.company)
    sc.sign_contract(pilot, w.edu_staff)
    before = _snapshot(pilot)
    with pytest.raises(ValidationError, match="The contract is signed"):
        services.contract_generate(
            pilot=pilot, by=w.legal, version=published("pilot-no-compensation", "fi"), terms={}
        )
    assert _snapshot(pilot) == before


def test_contract_prepare_reopens_the_decision_of_the_company(world):
    w = world
    pilot = to_contracting(w)
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    sc.accept_contract(pilot, w.company, accept=False, comment="Changes, please.")
    assert PilotProcess.objects.get(pilot=pilot).contract_accepted is False
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    assert PilotProcess.objects.get(pilot=pilot).contract_accepted is None


def test_only_the_signatory_named_in_the_contract_signs_it(world):
    w = world
    # given an accepted contract naming Education's staff member as the signatory, and a
    # colleague who also has signing right for Education
    colleague = f.make_division_staff(w.edu, "edu2", can_sign=True)
    pilot = to_contracting(w)
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    sc.accept_contract(pilot, w.company)
    before = _snapshot(pilot)

    # when the colleague signs, then it is refused and nothing changed
    with pytest.raises(PermissionDenied, match="as the division's signatory"):
        sc.sign_contract(pilot, colleague)
    assert _snapshot(pilot) == before

    # and the named signatory signs
    sc.sign_contract(pilot, w.edu_staff)
    assert _contract(pilot).signed_by == w.edu_staff
