"""Reads of the public registry: published pilots only, and their one public representation.

`public_pilot` is the only way a pilot leaves the city: the registry's pages, its CSV and its
JSON are all made from what it returns, so a field the company marked as a trade secret (or
any field not listed here) can never appear in them. Search looks only at public text.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import translation

from cases import selectors as case_selectors
from cases.models import TRADE_SECRET_FIELDS, Evaluation, Pilot

LICENCE = {
    "name": "CC BY 4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}

# The public text that search looks at: never contact details, never a trade secret.
SEARCH_FIELDS = [
    "reference",
    "title",
    "company__name",
    "summary",
    "need",
    "solution",
    "expected_impact",
    "kpis",
]

# The languages in which the open data also names the theme, the division, the stage and the
# outcome (`theme_fi`, ...), whatever the language of the request.
LANGUAGES = ["en", "fi", "sv"]

# Results derived from a proposal field are withheld with it.
RESULT_SECRETS = {"measured_kpis": "kpis", "emission_reduction": "emission_reduction_estimate"}

EVALUATION_FIELDS = [
    "goal_achievement",
    "user_feedback",
    "technical_readiness",
    "scalability",
    "measured_kpis",
    "emission_reduction",
    "lessons_learned",
]


def published_pilots() -> QuerySet[Pilot]:
    """The pilots in the public registry: published ones only (publishing needs consent)."""
    return (
        Pilot.objects.filter(published=True, publication_consent=True)
        .select_related("company", "theme", "division", "scaling_decision")
        .prefetch_related("evaluations")
    )


def _secret(field: str) -> Q:
    """Pilots whose company marked `field` as a trade secret."""
    if connection.vendor == "postgresql":
        return Q(trade_secret_fields__contains=[field])
    # SQLite has no JSON containment: match the quoted name in the stored JSON list.
    return Q(trade_secret_fields__icontains=f'"{field}"')


def _public(field: str) -> Q:
    return ~_secret(field) if field in TRADE_SECRET_FIELDS else Q()


def search(pilots: QuerySet[Pilot], query: str) -> QuerySet[Pilot]:
    """Full-text search over the public text of the pilots (PostgreSQL), or every word as a
    substring of a public field (other databases)."""
    query = query.strip()
    if not query:
        return pilots
    if connection.vendor == "postgresql":
        return _search_postgres(pilots, query)
    for word in query.split():
        matches = Q()
        for field in SEARCH_FIELDS:
            matches |= Q(**{f"{field}__icontains": word}) & _public(field)
        pilots = pilots.filter(matches)
    return pilots


def _search_postgres(pilots: QuerySet[Pilot], query: str) -> QuerySet[Pilot]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
    from django.db.models import Case, F, TextField, Value, When

    def text(field):
        if field not in TRADE_SECRET_FIELDS:
            return F(field)
        return Case(
            When(_secret(field), then=Value("")), default=F(field), output_field=TextField()
        )

    weights = {"reference": "A", "title": "A", "company__name": "A", "summary": "B"}
    vector = SearchVector(text(SEARCH_FIELDS[0]), weight="A", config="simple")
    for field in SEARCH_FIELDS[1:]:
        vector += SearchVector(text(field), weight=weights.get(field, "C"), config="simple")
    search_query = SearchQuery(query, config="simple", search_type="websearch")
    return (
        pilots.annotate(search=vector)
        .filter(Q(search=search_query) | Q(reference__iexact=query))
        .annotate(search_rank=SearchRank(F("search"), search_query))
        .order_by("-search_rank", "-published_at", "-pk")
    )


def filter_pilots(pilots: QuerySet[Pilot], data: dict) -> QuerySet[Pilot]:
    """Apply the registry's filters (cleaned data of `registry.forms.RegistryFilterForm`)."""
    if data.get("theme"):
        pilots = pilots.filter(theme=data["theme"])
    if data.get("division"):
        pilots = pilots.filter(division=data["division"])
    if data.get("stage"):
        pilots = pilots.filter(stage=data["stage"])
    if data.get("outcome"):
        pilots = pilots.filter(outcome=data["outcome"])
    if data.get("year"):
        pilots = pilots.filter(planned_start__year=data["year"])
    return search(pilots, data.get("q") or "")


def registry_years() -> list[int]:
    """The years in which published pilots start, newest first."""
    return [d.year for d in published_pilots().dates("planned_start", "year", order="DESC")]


# -- the public representation -------------------------------------------------------------


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _date(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def public_url(pilot: Pilot, base_url: str = "") -> str:
    base = (base_url or settings.SITE_URL).rstrip("/")
    return base + reverse("registry:pilot", kwargs={"reference": pilot.reference})


def _names(prefix: str, obj) -> dict:
    """The name of a division or theme in each language (None without the object)."""
    return {
        f"{prefix}_{code}": None if obj is None else getattr(obj, f"name_{code}") or obj.name
        for code in LANGUAGES
    }


def _labels(prefix: str, label) -> dict:
    """A choice's label in each language, e.g. `stage_label_fi` (None without a value)."""
    labels = {}
    for code in LANGUAGES:
        with translation.override(code):
            labels[f"{prefix}_{code}"] = None if label is None else str(label())
    return labels


def public_pilot(pilot: Pilot, *, base_url: str = "") -> dict:
    """The public record of a published pilot; the only source of the registry's pages, CSV and
    JSON. Trade secrets are None and listed in `withheld_fields`."""
    secrets = [name for name in TRADE_SECRET_FIELDS if name in (pilot.trade_secret_fields or [])]

    def proposal(field, convert=lambda value: value):
        return None if field in secrets else convert(getattr(pilot, field))

    evaluations = []
    for evaluation in sorted(pilot.evaluations.all(), key=lambda e: e.party != "division"):
        record = {"party": evaluation.party, "party_label": str(evaluation.get_party_display())}
        for field in EVALUATION_FIELDS:
            value = getattr(evaluation, field)
            if RESULT_SECRETS.get(field) in secrets:
                value = None
            record[field] = _number(value) if isinstance(value, Decimal) else value
        record["mean_score"] = evaluation.mean_score
        evaluations.append(record)
    decision = getattr(pilot, "scaling_decision", None)
    return {
        "reference": pilot.reference,
        "url": public_url(pilot, base_url),
        "title": pilot.title,
        "company": pilot.company.name,
        "company_business_id": pilot.company.business_id,
        "theme": pilot.theme.name,
        **_names("theme", pilot.theme),
        "theme_code": pilot.theme.code,
        "division": pilot.division.name if pilot.division else None,
        **_names("division", pilot.division),
        "division_code": pilot.division.code if pilot.division else None,
        "stage": pilot.stage,
        "stage_label": str(pilot.get_stage_display()),
        **_labels("stage_label", pilot.get_stage_display),
        "outcome": pilot.outcome or None,
        "outcome_label": str(pilot.get_outcome_display()) if pilot.outcome else None,
        **_labels("outcome_label", pilot.get_outcome_display if pilot.outcome else None),
        "year": pilot.planned_start.year,
        "planned_start": _date(pilot.planned_start),
        "planned_end": _date(pilot.planned_end),
        "summary": proposal("summary"),
        "need": proposal("need"),
        "solution": proposal("solution"),
        "expected_impact": proposal("expected_impact"),
        "kpis": proposal("kpis"),
        "cost_to_city": proposal("cost_to_city", _number),
        "funding_sources": proposal("funding_sources", list),
        "emission_reduction_estimate": proposal("emission_reduction_estimate", _number),
        "results": {
            "scaling_decision": decision.decision if decision else None,
            "scaling_decision_label": str(decision.get_decision_display()) if decision else None,
            "evaluations": evaluations,
        },
        "withheld_fields": secrets,
        "published_at": pilot.published_at.isoformat() if pilot.published_at else None,
    }


# -- the CSV form of a record ----------------------------------------------------------------

CSV_SCALARS = [
    "reference",
    "url",
    "title",
    "company",
    "company_business_id",
    "theme",
    *[f"theme_{code}" for code in LANGUAGES],
    "theme_code",
    "division",
    *[f"division_{code}" for code in LANGUAGES],
    "division_code",
    "stage",
    "stage_label",
    *[f"stage_label_{code}" for code in LANGUAGES],
    "outcome",
    "outcome_label",
    *[f"outcome_label_{code}" for code in LANGUAGES],
    "year",
    "planned_start",
    "planned_end",
    "summary",
    "need",
    "solution",
    "expected_impact",
    "kpis",
    "cost_to_city",
    "funding_sources",
    "emission_reduction_estimate",
]
PARTIES = [Evaluation.Party.DIVISION.value, Evaluation.Party.COMPANY.value]
CSV_COLUMNS = [
    *CSV_SCALARS,
    "scaling_decision",
    *[f"{party}_{field}" for party in PARTIES for field in [*EVALUATION_FIELDS, "mean_score"]],
    "withheld_fields",
    "published_at",
]


def csv_row(record: dict) -> list:
    """One CSV row from a public record (never from a pilot): lists are joined with '; ',
    the evaluations spread over `<party>_<field>` columns, None is an empty cell."""
    flat = {key: record[key] for key in CSV_SCALARS}
    flat["scaling_decision"] = record["results"]["scaling_decision"]
    for evaluation in record["results"]["evaluations"]:
        for field in [*EVALUATION_FIELDS, "mean_score"]:
            flat[f"{evaluation['party']}_{field}"] = evaluation[field]
    flat["withheld_fields"] = record["withheld_fields"]
    flat["published_at"] = record["published_at"]
    row = []
    for column in CSV_COLUMNS:
        value = flat.get(column)
        if isinstance(value, list):
            value = "; ".join(value)
        row.append("" if value is None else value)
    return row


# -- who may do what -----------------------------------------------------------------------


def can_consent_publication(user, pilot: Pilot) -> bool:
    """The company's own users give (or withdraw) consent to publication."""
    return user.has_perm("cases.act_for_company", pilot.company) and (
        case_selectors.is_company_member(user, pilot.company)
    )


can_mark_trade_secrets = can_consent_publication


def can_publish(user, pilot: Pilot) -> bool:
    """Innovation agents publish and unpublish (with the company's consent)."""
    return user.is_active and user.has_perm("cases.act_as_agent")
