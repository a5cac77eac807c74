"""The reference as a PDF certificate: the pilot's public record, the division's evaluation and
a QR code linking to the verification page. Drawn with reportlab; the QR code by segno."""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
import segno
from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cases.models import Reference

from .references import verification_record

# Bitstream Vera, shipped with reportlab: a Unicode font, so names in any Latin script print.
_FONT_DIR = Path(reportlab.__file__).parent / "fonts"
FONT, FONT_BOLD = "KokeiluVera", "KokeiluVeraBold"


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(_FONT_DIR / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(_FONT_DIR / "VeraBd.ttf")))


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def _text(value) -> str:
    return escape(str(value)).replace("\n", "<br/>")


def reference_pdf(reference: Reference) -> bytes:
    _register_fonts()
    record = verification_record(reference)
    pilot, evaluation = record["pilot"], record["evaluation"]
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11, textColor=colors.grey)
    heading = ParagraphStyle("heading", fontName=FONT_BOLD, fontSize=20, leading=26)
    subheading = ParagraphStyle("subheading", fontName=FONT_BOLD, fontSize=12, leading=18)

    def date(value):
        return formats.date_format(value, "DATE_FORMAT") if value else ""

    story = [
        Paragraph(_text(_("Reference: the Helsinki stamp")), heading),
        Paragraph(
            _text(
                _(
                    "The city certifies that the company below completed a pilot on the "
                    "city's platforms."
                )
            ),
            body,
        ),
        Spacer(1, 6 * mm),
    ]
    facts = [
        (_("Company"), f"{pilot['company']} ({pilot['company_business_id']})"),
        (_("Pilot"), f"{pilot['reference']} {pilot['title']}"),
        (_("Platform theme"), pilot["theme"]),
        (_("Division"), pilot["division"] or ""),
        (
            _("Period"),
            f"{date(reference.pilot.planned_start)} \u2013 {date(reference.pilot.planned_end)}",
        ),
        (_("Decision"), pilot["results"]["scaling_decision_label"] or ""),
        (_("Issued"), date(reference.issued)),
    ]
    if pilot["summary"]:
        facts.insert(2, (_("Summary"), pilot["summary"]))
    rows = [
        [Paragraph(_text(label), body), Paragraph(_text(value), body)] for label, value in facts
    ]
    table = Table(rows, colWidths=[40 * mm, 125 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 6 * mm)]
    if evaluation:
        story.append(Paragraph(_text(_("The division's evaluation")), subheading))
        scores = [
            (_("Goal achievement"), evaluation["goal_achievement"]),
            (_("User feedback"), evaluation["user_feedback"]),
            (_("Technical readiness"), evaluation["technical_readiness"]),
            (_("Scalability"), evaluation["scalability"]),
            (_("Mean"), formats.number_format(evaluation["mean_score"], 1)),
        ]
        score_rows = [
            [Paragraph(_text(label), body), Paragraph(_text(f"{value} / 5"), body)]
            for label, value in scores
        ]
        score_table = Table(score_rows, colWidths=[60 * mm, 30 * mm])
        story += [score_table, Spacer(1, 3 * mm)]
        if evaluation.get("lessons_learned"):
            story.append(
                Paragraph(
                    _text(_("Lessons learned: %(text)s") % {"text": evaluation["lessons_learned"]}),
                    body,
                )
            )
    story += [
        Spacer(1, 8 * mm),
        Paragraph(_text(_("Verify this reference")), subheading),
        Paragraph(
            _text(
                _(
                    "Scan the code or open the address below: the city's page tells whether "
                    "the reference is still valid."
                )
            ),
            body,
        ),
        Spacer(1, 3 * mm),
        Image(
            io.BytesIO(qr_png(record["verify_url"])), width=40 * mm, height=40 * mm, hAlign="LEFT"
        ),
        Paragraph(_text(record["verify_url"]), small),
        Paragraph(_text(_("Verification code: %(code)s") % {"code": reference.code}), small),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=str(_("Reference %(reference)s") % {"reference": pilot["reference"]}),
        author="Kokeilu",
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    )
    document.build(story)
    return buffer.getvalue()
