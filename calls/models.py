"""Innovation challenges and open pilot calls: the call, its criteria, the companies'
applications, the reviewers' assignments and scores, and the call's process."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from cases.history import HistoricalRecords
from cases.models import Company, Division, Pilot, PlatformTheme
from cases.tracking import LoadedValues


class Call(LoadedValues, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        PUBLISHED = "published", _("Published")
        DECIDED = "decided", _("Selection decided")
        CLOSED_EMPTY = "closed_empty", _("Closed without applications")

    title = models.CharField(_("title"), max_length=200)
    challenge = models.TextField(_("the challenge"), help_text=_("The city's need."))
    theme = models.ForeignKey(
        PlatformTheme, on_delete=models.PROTECT, related_name="calls", verbose_name=_("theme")
    )
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="calls", verbose_name=_("division")
    )
    total_budget = models.DecimalField(_("total budget (EUR)"), max_digits=12, decimal_places=2)
    cap_per_pilot = models.DecimalField(_("cap per pilot (EUR)"), max_digits=12, decimal_places=2)
    pilots_to_choose = models.PositiveSmallIntegerField(_("pilots to be chosen"))
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes (deadline)"))
    info_event = models.CharField(_("info event"), max_length=300, blank=True)
    info_event_at = models.DateTimeField(_("info event time"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-closes_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="call_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(cap_per_pilot__gt=0) & Q(cap_per_pilot__lte=F("total_budget")),
                name="call_cap_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(pilots_to_choose__gte=1), name="call_chooses_at_least_one"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("calls:detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status != self.Status.DRAFT

    def is_open(self, at=None) -> bool:
        """Open for applications: published, and the deadline (inclusive) not passed."""
        at = at or timezone.now()
        return self.is_published and self.opens_at <= at <= self.closes_at

    def has_closed(self, at=None) -> bool:
        return (at or timezone.now()) > self.closes_at


class Criterion(LoadedValues, models.Model):
    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call")
    )
    name = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=1), name="criterion_weight_positive")
        ]

    def __str__(self):
        return f"{self.name} ({self.weight})"


class Application(LoadedValues, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        PROPOSED = "proposed", _("Proposed for selection")
        SELECTED = "selected", _("Selected")
        NOT_SELECTED = "not_selected", _("Not selected")

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call")
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="call_applications",
        verbose_name=_("company"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # The content, which becomes the pilot's proposal when the application is selected.
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    need = models.TextField(_("how it meets the challenge"))
    solution = models.TextField(_("the solution"))
    site_wish = models.CharField(_("site wished for"), max_length=300, blank=True)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    cost_to_city = models.DecimalField(
        _("cost to the city (EUR)"), max_digits=12, decimal_places=2, default=0
    )
    expected_impact = models.TextField(_("expected impact"))
    kpis = models.TextField(_("key performance indicators"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)

    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    pilot = models.OneToOneField(
        Pilot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="call_application",
        verbose_name=_("pilot"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["call", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "company"], name="application_one_per_company_per_call"
            ),
            models.CheckConstraint(
                condition=Q(planned_end__gte=F("planned_start")),
                name="application_period_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.company}: {self.title}"

    @property
    def is_submitted(self) -> bool:
        return self.status != self.Status.DRAFT


class ReviewAssignment(LoadedValues, models.Model):
    """One reviewer on one application: the conflict declaration first, then the scores."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the conflict declaration")
        SCORING = "scoring", _("No conflict; scoring")
        CONFLICT = "conflict", _("Conflict of interest declared")
        SUBMITTED = "submitted", _("Scores submitted")

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("application"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="call_reviews",
        verbose_name=_("reviewer"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    conflict_note = models.TextField(_("conflict of interest"), blank=True)
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["application", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="assignment_one_per_reviewer"
            )
        ]

    def __str__(self):
        return f"{self.reviewer} · {self.application}"


class Score(LoadedValues, models.Model):
    assignment = models.ForeignKey(
        ReviewAssignment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("criterion")
    )
    value = models.PositiveSmallIntegerField(_("score (0-5)"))
    comment = models.TextField(_("comment"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "criterion"], name="score_one_per_criterion"
            ),
            models.CheckConstraint(condition=Q(value__lte=5), name="score_at_most_five"),
        ]

    def __str__(self):
        return f"{self.criterion.name}: {self.value}"


class ApplicationNotice(LoadedValues, models.Model):
    """What the applicant company is told: shown on its application's page and in its portal."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Application received")
        SELECTED = "selected", _("Selected for a pilot")
        NOT_SELECTED = "not_selected", _("Not selected")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="notices", verbose_name=_("application")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("text"))
    feedback = models.JSONField(_("reviewers' feedback"), default=list, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("application notice")
        verbose_name_plural = _("application notices")
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="notice_once_per_kind")
        ]

    def __str__(self):
        return f"{self.application}: {self.get_kind_display()}"


class CallProcess(Process):
    call = models.OneToOneField(
        Call, on_delete=models.PROTECT, related_name="process", verbose_name=_("call")
    )
    selection_approved = models.BooleanField(_("selection approved"), null=True, blank=True)
    approval_comment = models.TextField(_("comment on the selection"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("call process")
        verbose_name_plural = _("call processes")
        permissions = [("review_applications", _("Review call applications as an expert"))]

    def __str__(self):
        return str(self.call)
