"""The pilot case domain: divisions, themes, companies, pilots and what a pilot gathers."""

import secrets
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cases.history import HistoricalRecords

from .tracking import LoadedValues
from .validators import validate_business_id


class Division(LoadedValues, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField(
        "PlatformTheme", verbose_name=_("themes"), related_name="divisions", blank=True
    )

    # The name and description in each language (cases/translation.py) are reference data
    # kept by administrators; the history records the rest.
    history = HistoricalRecords(
        excluded_fields=[
            f"{field}_{code}" for field in ("name", "description") for code in ("en", "fi", "sv")
        ]
    )

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["name"]
        permissions = [
            ("act_for_division", _("Act on the pilots of the division")),
            ("sign_for_division", _("Sign pilot contracts for the division")),
        ]

    def __str__(self):
        return self.name


class PlatformTheme(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("platform theme")
        verbose_name_plural = _("platform themes")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Company(LoadedValues, models.Model):
    name = models.CharField(_("name"), max_length=200)
    business_id = models.CharField(
        _("business ID (Y-tunnus)"),
        max_length=9,
        unique=True,
        validators=[validate_business_id],
        help_text=_("Finnish business ID in the form 1234567-8."),
    )
    website = models.URLField(_("website"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]
        permissions = [("act_for_company", _("Act on the pilots of the company"))]

    def __str__(self):
        return f"{self.name} ({self.business_id})"


class CompanyMembership(LoadedValues, models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        ENDED = "ended", _("Ended")

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("company")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="company_memberships",
        verbose_name=_("user"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("company membership")
        verbose_name_plural = _("company memberships")
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="membership_unique_user")
        ]

    def __str__(self):
        return f"{self.user} @ {self.company.name} ({self.get_status_display()})"


class Stage(models.TextChoices):
    INTAKE = "intake", _("Intake")
    MATCHING = "matching", _("Matching")
    CONTRACTING = "contracting", _("Contracting")
    EXECUTION = "execution", _("Execution")
    EVALUATION = "evaluation", _("Evaluation")
    SCALING = "scaling", _("Scaling decision")
    CLOSED = "closed", _("Closed")


STAGE_ORDER = [choice.value for choice in Stage]


class Outcome(models.TextChoices):
    SCALED = "scaled", _("Scaled")
    CONTINUED = "continued", _("Continued")
    ENDED = "ended", _("Ended")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CANCELLED = "cancelled", _("Cancelled")


class FundingSource(models.TextChoices):
    ERDF = "erdf", _("European Regional Development Fund (ERDF)")
    HORIZON = "horizon", _("Horizon Europe or Horizon 2020")
    NATIONAL = "national", _("National funding")
    INNOVATION_FUND = "innovation_fund", _("The city's innovation fund")
    DIVISION_BUDGET = "division_budget", _("The division's own budget")
    COMPANY = "company", _("The company's own funding")


class ReferenceSequence(models.Model):
    """The last pilot number used in a year; incremented under a row lock."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference sequence")

    def __str__(self):
        return f"{self.year}: {self.last}"


# Proposal fields that a company may mark as trade secrets: they never reach the public registry,
# its search or its open data. The title, the company, theme, division, stage, planned period and
# outcome are public once a pilot is published; contact details are never published.
TRADE_SECRET_FIELDS = [
    "summary",
    "need",
    "solution",
    "cost_to_city",
    "funding_sources",
    "funding_amounts",
    "expected_impact",
    "kpis",
    "emission_reduction_estimate",
]


def validate_funding_amounts(value) -> None:
    """Funding by source: {"erdf": "12000.00", ...}, amounts in euros, none negative."""
    sources = set(FundingSource.values)
    if not isinstance(value, dict) or any(key not in sources for key in value):
        raise ValidationError(
            _("Funding amounts must be given per funding source: %(sources)s."),
            params={"sources": ", ".join(FundingSource.values)},
            code="invalid_funding_source",
        )
    for amount in value.values():
        try:
            number = Decimal(str(amount))
        except (InvalidOperation, ValueError):
            number = None
        if number is None or not number.is_finite() or number < 0:
            raise ValidationError(
                _("A funding amount must be a number of euros, zero or more."),
                code="invalid_funding_amount",
            )


def trade_secret_choices() -> list[tuple[str, str]]:
    return [
        (name, capfirst(Pilot._meta.get_field(name).verbose_name)) for name in TRADE_SECRET_FIELDS
    ]


def validate_trade_secret_fields(value) -> None:
    if not isinstance(value, list) or any(name not in TRADE_SECRET_FIELDS for name in value):
        raise ValidationError(
            _("Only these fields can be marked as trade secrets: %(fields)s."),
            params={"fields": ", ".join(TRADE_SECRET_FIELDS)},
            code="invalid_trade_secret_fields",
        )


class Pilot(LoadedValues, models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="pilots", verbose_name=_("company")
    )
    division = models.ForeignKey(
        Division,
        on_delete=models.PROTECT,
        related_name="pilots",
        null=True,
        blank=True,
        verbose_name=_("division"),
    )
    theme = models.ForeignKey(
        PlatformTheme,
        on_delete=models.PROTECT,
        related_name="pilots",
        verbose_name=_("platform theme"),
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE, db_index=True
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)

    # The proposal
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    need = models.TextField(_("the need it meets"))
    solution = models.TextField(_("the solution"))
    site_wish = models.CharField(_("site wished for"), max_length=300, blank=True)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    cost_to_city = models.DecimalField(
        _("cost to the city (EUR)"), max_digits=12, decimal_places=2, default=0
    )
    funding_sources = models.JSONField(_("funding sources"), default=list, blank=True)
    funding_amounts = models.JSONField(
        _("funding by source (EUR)"),
        default=dict,
        blank=True,
        validators=[validate_funding_amounts],
        help_text=_("The euros each funding source brings to the pilot."),
    )
    expected_impact = models.TextField(_("expected impact"))
    kpis = models.TextField(_("key performance indicators"), blank=True)
    emission_reduction_estimate = models.DecimalField(
        _("estimated emission reduction (t CO2e a year)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)

    # Set along the way
    division_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("division's contact person"),
    )
    site = models.CharField(_("site"), max_length=300, blank=True)
    screening_message = models.TextField(_("message from screening"), blank=True)
    closure_reason = models.TextField(_("reason for closing"), blank=True)
    contracting_started = models.DateTimeField(_("contracting started"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submission_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)
    closed = models.DateTimeField(_("closed"), null=True, blank=True)

    # The public registry: the company consents, an agent publishes.
    publication_consent = models.BooleanField(_("consent to publication"), default=False)
    publication_consented_at = models.DateTimeField(
        _("consent to publication given"), null=True, blank=True
    )
    publication_consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent to publication given by"),
    )
    published = models.BooleanField(_("published in the registry"), default=False, db_index=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    trade_secret_fields = models.JSONField(
        _("trade secrets"),
        default=list,
        blank=True,
        validators=[validate_trade_secret_fields],
        help_text=_("Fields of the proposal that are never published."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        ordering = ["-created"]
        permissions = [
            ("view_all_pilots", _("Read every pilot")),
            ("act_as_agent", _("Work on pilots as an innovation agent")),
            ("view_contracting_pilots", _("Read pilots in or past contracting")),
            ("act_as_legal", _("Prepare pilot contracts as legal staff")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")),
                name="pilot_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(stage="closed", outcome__gt="") | (~Q(stage="closed") & Q(outcome="")),
                name="pilot_outcome_only_when_closed",
            ),
            models.CheckConstraint(
                condition=Q(published=False) | Q(publication_consent=True),
                name="pilot_published_needs_consent",
            ),
        ]
        indexes = [
            models.Index(fields=["division", "stage"]),
            models.Index(fields=["company"]),
            # The public registry's order, newest first, over the published pilots only.
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(published=True, publication_consent=True),
                name="pilot_registry_order",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("cases:pilot_detail", kwargs={"reference": self.reference})

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED

    @property
    def stage_index(self) -> int:
        return STAGE_ORDER.index(self.stage)

    def get_funding_sources_display(self) -> list[str]:
        labels = dict(FundingSource.choices)
        return [str(labels.get(code, code)) for code in self.funding_sources]

    def get_funding_amounts_display(self) -> list[tuple[str, Decimal]]:
        labels = dict(FundingSource.choices)
        return [
            (str(labels.get(code, code)), Decimal(str(amount)))
            for code, amount in (self.funding_amounts or {}).items()
        ]


class TimelineEntry(LoadedValues, models.Model):
    class Kind(models.TextChoices):
        EVENT = "event", _("Event")
        NOTE = "note", _("Note")
        MILESTONE = "milestone", _("Milestone")
        MESSAGE = "message", _("Message to the company")

    pilot = models.ForeignKey(
        Pilot, on_delete=models.CASCADE, related_name="timeline", verbose_name=_("pilot")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.EVENT)
    text = models.TextField(_("text"))
    visible_to_company = models.BooleanField(_("visible to the company"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["created", "pk"]

    def __str__(self):
        return f"{self.pilot.reference}: {self.text[:60]}"


class ProgressReport(LoadedValues, models.Model):
    pilot = models.ForeignKey(
        Pilot, on_delete=models.CASCADE, related_name="progress_reports", verbose_name=_("pilot")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    period_end = models.DateField(_("reporting date"))
    progress = models.TextField(_("progress"))
    kpi_values = models.TextField(_("KPI values so far"), blank=True)
    issues = models.TextField(_("issues and risks"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-period_end", "-pk"]

    def __str__(self):
        return f"{self.pilot.reference} {self.period_end}"


SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


class Evaluation(LoadedValues, models.Model):
    """The city's common evaluation model, filled once by the division and once by the company."""

    class Party(models.TextChoices):
        DIVISION = "division", _("Division")
        COMPANY = "company", _("Company")

    pilot = models.ForeignKey(
        Pilot, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("pilot")
    )
    party = models.CharField(_("evaluated by"), max_length=20, choices=Party.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    goal_achievement = models.PositiveSmallIntegerField(
        _("goal achievement (1-5)"), choices=SCORE_CHOICES
    )
    user_feedback = models.PositiveSmallIntegerField(
        _("user feedback (1-5)"), choices=SCORE_CHOICES
    )
    technical_readiness = models.PositiveSmallIntegerField(
        _("technical readiness (1-5)"), choices=SCORE_CHOICES
    )
    scalability = models.PositiveSmallIntegerField(_("scalability (1-5)"), choices=SCORE_CHOICES)
    user_feedback_summary = models.TextField(_("what the users said"), blank=True)
    measured_kpis = models.TextField(_("measured KPIs"))
    emission_reduction = models.DecimalField(
        _("measured emission reduction (t CO2e a year)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    lessons_learned = models.TextField(_("lessons learned"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["pilot", "party"], name="evaluation_one_per_party"),
            models.CheckConstraint(
                condition=Q(goal_achievement__range=(1, 5))
                & Q(user_feedback__range=(1, 5))
                & Q(technical_readiness__range=(1, 5))
                & Q(scalability__range=(1, 5)),
                name="evaluation_scores_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.pilot.reference} ({self.get_party_display()})"

    @property
    def mean_score(self):
        scores = [
            self.goal_achievement,
            self.user_feedback,
            self.technical_readiness,
            self.scalability,
        ]
        return sum(scores) / len(scores)


class ScalingDecision(LoadedValues, models.Model):
    class Decision(models.TextChoices):
        SCALE_CITY = "scale_city", _("Scale up in the city")
        SCALE_CITIES = "scale_cities", _("Scale to other cities")
        PROCURE = "procure", _("Procure the solution")
        CONTINUE = "continue", _("Continue piloting")
        END = "end", _("End")

    pilot = models.OneToOneField(
        Pilot, on_delete=models.CASCADE, related_name="scaling_decision", verbose_name=_("pilot")
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    rationale = models.TextField(_("rationale"))
    grant_reference = models.BooleanField(
        _("the company gets the reference"),
        default=False,
        help_text=_("The reference (the Helsinki stamp) includes the division's evaluation."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scaling decision")
        verbose_name_plural = _("scaling decisions")

    def __str__(self):
        return f"{self.pilot.reference}: {self.get_decision_display()}"

    @property
    def outcome(self) -> str:
        if self.decision == self.Decision.CONTINUE:
            return Outcome.CONTINUED
        if self.decision == self.Decision.END:
            return Outcome.ENDED
        return Outcome.SCALED


def attachment_path(instance, filename):
    # Server-generated path: the user's file name is kept only as metadata.
    return f"attachments/{instance.pilot_id}/{uuid.uuid4().hex}"


class Attachment(LoadedValues, models.Model):
    pilot = models.ForeignKey(
        Pilot, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("pilot")
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    visible_to_company = models.BooleanField(_("visible to the company"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created", "pk"]

    def __str__(self):
        return self.original_name


def reference_code() -> str:
    """An unguessable verification code: 24 random bytes, URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


class Reference(LoadedValues, models.Model):
    """The reference (the Helsinki stamp) a company gets for a completed pilot; anyone verifies it
    at /verify/<code>/, which shows the pilot's public record and the division's evaluation."""

    pilot = models.OneToOneField(
        Pilot, on_delete=models.PROTECT, related_name="stamp", verbose_name=_("pilot")
    )
    code = models.CharField(
        _("verification code"), max_length=64, unique=True, default=reference_code, editable=False
    )
    issued = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.TextField(_("reason for revoking"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reference")
        verbose_name_plural = _("references")
        ordering = ["-issued"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked__isnull=True, revocation_reason="")
                | (Q(revoked__isnull=False) & ~Q(revocation_reason="")),
                name="reference_revoked_with_reason",
            ),
        ]

    def __str__(self):
        return f"{self.pilot.reference} ({self.code[:6]}…)"

    def get_absolute_url(self):
        return reverse("verify", kwargs={"code": self.code})

    @property
    def is_valid(self) -> bool:
        return self.revoked is None
