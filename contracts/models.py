"""The contract of a pilot: its terms, its document, the company's acceptance and the signature."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Pilot


def contract_path(instance, filename):
    return f"contracts/{instance.pilot_id}/{uuid.uuid4().hex}"


class Contract(models.Model):
    pilot = models.OneToOneField(
        Pilot, on_delete=models.CASCADE, related_name="contract", verbose_name=_("pilot")
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
    document = models.FileField(_("contract document"), upload_to=contract_path)
    document_name = models.CharField(_("document file name"), max_length=255)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64)
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
