"""Query filters of the API's lists."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cases.models import Outcome, Pilot, Stage

MAX_ID = 2**53


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class PilotFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", max_length=200, label=_("Reference, title or company name contains")
    )
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices)
    theme = django_filters.CharFilter(
        field_name="theme__code", max_length=40, label=_("Theme code")
    )
    division = django_filters.CharFilter(
        field_name="division__code", max_length=40, label=_("Division code")
    )
    company = IntegerFilter(field_name="company_id", min_value=1, max_value=MAX_ID)
    year = IntegerFilter(
        field_name="planned_start__year",
        min_value=1900,
        max_value=2999,
        label=_("The year in which the planned period starts"),
    )
    published = django_filters.BooleanFilter()

    class Meta:
        model = Pilot
        fields = ["q", "stage", "outcome", "theme", "division", "company", "year", "published"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(title__icontains=value)
            | Q(company__name__icontains=value)
        )


class TaskFilter(django_filters.FilterSet):
    box = django_filters.ChoiceFilter(
        choices=[("inbox", _("Assigned to me")), ("queue", _("Waiting for someone to take"))],
        method="filter_box",
        label=_("inbox: the tasks I hold; queue: the tasks I may take"),
    )
    pilot = django_filters.CharFilter(
        field_name="process__pilotprocess__pilot__reference", max_length=20
    )

    def filter_box(self, queryset, name, value):
        if value == "inbox":
            return queryset.filter(owner=self.request.user)
        return queryset.filter(owner__isnull=True)


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")
