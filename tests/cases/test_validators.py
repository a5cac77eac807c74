"""Finnish business IDs and uploaded files, judged by their content."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cases.validators import (
    business_id_check_digit,
    validate_attachment,
    validate_business_id,
)
from workflows.scenarios import MINIMAL_PDF

# -- sample files ----------------------------------------------------------------------------


def png_bytes() -> bytes:
    """A valid 1x1 greyscale PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def docx_bytes() -> bytes:
    """The skeleton of a Word document: a ZIP archive with the Office Open XML parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# A Windows executable header (MZ) and a Linux one (ELF).
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 112
ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120

TYPE_NOT_ALLOWED = (
    "This type of file is not allowed. Upload a PDF, an image (PNG or JPEG), an office "
    "document (Word, Excel, PowerPoint, OpenDocument) or a text or CSV file."
)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def messages_of(error: ValidationError) -> list[str]:
    return list(error.messages)


# -- business IDs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "business_id",
    [
        "0112038-9",  # Nokia Oyj
        "0737546-2",
        "0201256-6",
        "1234567-1",
        "1572860-0",  # remainder 0: the check digit is 0
        "1000002-0",  # remainder 0 again
    ],
)
def test_valid_business_ids_pass(business_id):
    # given a business ID whose check digit matches
    # when it is validated
    result = validate_business_id(business_id)
    # then nothing is raised
    assert result is None


def test_check_digit_zero_comes_from_remainder_zero():
    # given seven digits whose weighted sum is divisible by 11
    digits = "1572860"
    weighted = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True))
    # when the check digit is computed
    check = business_id_check_digit(digits)
    # then it is 0
    assert weighted % 11 == 0
    assert check == 0


def test_wrong_check_digit_names_the_check_digit():
    # given a business ID with the wrong last digit (the right one is 9)
    # when it is validated
    with pytest.raises(ValidationError) as excinfo:
        validate_business_id("0112038-8")
    # then the message says that the check digit does not match
    assert excinfo.value.code == "business_id_checksum"
    assert messages_of(excinfo.value) == [
        "0112038-8 is not a valid business ID: its check digit does not match."
    ]


@pytest.mark.parametrize(
    "value",
    [
        "",
        "0112038",  # no check digit
        "01120389",  # no hyphen
        "112038-9",  # six digits
        "00112038-9",  # eight digits
        "0112038-99",  # two check digits
        "0112O38-9",  # a letter O for a zero
        "0112038 9",
        " 0112038-9",
        "0112038-9 ",
        "FI01120389",  # the EU VAT number is not the business ID
    ],
)
def test_wrong_format_is_rejected_with_the_expected_form(value):
    # given a value not in the form 1234567-8
    # when it is validated
    with pytest.raises(ValidationError) as excinfo:
        validate_business_id(value)
    # then the message shows the expected form
    assert excinfo.value.code == "business_id_format"
    assert messages_of(excinfo.value) == [
        "Enter the business ID in the form 1234567-8 (seven digits, a hyphen, a digit)."
    ]


def test_none_is_rejected_as_wrong_format():
    with pytest.raises(ValidationError) as excinfo:
        validate_business_id(None)
    assert excinfo.value.code == "business_id_format"


@pytest.mark.parametrize("digits", ["1000008", "1000016", "1000024"])
def test_numbers_with_remainder_one_are_never_valid(digits):
    # given seven digits whose weighted sum leaves remainder 1 (no check digit exists)
    weighted = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True))
    assert weighted % 11 == 1
    assert business_id_check_digit(digits) is None
    # when each of the ten possible check digits is tried
    rejected = []
    for check in range(10):
        with pytest.raises(ValidationError) as excinfo:
            validate_business_id(f"{digits}-{check}")
        rejected.append(excinfo.value.code)
    # then every one is rejected as a checksum error
    assert rejected == ["business_id_checksum"] * 10


# -- attachments: accepted by content ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("plan.pdf", MINIMAL_PDF, "application/pdf"),
        ("photo.png", png_bytes(), "image/png"),
        (
            "terms.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_allowed_files_are_accepted_by_content(name, content, expected):
    # given a file of an allowed type
    # when it is validated
    mime = validate_attachment(upload(name, content))
    # then its type is recognised from its bytes
    assert mime == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("plan.bin", "application/pdf"), ("plan", "application/pdf"), ("PLAN.TXT", "application/pdf")],
)
def test_the_file_name_does_not_decide_a_binary_type(name, expected):
    # given a PDF under a misleading or missing extension
    # when it is validated
    mime = validate_attachment(upload(name, MINIMAL_PDF, content_type="text/plain"))
    # then the content decides
    assert mime == expected


def test_the_upload_is_rewound_after_validation():
    uploaded = upload("plan.pdf", MINIMAL_PDF)
    validate_attachment(uploaded)
    assert uploaded.read() == MINIMAL_PDF


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", EXE_BYTES),
        ("report.pdf", EXE_BYTES),  # an executable named as a PDF
        ("report.pdf", ELF_BYTES),
        ("report.pdf", b"Just some text pretending to be a PDF.\n"),  # text named as a PDF
        ("notes.txt", ELF_BYTES),  # a binary named as text
        ("notes.txt", b"text with a \x00 NUL byte"),
        ("table.csv", b"\xff\xfe\xfa not utf-8 \xff\xff at all"),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 60),  # a plain ZIP is no office document
    ],
)
def test_files_of_other_types_are_rejected(name, content):
    # given a file whose content is not an allowed type, whatever its name
    # when it is validated
    with pytest.raises(ValidationError) as excinfo:
        validate_attachment(upload(name, content, content_type="application/pdf"))
    # then it is rejected with the list of allowed types
    assert excinfo.value.code == "file_type"
    assert messages_of(excinfo.value) == [TYPE_NOT_ALLOWED]


@override_settings(KOKEILU_ATTACHMENT_MAX_BYTES=1024)
def test_a_file_over_the_size_limit_is_rejected_with_both_sizes():
    # given a limit of 1 KB and a 2 KB PDF
    content = MINIMAL_PDF + b"%" * (2048 - len(MINIMAL_PDF))
    # when it is validated
    with pytest.raises(ValidationError) as excinfo:
        validate_attachment(upload("big.pdf", content))
    # then the message gives the file's size and the limit
    assert excinfo.value.code == "file_too_large"
    assert messages_of(excinfo.value) == [
        "The file is 2.0\xa0KB; the largest allowed is 1.0\xa0KB."
    ]


@override_settings(KOKEILU_ATTACHMENT_MAX_BYTES=1024)
def test_a_file_exactly_at_the_size_limit_is_accepted():
    content = MINIMAL_PDF + b"%" * (1024 - len(MINIMAL_PDF))
    assert validate_attachment(upload("edge.pdf", content)) == "application/pdf"


def test_the_default_limit_is_20_mb():
    from django.conf import settings

    assert settings.KOKEILU_ATTACHMENT_MAX_BYTES == 20 * 1024 * 1024


def test_an_empty_file_is_rejected():
    with pytest.raises(ValidationError) as excinfo:
        validate_attachment(upload("empty.pdf", b""))
    assert excinfo.value.code == "file_empty"
    assert messages_of(excinfo.value) == ["The file is empty."]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("kpis.csv", b"month;users\n2027-03;120\n2027-04;180\n", "text/csv"),
        ("notes.txt", "Käyttäjät pitivät ratkaisusta. Åbo.\n".encode(), "text/plain"),
        ("NOTES.TXT", b"Upper-case extension.\n", "text/plain"),
    ],
)
def test_csv_and_txt_are_accepted_as_text(name, content, expected):
    # given UTF-8 text named .csv or .txt
    # when it is validated
    mime = validate_attachment(upload(name, content))
    # then it is accepted as text
    assert mime == expected


def test_text_cut_inside_a_multibyte_character_at_the_sample_end_is_text():
    # given UTF-8 text longer than the 8 KB sample, with "ä" split by the sample's end
    content = b"a" * 8191 + "ä".encode() + b"\n"
    # when it is validated
    mime = validate_attachment(upload("long.txt", content))
    # then it is still text
    assert mime == "text/plain"


def test_text_with_another_extension_is_rejected():
    with pytest.raises(ValidationError) as excinfo:
        validate_attachment(upload("notes.md", b"# Notes\n"))
    assert excinfo.value.code == "file_type"
