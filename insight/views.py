"""Pages of the insight app: the dashboard and its exports, the reference certificate, its
revocation, and the public verification page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from cases.models import Reference
from cases.selectors import pilots_visible_to

from . import exports, references, services, tables
from .certificate import reference_pdf
from .forms import DashboardFilterForm, RevokeReferenceForm


def _figures(request):
    """The filter form and the figures it selects, with the time they were computed at when
    they come from a snapshot (see `services.dashboard_figures`)."""
    form = DashboardFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    figures, computed_at = services.dashboard_figures(
        request.user,
        year=filters.get("year"),
        theme=filters.get("theme"),
        division=filters.get("division"),
    )
    return form, figures, computed_at


@require_safe
def dashboard(request):
    form, figures, computed_at = _figures(request)
    all_tables = tables.build_tables(figures)
    titles = tables.node_titles()
    return render(
        request,
        "insight/dashboard.html",
        {
            "form": form,
            "figures": figures,
            "tables": list(all_tables.values()),
            "bottlenecks": [
                {"title": titles.get(node, node), **figures["lead_times"]["nodes"][node]}
                for node in figures["bottlenecks"]
            ],
            "scaled": figures["by_outcome"].get("scaled", 0),
            "closed": sum(figures["by_outcome"].values()),
            "query": request.GET.urlencode(),
            "computed_at": computed_at,
            "max_age_minutes": settings.KOKEILU_DASHBOARD_MAX_AGE // 60,
        },
    )


@require_safe
def dashboard_export(request, table, fmt):
    if table not in tables.TABLE_KEYS or fmt not in ("csv", "xlsx"):
        raise Http404
    _form, figures, _computed_at = _figures(request)
    chosen = tables.build_tables(figures)[table]
    if fmt == "csv":
        response = HttpResponse(exports.table_csv(chosen), content_type=exports.CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(exports.table_xlsx(chosen), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="kokeilu-{table}.{fmt}"'
    return response


def _pilot_reference(request, reference: str) -> Reference:
    """The reference of a pilot the user sees; 404 when the pilot is not visible or has none."""
    pilot = get_object_or_404(pilots_visible_to(request.user), reference=reference)
    stamp = references.reference_of(request.user, pilot)
    if stamp is None:
        raise Http404
    return stamp


@require_safe
def reference_certificate(request, reference):
    stamp = _pilot_reference(request, reference)
    if stamp.revoked is not None:
        raise Http404(_("The reference was revoked."))
    response = HttpResponse(reference_pdf(stamp), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="reference-{stamp.pilot.reference}.pdf"'
    )
    return response


@require_POST
def reference_revoke(request, reference):
    stamp = _pilot_reference(request, reference)
    if not references.can_revoke(request.user, stamp):
        raise PermissionDenied
    form = RevokeReferenceForm(request.POST)
    if form.is_valid():
        try:
            services.reference_revoke(
                reference=stamp, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The reference was revoked."))
    else:
        messages.error(request, _("Give the reason for revoking the reference."))
    return redirect(stamp.pilot.get_absolute_url())


@login_not_required
@require_safe
@never_cache
def verify(request, code):
    """Public: anyone holding the code sees whether the reference is valid. An unknown code is
    a plain 404 that says nothing about which codes exist."""
    stamp = Reference.objects.filter(code=code).select_related("pilot").first()
    if stamp is None:
        raise Http404
    response = render(request, "insight/verify.html", references.verification_record(stamp))
    # Reached through a certificate, not through search engines.
    response["X-Robots-Tag"] = "noindex"
    return response
