"""The variables a contract template may use, and the values they get.

`VARIABLES` is the whitelist: an upload that uses any other variable is rejected, and the upload
page lists these with their descriptions. Templates write them in docxtpl's Jinja syntax, e.g.
`{{ company.name }}` or `{% if terms.has_compensation %}...{% endif %}`.

Dates and amounts are formatted for the language of the template version.
"""

import datetime
from decimal import Decimal

from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

# Group -> (what the group is, {name: description}). Keep in step with `_context` below.
VARIABLES = {
    "pilot": (
        _("The pilot"),
        {
            "reference": _("The pilot's reference, such as PIL-2026-0001"),
            "title": _("The pilot's title"),
            "summary": _("The summary of the proposal"),
            "solution": _("The solution the company pilots"),
            "theme": _("The platform theme"),
            "site": _("The site agreed with the division (may be empty)"),
        },
    ),
    "company": (
        _("The company"),
        {
            "name": _("The company's name"),
            "business_id": _("The company's business ID (Y-tunnus)"),
            "website": _("The company's website (may be empty)"),
            "contact_name": _("The company's contact person named in the proposal"),
            "contact_email": _("The e-mail address of the company's contact person"),
        },
    ),
    "division": (
        _("The city's division that hosts the pilot"),
        {
            "name": _("The division's name"),
            "contact_name": _("The division's contact person for the pilot"),
            "contact_email": _("The e-mail address of the division's contact person"),
        },
    ),
    "terms": (
        _("The terms legal staff fill in"),
        {
            "compensation": _("The compensation to the company, formatted, e.g. 1 500,00 €"),
            "has_compensation": _(
                "Whether the city pays the company (true or false), for {% if %}"
            ),
            "ipr": _("The intellectual property rights"),
            "data_handling": _("How data is handled"),
            "insurance": _("Insurance (may be empty)"),
        },
    ),
    "dates": (
        _("Dates, formatted for the template's language"),
        {
            "period_start": _("The first day of the contract period"),
            "period_end": _("The last day of the contract period"),
            "issued": _("The day the document is generated"),
        },
    ),
    "signatories": (
        _("Who signs"),
        {
            "division_name": _("The division's signatory, chosen by legal staff"),
            "division_email": _("The e-mail address of the division's signatory"),
            "company_name": _("The company's signatory: its contact person named in the proposal"),
            "company_email": _("The e-mail address of the company's signatory"),
        },
    ),
    "contract": (
        _("The document itself"),
        {
            "template": _("The name of the contract template"),
            "version": _("The number of the template version"),
            "language": _("The language code of the template version: fi, sv or en"),
            "revision": _("How many times the document has been generated for the pilot"),
        },
    ),
}

ALLOWED_NAMES = frozenset(VARIABLES)


def documented() -> list[dict]:
    """The variables for the upload page: group, name, description and a sample value."""
    sample = sample_context("en")
    rows = []
    for group, (group_description, names) in VARIABLES.items():
        for name, description in names.items():
            rows.append(
                {
                    "group": group,
                    "group_description": group_description,
                    "name": f"{group}.{name}",
                    "description": description,
                    "sample": sample[group][name],
                }
            )
    return rows


class Namespace:
    """A group of variables. It knows its own name, so that an unknown attribute such as
    `company.nmae` is reported in full, and it has no methods a template could reach."""

    __slots__ = ("_path", "_values")

    def __init__(self, path: str, values: dict):
        self._path = path
        self._values = dict(values)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name):
        return self._values[name]

    def __iter__(self):
        raise TypeError(f"{self._path} is a group of variables, not a list")

    def __repr__(self):
        return f"<{self._path}>"


def format_date(value: datetime.date | None, language: str) -> str:
    if value is None:
        return ""
    with translation.override(language):
        # Finnish and Swedish contracts write 1.3.2027; English ones 1 March 2027.
        return formats.date_format(value, "j F Y" if language == "en" else "j.n.Y")


def format_money(amount: Decimal | int | None, language: str) -> str:
    amount = Decimal(amount or 0).quantize(Decimal("0.01"))
    whole, cents = f"{amount:,.2f}".split(".")
    if language == "en":
        return f"EUR {whole}.{cents}"
    nbsp = "\u00a0"  # a no-break space groups the thousands and precedes the euro sign
    return f"{whole.replace(',', nbsp)},{cents}{nbsp}€"


def _person(user) -> tuple[str, str]:
    if user is None:
        return "", ""
    return user.get_full_name() or user.get_username(), user.email


def _context(values: dict) -> dict:
    """Check the values against VARIABLES and wrap each group in a Namespace."""
    context = {}
    for group, (_description, names) in VARIABLES.items():
        group_values = values[group]
        if set(group_values) != set(names):
            raise ValueError(f"{group}: {sorted(set(group_values) ^ set(names))}")
        context[group] = Namespace(group, group_values)
    return context


def contract_context(contract, *, version, issued: datetime.date) -> dict:
    """The values of a pilot's contract, for `version` (its language decides the formats)."""
    pilot = contract.pilot
    language = version.language
    division_contact = _person(pilot.division_contact)
    signatory = _person(contract.division_signatory)
    # The division and theme are named in the document's language, not the reader's.
    with translation.override(language):
        theme = pilot.theme.name if pilot.theme_id else ""
        division = pilot.division.name if pilot.division_id else ""
    return _context(
        {
            "pilot": {
                "reference": pilot.reference,
                "title": pilot.title,
                "summary": pilot.summary,
                "solution": pilot.solution,
                "theme": theme,
                "site": pilot.site,
            },
            "company": {
                "name": pilot.company.name,
                "business_id": pilot.company.business_id,
                "website": pilot.company.website,
                "contact_name": pilot.contact_name,
                "contact_email": pilot.contact_email,
            },
            "division": {
                "name": division,
                "contact_name": division_contact[0],
                "contact_email": division_contact[1],
            },
            "terms": {
                "compensation": format_money(contract.compensation, language),
                "has_compensation": bool(contract.compensation),
                "ipr": contract.ipr_terms,
                "data_handling": contract.data_handling,
                "insurance": contract.insurance,
            },
            "dates": {
                "period_start": format_date(contract.period_start, language),
                "period_end": format_date(contract.period_end, language),
                "issued": format_date(issued, language),
            },
            "signatories": {
                "division_name": signatory[0],
                "division_email": signatory[1],
                "company_name": pilot.contact_name,
                "company_email": pilot.contact_email,
            },
            "contract": {
                "template": version.template.name,
                "version": version.number,
                "language": language,
                "revision": contract.revision,
            },
        },
    )


def sample_context(
    language: str, *, template: str = "Pilot agreement", number: int = 1, sparse: bool = False
) -> dict:
    """Sample values for previews and for checking an upload: every variable has one. `sparse`
    leaves the optional values empty and the compensation out, to take the other branches."""
    context = _full_sample(language, template=template, number=number)
    if sparse:
        context["pilot"]._values["site"] = ""
        context["company"]._values["website"] = ""
        context["terms"]._values.update(
            compensation=format_money(0, language), has_compensation=False, insurance=""
        )
    return context


def _full_sample(language: str, *, template: str, number: int) -> dict:
    return _context(
        {
            "pilot": {
                "reference": "PIL-2026-0042",
                "title": "Smart street lighting in Kalasatama",
                "summary": "Street lights that dim when nobody is around and report faults.",
                "solution": "Motion-sensing luminaires connected to a fault-reporting service.",
                "theme": "Clean and sustainable urban solutions",
                "site": "Kalasatama, Capellan puistotie",
            },
            "company": {
                "name": "Esimerkki Oy",
                "business_id": "1234567-1",
                "website": "https://esimerkki.example.com",
                "contact_name": "Maija Meikäläinen",
                "contact_email": "maija.meikalainen@example.com",
            },
            "division": {
                "name": "Urban Environment Division",
                "contact_name": "Veikko Laaksonen",
                "contact_email": "veikko.laaksonen@example.org",
            },
            "terms": {
                "compensation": format_money(Decimal("1500"), language),
                "has_compensation": True,
                "ipr": "The company keeps its intellectual property rights; the city may use "
                "the results of the pilot freely.",
                "data_handling": "Personal data is processed only in the EU and deleted "
                "within 30 days of the end of the pilot.",
                "insurance": "The company holds liability insurance of at least EUR 1,000,000.",
            },
            "dates": {
                "period_start": format_date(datetime.date(2027, 3, 1), language),
                "period_end": format_date(datetime.date(2027, 8, 31), language),
                "issued": format_date(datetime.date(2027, 2, 15), language),
            },
            "signatories": {
                "division_name": "Helmi Saarinen",
                "division_email": "helmi.saarinen@example.org",
                "company_name": "Maija Meikäläinen",
                "company_email": "maija.meikalainen@example.com",
            },
            "contract": {
                "template": template,
                "version": number,
                "language": language,
                "revision": 1,
            },
        },
    )
