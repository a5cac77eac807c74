"""PDF copies of generated contracts, made by LibreOffice after commit where it is installed.

The tests that convert need LibreOffice (`soffice`) and skip where it is missing, saying so;
the rest run everywhere.
"""

import shutil

import pytest
from django.urls import reverse

from contracts import documents, services
from contracts.models import Contract
from tests.contracts.helpers import read, to_contracting
from workflows import scenarios as sc

needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice is not installed, so no PDF is made: install libreoffice-writer-nogui "
    "(Debian, Ubuntu) to run this test",
)


@needs_libreoffice
def test_a_pdf_copy_is_made_after_commit_and_downloaded_by_the_company(
    client, world, settings, django_capture_on_commit_callbacks
):
    w = world
    settings.KOKEILU_CONTRACT_PDF = True
    pilot = to_contracting(w)

    # when legal staff generate the contract and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        sc.prepare_contract(pilot, w.legal, w.edu_staff)

    # then a PDF copy is stored beside the .docx, which stays the contract
    contract = Contract.objects.get(pilot=pilot)
    assert read(contract.document_pdf)[:5] == b"%PDF-"
    assert contract.document_sha256 == documents.sha256_of(read(contract.document))
    assert contract.history.first().history_user is None  # made by the background task
    client.force_login(w.company)
    response = client.get(reverse("cases:contract_pdf_download", args=[pilot.reference]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{pilot.reference}-contract-1.pdf"'
    )
    page = client.get(pilot.get_absolute_url()).content.decode()
    assert reverse("cases:contract_pdf_download", args=[pilot.reference]) in page


@needs_libreoffice
def test_the_pdf_of_a_document_generated_again_is_not_stored(world, settings):
    w = world
    settings.KOKEILU_CONTRACT_PDF = True
    pilot = to_contracting(w)
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    first = Contract.objects.get(pilot=pilot).document_sha256
    sc.accept_contract(pilot, w.company, accept=False, comment="Changes.")
    sc.prepare_contract(pilot, w.legal, w.edu_staff)

    # the task for the first document runs late: the document changed, nothing is stored
    assert services.contract_render_pdf(contract_id=pilot.contract.pk, sha256=first) is None
    assert Contract.objects.get(pilot=pilot).document_pdf.name == ""


def test_without_libreoffice_there_is_no_pdf_and_no_error(
    client, world, settings, django_capture_on_commit_callbacks
):
    w = world
    settings.KOKEILU_CONTRACT_PDF = True
    settings.KOKEILU_SOFFICE = "/nonexistent/soffice"
    pilot = to_contracting(w)

    with django_capture_on_commit_callbacks(execute=True):
        sc.prepare_contract(pilot, w.legal, w.edu_staff)

    contract = Contract.objects.get(pilot=pilot)
    assert contract.document_pdf.name == ""
    assert documents.docx_to_pdf(read(contract.document)) is None
    assert (
        services.contract_render_pdf(contract_id=contract.pk, sha256=contract.document_sha256)
        is None
    )
    client.force_login(w.company)
    response = client.get(reverse("cases:contract_pdf_download", args=[pilot.reference]))
    assert response.status_code == 404


def test_pdf_conversion_is_off_when_configured_so(world, settings):
    settings.KOKEILU_CONTRACT_PDF = False
    assert documents.pdf_available() is False
