"""Validators for Finnish identifiers and uploaded files."""

import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

BUSINESS_ID_RE = re.compile(r"^(\d{7})-(\d)$")
BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def business_id_check_digit(digits: str) -> int | None:
    """The check digit of the seven digits of a Y-tunnus, or None when no digit is valid."""
    remainder = sum(int(d) * w for d, w in zip(digits, BUSINESS_ID_WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def validate_business_id(value: str) -> None:
    """A Finnish business ID (Y-tunnus): seven digits, a hyphen and a valid check digit."""
    match = BUSINESS_ID_RE.match(value or "")
    if not match:
        raise ValidationError(
            _("Enter the business ID in the form 1234567-8 (seven digits, a hyphen, a digit)."),
            code="business_id_format",
        )
    digits, check = match.groups()
    expected = business_id_check_digit(digits)
    if expected is None or expected != int(check):
        raise ValidationError(
            _("%(value)s is not a valid business ID: its check digit does not match."),
            code="business_id_checksum",
            params={"value": value},
        )


# Types accepted as attachments, recognised by their content. Office Open XML files are ZIP
# archives, so the detector names them by their internal structure.
ALLOWED_ATTACHMENT_MIMES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
}
TEXT_EXTENSIONS = {".txt": "text/plain", ".csv": "text/csv"}


def detect_upload_type(uploaded) -> str | None:
    """The MIME type of an uploaded file judged by its content, or None when not allowed."""
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime if kind.mime in ALLOWED_ATTACHMENT_MIMES else None
    name = (uploaded.name or "").lower()
    for extension, mime in TEXT_EXTENSIONS.items():
        if name.endswith(extension) and b"\x00" not in head:
            try:
                head.decode("utf-8")
            except UnicodeDecodeError:
                # A multi-byte character may be cut at the end of the sample.
                try:
                    head[:-3].decode("utf-8")
                except UnicodeDecodeError:
                    return None
            return mime
    return None


def validate_attachment(uploaded) -> str:
    """Check an upload's size and type; return its content type."""
    limit = settings.KOKEILU_ATTACHMENT_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    mime = detect_upload_type(uploaded)
    if mime is None:
        raise ValidationError(
            _(
                "This type of file is not allowed. Upload a PDF, an image (PNG or JPEG), an "
                "office document (Word, Excel, PowerPoint, OpenDocument) or a text or CSV file."
            ),
            code="file_type",
        )
    return mime


def safe_file_name(name: str, *, fallback: str = "file") -> str:
    """An uploaded file's name as it may be shown and offered for download: no folders, no
    control or bidirectional-override characters, no leading dots, at most 255 characters
    (keeping the extension). The stored file's path never comes from it."""
    name = PureWindowsPath(PurePosixPath(name or "").name).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        " " if unicodedata.category(ch) in ("Zs", "Zl", "Zp") else ch
        for ch in name
        if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return fallback
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            name = f"{stem[: 254 - len(extension)]}.{extension}"
        else:
            name = name[:255]
    return name
