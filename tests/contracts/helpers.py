"""Helpers of the contract tests: Word documents made with python-docx, and reading them."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from contracts import selectors
from contracts.models import ContractTemplateVersion
from tests import factories as f
from workflows import scenarios as sc

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx(*paragraphs: str) -> bytes:
    """A Word document with one paragraph per argument."""
    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "template.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=DOCX)


GOOD_TEMPLATE = (
    "Agreement between the city and {{ company.name }} ({{ company.business_id }})",
    "Period: {{ dates.period_start }} \u2013 {{ dates.period_end }}",
    "{% if terms.has_compensation %}Compensation {{ terms.compensation }}{% endif %}",
    "Signed for the division by {{ signatories.division_name }}",
)


def text_of(data: bytes) -> str:
    """All the text of a .docx: its paragraphs, then its tables cell by cell."""
    document = Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def read(field_file) -> bytes:
    field_file.open("rb")
    try:
        return field_file.read()
    finally:
        field_file.close()


def published(kind_code: str, language: str) -> ContractTemplateVersion:
    return selectors.published_version(kind_code=kind_code, language=language)


def to_contracting(w, title="Pilot", company=None, by=None):
    """A pilot of company A (by default) accepted by Education: prepare_contract is open."""
    pilot = f.submit_pilot(company or w.company_a, by or w.company, title=title)
    sc.screen(pilot, w.agent)
    sc.match(pilot, w.agent, w.edu)
    sc.review_match(pilot, w.edu_staff)
    pilot.refresh_from_db()
    return pilot
