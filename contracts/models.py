"""Standard contract templates kept by legal staff, and the contract of each pilot.

A template (`ContractTemplate`) has a kind and versions (`ContractTemplateVersion`), one series
per language, each a Word document with docxtpl placeholders: draft -> published -> retired, at
most one published version per template and language. A pilot's `Contract` records the version
it was generated from, the terms, the generated document with its SHA-256, the company's
acceptance and the division's signature.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.history import HistoricalRecords
from cases.models import Pilot
from cases.tracking import LoadedValues


def contract_path(instance, filename):
    return f"contracts/{instance.pilot_id}/{uuid.uuid4().hex}"


def template_version_path(instance, filename):
    return f"contract-templates/{instance.template_id}/{uuid.uuid4().hex}.docx"


class Language(models.TextChoices):
    FI = "fi", _("Finnish")
    SV = "sv", _("Swedish")
    EN = "en", _("English")


class ContractKind(LoadedValues, models.Model):
    """What a template is for. The defaults come with a data migration; legal staff add more."""

    class Compensation(models.TextChoices):
        ANY = "any", _("With or without compensation")
        NONE = "none", _("Only without compensation")
        REQUIRED = "required", _("Only with compensation")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    for_pilot_contract = models.BooleanField(
        _("used as a pilot's contract"),
        default=False,
        help_text=_(
            "Templates of this kind are offered when legal staff prepare the contract of a pilot."
        ),
    )
    compensation = models.CharField(
        _("compensation"),
        max_length=10,
        choices=Compensation.choices,
        default=Compensation.ANY,
        help_text=_("Whether a contract of this kind may or must pay the company."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract kind")
        verbose_name_plural = _("contract kinds")
        ordering = ["-for_pilot_contract", "name"]

    def __str__(self):
        return self.name


class ContractTemplate(LoadedValues, models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.ForeignKey(
        ContractKind, on_delete=models.PROTECT, related_name="templates", verbose_name=_("kind")
    )
    description = models.TextField(_("description"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract template")
        verbose_name_plural = _("contract templates")
        ordering = ["kind__name", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("contracts:template_detail", args=[self.pk])


class ContractTemplateVersion(LoadedValues, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    template = models.ForeignKey(
        ContractTemplate,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("template"),
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("Word document"), upload_to=template_version_path)
    original_name = models.CharField(_("uploaded file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    is_example = models.BooleanField(
        _("example for legal review"),
        default=False,
        help_text=_("An example installed with Kokeilu: legal services review it before use."),
    )
    notes = models.TextField(_("what changed"), blank=True)
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    published = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    retired = models.DateTimeField(_("retired"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("retired by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract template version")
        verbose_name_plural = _("contract template versions")
        ordering = ["template__name", "language", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "language", "number"], name="template_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["template", "language"],
                condition=Q(status="published"),
                name="template_one_published_version_per_language",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published__isnull=False) | Q(retired__isnull=False),
                name="template_version_status_dated",
            ),
        ]

    def __str__(self):
        return f"{self.template.name} ({self.language}) v{self.number}"

    @property
    def label(self) -> str:
        """The version as legal staff pick it: name, language and number."""
        return gettext("%(template)s · %(language)s · version %(number)s") % {
            "template": self.template.name,
            "language": self.get_language_display(),
            "number": self.number,
        }


class Contract(LoadedValues, models.Model):
    pilot = models.OneToOneField(
        Pilot, on_delete=models.CASCADE, related_name="contract", verbose_name=_("pilot")
    )
    template_version = models.ForeignKey(
        ContractTemplateVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("template version"),
        help_text=_("The standard template version the document was generated from."),
    )
    period_start = models.DateField(_("contract period starts"))
    period_end = models.DateField(_("contract period ends"))
    compensation = models.DecimalField(
        _("compensation to the company (EUR)"), max_digits=12, decimal_places=2, default=0
    )
    ipr_terms = models.TextField(_("intellectual property rights"))
    data_handling = models.TextField(_("data handling"))
    insurance = models.TextField(_("insurance"), blank=True)
    division_signatory = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("division's signatory"),
    )
    revision = models.PositiveIntegerField(
        _("document revision"),
        default=0,
        help_text=_("How many times the document has been generated for this pilot."),
    )
    document = models.FileField(_("contract document"), upload_to=contract_path)
    document_name = models.CharField(_("document file name"), max_length=255)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64)
    document_pdf = models.FileField(
        _("contract document as PDF"), upload_to=contract_path, blank=True
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued = models.DateTimeField(_("issued"), null=True, blank=True)
    change_request = models.TextField(_("changes asked by the company"), blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_sha256 = models.CharField(
        _("SHA-256 of the accepted document"), max_length=64, blank=True
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signed = models.DateTimeField(_("signed"), null=True, blank=True)
    signed_sha256 = models.CharField(_("SHA-256 of the signed document"), max_length=64, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="contract_period_ordered",
            )
        ]

    def __str__(self):
        return f"{self.pilot.reference} contract"
