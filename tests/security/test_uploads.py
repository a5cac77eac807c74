"""Uploads: type by content, size limit, sanitized names, stored outside the static root under
a server-made path, served only through the view that checks the pilot's visibility, as an
attachment that the browser must not sniff."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cases.models import Attachment
from cases.services import attachment_add
from cases.validators import safe_file_name
from tests import factories as f
from workflows import scenarios as sc


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("plan.pdf", "plan.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\maija\\plan.pdf", "plan.pdf"),
        ("\u202egnp.pdf", "gnp.pdf"),
        ("a\x00b\nc.pdf", "abc.pdf"),
        ("...", "file"),
        ("  .hidden.pdf  ", "hidden.pdf"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_file_names_are_sanitized(given, kept):
    assert safe_file_name(given) == kept


def _upload(name: str, data: bytes, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.django_db
def test_an_upload_keeps_a_clean_name_and_a_server_made_path(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    # when a company uploads a PDF with a path and control characters in its name
    attachment = attachment_add(
        pilot=pilot, by=world.company, uploaded=_upload("../../\u202eevil\x07.pdf", sc.MINIMAL_PDF)
    )
    # then the name is clean, the type is judged by content, and the stored path is the
    # server's own, under the media root and outside the static root
    assert (attachment.original_name, attachment.content_type) == ("evil.pdf", "application/pdf")
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert stored.parent.name == str(pilot.pk)
    assert len(stored.name) == 32 and "evil" not in str(stored)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("page.pdf", b"<html><script>alert(1)</script></html>", "file_type"),
        ("tool.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "file_type"),
        ("empty.pdf", b"", "file_empty"),
    ],
)
def test_content_that_is_not_an_allowed_type_is_refused(world, name, data, code):
    pilot = f.submit_pilot(world.company_a, world.company)
    with pytest.raises(ValidationError) as error:
        attachment_add(pilot=pilot, by=world.company, uploaded=_upload(name, data))
    assert [e.code for e in error.value.error_list] == [code]
    assert Attachment.objects.filter(pilot=pilot).count() == 0


@pytest.mark.django_db
@override_settings(KOKEILU_ATTACHMENT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_refused_with_a_message(world, client):
    pilot = f.submit_pilot(world.company_a, world.company)
    client.force_login(world.company)
    response = client.post(
        f"/pilots/{pilot.reference}/attachments/",
        {"file": _upload("big.pdf", sc.MINIMAL_PDF + b"%" * 200)},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and "the largest allowed is 100\xa0bytes" in messages[0]
    assert Attachment.objects.filter(pilot=pilot).count() == 0


@pytest.mark.django_db
def test_a_file_is_served_as_an_attachment_only_to_who_sees_the_pilot(world, client):
    pilot = f.submit_pilot(world.company_a, world.company)
    attachment = attachment_add(
        pilot=pilot, by=world.company, uploaded=_upload("report.png", sc.MINIMAL_PDF)
    )
    url = f"/pilots/{pilot.reference}/attachments/{attachment.pk}/"
    # the company sees its own file: a download, typed by content, not sniffed
    client.force_login(world.company)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="report.png"'
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == sc.MINIMAL_PDF
    # another company gets 404, and nobody reaches the file through a media URL
    client.force_login(world.company2)
    assert client.get(url).status_code == 404
    assert client.get(f"/media/{attachment.file.name}").status_code == 404
