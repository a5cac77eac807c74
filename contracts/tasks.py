"""Background work of the contracts app, enqueued after commit."""

from celery import shared_task


@shared_task(ignore_result=True)
def contract_render_pdf(contract_id: int, sha256: str) -> None:
    """Convert the contract document with this SHA-256 to PDF (LibreOffice)."""
    from .services import contract_render_pdf as render

    render(contract_id=contract_id, sha256=sha256)
