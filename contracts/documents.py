"""Word templates: checking an upload, filling a template, converting a document to PDF.

Templates are .docx files with docxtpl's Jinja placeholders. They are rendered in Jinja's
immutable sandbox with autoescaping (values cannot break the document's XML) and with an
undefined-variable policy that fails loudly, naming the variable.
"""

import hashlib
import io
import logging
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import (
    StrictUndefined,
    TemplateAssertionError,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import missing
from lxml.etree import XMLSyntaxError

from . import variables

logger = logging.getLogger(__name__)

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"
# A .docx is a ZIP archive; refuse archives that unpack to more than this (a "ZIP bomb").
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
PDF_TIMEOUT_SECONDS = 120


class UnknownVariable(UndefinedError):
    """A template used a variable that is not documented; `name` is its full name."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class _NamedUndefined(StrictUndefined):
    """Fails on any use, naming a missing variable in full: `company.nmae`, not just `nmae`."""

    __slots__ = ()

    def __init__(self, hint=None, obj=missing, name=None, exc=UndefinedError):
        named = (
            hint is None
            and isinstance(name, str)
            and (obj is missing or isinstance(obj, variables.Namespace))
        )
        super().__init__(hint, obj, name, UnknownVariable if named else exc)

    @property
    def _undefined_message(self) -> str:
        if self._undefined_exception is UnknownVariable:
            if isinstance(self._undefined_obj, variables.Namespace):
                return f"{self._undefined_obj._path}.{self._undefined_name}"
            return self._undefined_name
        return super()._undefined_message


def jinja_env() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(autoescape=True, undefined=_NamedUndefined)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_file(field_file) -> bytes:
    field_file.open("rb")
    try:
        return field_file.read()
    finally:
        field_file.close()


# -- checking an upload ---------------------------------------------------------------------


def _problem(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _open_docx(data: bytes) -> None:
    """Refuse what is not a Word document (.docx) that python-docx can open."""
    not_docx = _("The file is not a valid Word document (.docx). Save it in Word as .docx.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _problem(not_docx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise _problem(not_docx) from error
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise _problem(not_docx)
    if unpacked > MAX_UNPACKED_BYTES:
        raise _problem(_("The Word document is too large when unpacked."))
    try:
        DocxTemplate(io.BytesIO(data)).init_docx()
    except ValueError as error:
        # python-docx refuses other Office Open XML packages, such as Word templates (.dotx)
        # and macro-enabled documents (.docm), naming their content type.
        raise _problem(
            _("The file is not a Word document (.docx): %(detail)s") % {"detail": error}
        ) from error
    except (KeyError, zipfile.BadZipFile, PackageNotFoundError, XMLSyntaxError) as error:
        raise _problem(not_docx) from error


def _syntax_problem(template: DocxTemplate, error: TemplateSyntaxError) -> ValidationError:
    """Name the problem and quote the paragraph it is in."""
    xml = template.patch_xml(template.get_xml())
    # Parsed as docxtpl renders it, one paragraph per line: the error's line is its paragraph.
    split = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
    try:
        jinja_env().from_string(split)
    except TemplateSyntaxError as located:
        error = located
    lines = split.splitlines()
    near = ""
    if error.lineno and 0 < error.lineno <= len(lines):
        near = re.sub(r"<[^>]+>", "", lines[error.lineno - 1]).strip()
    if len(near) > 120:
        near = near[:117] + "..."
    values = {"message": (error.message or "").rstrip("."), "near": near}
    if near:
        message = _("The template has a syntax error: %(message)s, in the text “%(near)s”.")
    else:
        message = _("The template has a syntax error: %(message)s.")
    if not isinstance(error, TemplateAssertionError):  # not an unknown filter or test
        message += " " + _("Check that every {{ has its }} and every {%% has its %%}.")
    return _problem(message % values)


def template_check(data: bytes, *, language: str = "en") -> None:
    """Raise ValidationError (on the field `file`) unless `data` is a usable contract template:
    a .docx whose placeholders parse and use only the documented variables."""
    _open_docx(data)
    template = DocxTemplate(io.BytesIO(data))
    template.init_docx()
    env = jinja_env()
    try:
        used = template.get_undeclared_template_variables(jinja_env=env)
    except TemplateSyntaxError as error:
        raise _syntax_problem(template, error) from error
    unknown = sorted(used - variables.ALLOWED_NAMES)
    if unknown:
        raise _problem(
            _(
                "The template uses unknown variables: %(names)s. Use only the variables "
                "listed on this page."
            )
            % {"names": ", ".join(unknown)}
        )
    # The names are known; fill the template with sample values, once with every value and
    # once with the optional ones empty, to find unknown attributes (`company.nmae`) and
    # anything else that fails only when filled.
    try:
        for sparse in (False, True):
            render(data, variables.sample_context(language, sparse=sparse))
    except UnknownVariable as error:
        raise _problem(
            _(
                "The template uses an unknown variable: %(name)s. Use only the variables "
                "listed on this page."
            )
            % {"name": error.name}
        ) from error
    except TemplateSyntaxError as error:
        raise _syntax_problem(template, error) from error
    except SecurityError as error:
        raise _problem(
            _("The template does something that is not allowed: %(detail)s") % {"detail": error}
        ) from error
    except (
        TemplateError,
        TypeError,
        ValueError,
        LookupError,
        AttributeError,
        ArithmeticError,
        XMLSyntaxError,
    ) as error:
        raise _problem(
            _("The template cannot be filled: %(detail)s") % {"detail": error}
        ) from error


# -- filling a template ---------------------------------------------------------------------


def render(data: bytes, context: dict) -> bytes:
    """The template `data` (.docx bytes) filled with `context`, as .docx bytes."""
    template = DocxTemplate(io.BytesIO(data))
    template.render(context, jinja_env=jinja_env())
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def document_text(data: bytes) -> list[str]:
    """The paragraphs of a .docx (body, then tables row by row), for previews."""
    document = Document(io.BytesIO(data))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if cell.text not in cells:
                    cells.append(cell.text)
            lines.append(" | ".join(cells))
    return lines


# -- PDF ------------------------------------------------------------------------------------


def soffice_binary() -> str | None:
    """LibreOffice's command, from KOKEILU_SOFFICE or the PATH; None where it is missing."""
    configured = settings.KOKEILU_SOFFICE
    if configured:
        return shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    return settings.KOKEILU_CONTRACT_PDF and soffice_binary() is not None


def docx_to_pdf(data: bytes) -> bytes | None:
    """The document converted to PDF by LibreOffice, or None where LibreOffice is missing or
    fails (the .docx is the contract; the PDF is a convenience)."""
    binary = soffice_binary()
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="kokeilu-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "contract.docx"
        source.write_bytes(data)
        command = [
            binary,
            # A profile of its own: conversions running at once do not share a lock.
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            subprocess.run(  # noqa: S603 (a fixed command; the input is our own file)
                command,
                check=True,
                capture_output=True,
                timeout=PDF_TIMEOUT_SECONDS,
            )
        except (OSError, subprocess.SubprocessError) as error:
            logger.warning("LibreOffice could not convert a contract to PDF: %s", error)
            return None
        target = folder / "contract.pdf"
        if not target.exists():
            logger.warning("LibreOffice wrote no PDF for a contract.")
            return None
        return target.read_bytes()
