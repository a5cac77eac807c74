"""What the API shows. Reads only: writes go through the forms and services (api/views.py)."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from viewflow.workflow.models import Task

from cases.models import (
    Company,
    Division,
    FundingSource,
    Outcome,
    Pilot,
    PlatformTheme,
    Stage,
    trade_secret_choices,
)
from contracts.models import Contract
from notifications import messages
from notifications.models import Notification


class CompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "name", "business_id", "website"]


class DivisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["id", "code", "name", "description"]


class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlatformTheme
        fields = ["id", "code", "name", "description"]


class BriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class BriefCompanySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    business_id = serializers.CharField()


class PilotSerializer(serializers.ModelSerializer):
    company = BriefCompanySerializer()
    division = BriefSerializer(allow_null=True)
    theme = BriefSerializer()
    stage = serializers.ChoiceField(choices=Stage.choices)
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, allow_blank=True, help_text="Empty while the pilot is open."
    )
    funding_sources = serializers.ListField(
        child=serializers.ChoiceField(choices=FundingSource.choices)
    )
    trade_secret_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=trade_secret_choices())
    )
    page = serializers.SerializerMethodField(help_text="The pilot's page for people.")
    division_contact = serializers.SerializerMethodField()

    class Meta:
        model = Pilot
        fields = [
            "id",
            "reference",
            "page",
            "title",
            "company",
            "division",
            "theme",
            "stage",
            "outcome",
            "summary",
            "need",
            "solution",
            "site_wish",
            "site",
            "planned_start",
            "planned_end",
            "cost_to_city",
            "funding_sources",
            "expected_impact",
            "kpis",
            "emission_reduction_estimate",
            "contact_name",
            "contact_email",
            "contact_phone",
            "division_contact",
            "screening_message",
            "closure_reason",
            "contracting_started",
            "created",
            "modified",
            "closed",
            "publication_consent",
            "published",
            "published_at",
            "trade_secret_fields",
        ]
        read_only_fields = fields

    def get_page(self, pilot) -> str:
        return pilot.get_absolute_url()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_division_contact(self, pilot) -> str | None:
        user = pilot.division_contact
        if user is None:
            return None
        return user.get_full_name() or user.get_username()


class TimelineItemSerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    who = serializers.CharField()
    text = serializers.CharField()
    source = serializers.ChoiceField(
        choices=["entry", "task", "history"],
        help_text="A timeline entry, a task done, or a recorded change (the last two for staff).",
    )
    kind = serializers.CharField(allow_blank=True)
    visible_to_company = serializers.BooleanField()


class TaskSerializer(serializers.ModelSerializer):
    node = serializers.SerializerMethodField(help_text="The node of PilotFlow, e.g. screen.")
    title = serializers.SerializerMethodField()
    pilot = serializers.SerializerMethodField(help_text="The pilot's reference.")
    owner = serializers.CharField(
        source="owner.username",
        allow_null=True,
        read_only=True,
        help_text="The username of whoever holds it.",
    )
    due = serializers.DateField(allow_null=True, read_only=True)
    overdue = serializers.SerializerMethodField()
    can_assign = serializers.SerializerMethodField()
    can_unassign = serializers.SerializerMethodField()
    can_execute = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "node",
            "title",
            "status",
            "pilot",
            "owner",
            "created",
            "due",
            "overdue",
            "can_assign",
            "can_unassign",
            "can_execute",
        ]
        read_only_fields = fields

    def _user(self):
        return self.context["request"].user

    def get_node(self, task) -> str:
        return task.flow_task.name

    def get_title(self, task) -> str:
        return str(task.title)

    def get_pilot(self, task) -> str:
        return task.process.pilotprocess.pilot.reference

    def get_overdue(self, task) -> bool:
        due = getattr(task, "due", None)
        return bool(due and task.finished is None and due < timezone.localdate())

    def _open(self, task) -> bool:
        return task.status in ("NEW", "ASSIGNED", "STARTED")

    def get_can_assign(self, task) -> bool:
        return (
            task.status == "NEW"
            and self._open(task)
            and task.flow_task.can_assign(self._user(), task)
        )

    def get_can_unassign(self, task) -> bool:
        return task.status == "ASSIGNED" and task.flow_task.can_unassign(self._user(), task)

    def get_can_execute(self, task) -> bool:
        return task.status == "ASSIGNED" and task.flow_task.can_execute(self._user(), task)


class ContractSerializer(serializers.ModelSerializer):
    pilot = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    document = serializers.SerializerMethodField(help_text="Where the document is downloaded.")

    class Meta:
        model = Contract
        fields = [
            "id",
            "pilot",
            "period_start",
            "period_end",
            "compensation",
            "document_name",
            "document_sha256",
            "document",
            "issued",
            "accepted",
            "accepted_sha256",
            "signed",
            "signed_sha256",
        ]
        read_only_fields = fields

    def get_document(self, contract) -> str:
        return reverse("cases:contract_download", kwargs={"reference": contract.pilot.reference})


class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField(help_text="In the user's language.")
    pilot = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    target = serializers.SerializerMethodField(help_text="The page the notice points to.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "pilot", "task", "target", "created", "read_at"]
        read_only_fields = fields

    def get_title(self, notification) -> str:
        return str(messages.title(notification))

    def get_target(self, notification) -> str:
        return messages.target_path(notification)
