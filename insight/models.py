"""The dashboard's snapshots: the figures of a large scope, kept so that the page does not
aggregate every task of every visible pilot on each request (see `insight.services`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DashboardSnapshot(models.Model):
    """The dashboard's figures for one visibility scope, filter and language, as computed at
    `computed_at`. A cache, not a record: it is recomputed whole, never edited, and dropped
    when nobody has looked at it for a week, so it has no history."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    scope = models.JSONField(_("visibility scope"))
    filters = models.JSONField(_("filters"))
    language = models.CharField(_("language"), max_length=10)
    figures = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("computed at"))
    viewed_at = models.DateTimeField(_("last viewed at"), db_index=True)

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")

    def __str__(self):
        return f"{self.key[:12]} ({self.language}, {self.computed_at:%Y-%m-%d %H:%M})"
