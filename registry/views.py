"""The public pilot registry (no login), its open data, and the publication actions."""

import csv
import json
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import selectors as case_selectors
from workflows.views import apply_errors

from . import forms, selectors, services

PAGE_SIZE = 20
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "pilot.schema.json"
LICENCE_LINK = f'<{selectors.LICENCE["url"]}>; rel="license"'


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _filtered(request):
    """The published pilots that match the query string, and the filter form."""
    form = forms.RegistryFilterForm(request.GET or None)
    pilots = selectors.published_pilots()
    if form.is_bound:
        form.is_valid()  # the valid filters apply; the form shows the others' errors
        pilots = selectors.filter_pilots(pilots, form.cleaned_data)
    if not (form.is_bound and form.cleaned_data.get("q")):
        pilots = pilots.order_by("-published_at", "-pk")
    return form, pilots


def _open_data_links(request) -> dict:
    return {
        "csv_url": reverse("registry:pilots_csv"),
        "json_url": reverse("registry:pilots_json"),
        "schema_url": reverse("registry:schema"),
        "licence": selectors.LICENCE,
    }


@login_not_required
@require_GET
def registry_list(request):
    form, pilots = _filtered(request)
    page = Paginator(pilots, PAGE_SIZE).get_page(request.GET.get("page"))
    base_url = _base_url(request)
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        "registry/registry_list.html",
        {
            "form": form,
            "page": page,
            "records": [selectors.public_pilot(pilot, base_url=base_url) for pilot in page],
            "query": query.urlencode(),
            **_open_data_links(request),
        },
    )
    response["Link"] = LICENCE_LINK
    return response


@login_not_required
@require_GET
def registry_pilot(request, reference):
    pilot = get_object_or_404(selectors.published_pilots(), reference=reference)
    response = render(
        request,
        "registry/registry_pilot.html",
        {
            "record": selectors.public_pilot(pilot, base_url=_base_url(request)),
            **_open_data_links(request),
        },
    )
    response["Link"] = LICENCE_LINK
    return response


def _data_filters(request):
    """The published pilots for the open data, narrowed by optional filters; a bad filter is
    an error here, since a machine reads the answer."""
    form = forms.RegistryFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return None, JsonResponse({"errors": form.errors}, status=400)
    pilots = selectors.published_pilots()
    if form.is_bound:
        pilots = selectors.filter_pilots(pilots, form.cleaned_data)
    return pilots.order_by("reference"), None


@login_not_required
@require_GET
def pilots_json(request):
    pilots, error = _data_filters(request)
    if error:
        return error
    base_url = _base_url(request)
    records = [selectors.public_pilot(pilot, base_url=base_url) for pilot in pilots]
    document = {
        "title": _("Kokeilu: the public pilot registry"),
        "licence": selectors.LICENCE,
        "attribution": _("The city's pilot registry (Kokeilu)"),
        "schema": base_url + reverse("registry:schema"),
        "generated": timezone.now().isoformat(),
        "count": len(records),
        "pilots": records,
    }
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Link"] = LICENCE_LINK
    return response


@login_not_required
@require_GET
def pilots_csv(request):
    pilots, error = _data_filters(request)
    if error:
        return error
    base_url = _base_url(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kokeilu-pilots.csv"'
    response["Link"] = LICENCE_LINK
    response.write("\ufeff")  # a BOM, so that spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow(selectors.CSV_COLUMNS)
    for pilot in pilots:
        writer.writerow(selectors.csv_row(selectors.public_pilot(pilot, base_url=base_url)))
    return response


@login_not_required
@require_GET
def schema(request):
    response = FileResponse(SCHEMA_PATH.open("rb"), content_type="application/schema+json")
    response["Link"] = LICENCE_LINK
    return response


def schema_document() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# -- actions on a pilot's page (logged in) --------------------------------------------------


def _action(request, reference, form_class, action, success_message):
    """Run one publication action on a pilot the user sees (404 otherwise; 403 when the user
    may not act)."""
    pilot = get_object_or_404(case_selectors.pilots_visible_to(request.user), reference=reference)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(pilot, form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, success_message)
            return redirect(pilot.get_absolute_url())
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(pilot.get_absolute_url())


@require_POST
def pilot_consent(request, reference):
    def action(pilot, data):
        services.pilot_consent_publication(pilot=pilot, by=request.user, consent=data["consent"])

    return _action(
        request, reference, forms.ConsentForm, action, _("The publication consent was saved.")
    )


@require_POST
def pilot_trade_secrets(request, reference):
    def action(pilot, data):
        services.pilot_mark_trade_secrets(
            pilot=pilot, by=request.user, fields=data["trade_secret_fields"]
        )

    return _action(
        request, reference, forms.TradeSecretsForm, action, _("The trade secrets were saved.")
    )


@require_POST
def pilot_publish(request, reference):
    return _action(
        request,
        reference,
        forms.PublishForm,
        lambda pilot, data: services.pilot_publish(pilot=pilot, by=request.user),
        _("The pilot was published in the public registry."),
    )


@require_POST
def pilot_unpublish(request, reference):
    return _action(
        request,
        reference,
        forms.UnpublishForm,
        lambda pilot, data: services.pilot_unpublish(
            pilot=pilot, by=request.user, reason=data["reason"]
        ),
        _("The pilot was taken out of the public registry."),
    )
