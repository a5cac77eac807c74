"""The REST API (/api/v1/). Every list is scoped by the one visibility rule; writes go through
the same forms, services and flow activations as the pages."""

import uuid

from django.contrib.auth.decorators import login_not_required
from django.db.models import F
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from viewflow.workflow.models import Task

from cases import selectors as case_selectors
from cases.forms import ProposalForm, StaffProposalForm
from cases.models import Division, PlatformTheme
from cases.timeline import merged_timeline
from contracts import selectors as contract_selectors
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from notifications.models import Notification
from workflows import services as flow_services

from . import actions, filters, selectors
from . import serializers as s
from .exceptions import form_errors_data
from .schema import form_serializer


class LoginNotRequiredMixin:
    # The API authenticates itself (token or session) and answers 401, never a redirect to
    # the login page, so Django's LoginRequiredMiddleware leaves it alone.

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))


def _is_form_data(request) -> bool:
    return request.content_type.startswith(("multipart/", "application/x-www-form-urlencoded"))


def _input(request) -> tuple:
    """The request's input as a form's POST data and files."""
    if _is_form_data(request):
        return request.POST, request.FILES
    if not isinstance(request.data, dict):
        raise serializers.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    return actions.as_querydict(request.data), MultiValueDict()


@csrf_exempt
@login_not_required
def not_found(request, *args, **kwargs):
    return JsonResponse({"detail": _("Not found.")}, status=404)


# -- pilots ---------------------------------------------------------------------------------

ProposalInput = form_serializer(
    StaffProposalForm,
    "ProposalInput",
    extra={
        "company": serializers.IntegerField(
            required=False,
            help_text="The company's id: required from an agent; a company user may choose one "
            "of their companies (the first by default).",
        ),
        "submission_token": serializers.UUIDField(
            required=False,
            help_text="Any UUID; repeating it returns the pilot already created (200).",
        ),
    },
)


@extend_schema_view(
    list=extend_schema(summary="The pilots the user sees"),
    retrieve=extend_schema(summary="One pilot"),
)
class PilotViewSet(
    LoginNotRequiredMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.PilotSerializer
    filterset_class = filters.PilotFilter
    lookup_field = "reference"
    lookup_value_regex = "[^/]+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return (
            case_selectors.pilots_visible_to(self.request.user)
            .select_related("company", "division", "theme", "division_contact")
            .order_by("-created", "-pk")
        )

    @extend_schema(
        summary="The pilot's timeline",
        description="Staff see internal entries, tasks and recorded changes too; a company's "
        "users see what is visible to the company.",
        responses=s.TimelineItemSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def timeline(self, request, reference=None):
        pilot = self.get_object()
        internal = case_selectors.is_staff_viewer(request.user, pilot)
        items = merged_timeline(pilot, internal=internal)
        return Response(s.TimelineItemSerializer(items, many=True).data)

    @extend_schema(
        summary="Submit a proposal",
        description="As the proposal page: a company user for their company, an agent on a "
        "company's behalf. The fields are those of the proposal form.",
        request={
            "application/json": ProposalInput,
            "multipart/form-data": ProposalInput,
        },
        responses={
            201: s.PilotSerializer,
            200: OpenApiResponse(s.PilotSerializer, "A repeated submission token."),
        },
    )
    def create(self, request):
        user = request.user
        is_agent = user.has_perm("cases.act_as_agent")
        companies = case_selectors.companies_of(user)
        if not is_agent and not companies.exists():
            raise PermissionDenied(_("Only company users and innovation agents submit proposals."))
        data, _files = _input(request)
        form = (StaffProposalForm if is_agent else ProposalForm)(data)
        token = self._token(data)
        if not form.is_valid():
            return Response(form_errors_data(form), status=status.HTTP_400_BAD_REQUEST)
        if is_agent:
            company = form.cleaned_data["company"]
        else:
            chosen = data.get("company")
            company = companies.first()
            if chosen:
                company = companies.filter(pk=self._int(chosen, "company")).first()
                if company is None:
                    return Response(
                        {"company": [_("Choose one of your own companies.")]},
                        status=status.HTTP_400_BAD_REQUEST,
                    )
        pilot, created = flow_services.pilot_submit_once(
            company=company, by=user, proposal=form.proposal(), submission_token=token
        )
        pilot = get_object_or_404(self.get_queryset(), pk=pilot.pk)
        return Response(
            s.PilotSerializer(pilot, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @staticmethod
    def _int(value, field):
        try:
            return int(value)
        except (TypeError, ValueError) as error:
            raise serializers.ValidationError({field: [_("Enter a whole number.")]}) from error

    @staticmethod
    def _token(data):
        value = data.get("submission_token")
        if not value:
            return None
        try:
            return uuid.UUID(str(value))
        except ValueError as error:
            raise serializers.ValidationError(
                {"submission_token": [_("Enter a valid UUID.")]}
            ) from error


# -- tasks ----------------------------------------------------------------------------------


def _execution_serializers():
    return [
        form_serializer(
            actions.task_view_class(node).form_class,
            "Execute" + "".join(part.title() for part in node.name.split("_")),
        )
        for node in actions.human_nodes()
    ]


TaskExecution = PolymorphicProxySerializer(
    component_name="TaskExecution",
    serializers=_execution_serializers,
    resource_type_field_name=None,
)


@extend_schema_view(
    list=extend_schema(
        summary="The user's tasks",
        description="The open tasks the user holds (inbox) and those the user may take (queue).",
    ),
    retrieve=extend_schema(summary="One task"),
)
class TaskViewSet(
    LoginNotRequiredMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.TaskSerializer
    filterset_class = filters.TaskFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # the schema is being generated
            return Task.objects.none()
        tasks = selectors.my_tasks(user) if self.action == "list" else selectors.tasks_seen_by(user)
        return tasks.select_related("process__pilotprocess__pilot", "owner").order_by(
            F("due").asc(nulls_last=True), "created", "pk"
        )

    def _done(self, task):
        # The task as the action left it: the user may no longer see its pilot (a division
        # that declined a match does not), but this is the answer to their own action.
        task = (
            Task.objects.select_related("process__pilotprocess__pilot", "owner")
            .annotate(due=F("deadline__due"))
            .get(pk=task.pk)
        )
        return Response(s.TaskSerializer(task, context=self.get_serializer_context()).data)

    @extend_schema(summary="Take the task", request=None, responses=s.TaskSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def assign(self, request, pk=None):
        task = actions.task_assign(task=self.get_object(), user=request.user)
        return self._done(task)

    @extend_schema(
        summary="Put the task back in the queue", request=None, responses=s.TaskSerializer
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def unassign(self, request, pk=None):
        task = actions.task_unassign(task=self.get_object(), user=request.user)
        return self._done(task)

    @extend_schema(
        summary="Do the task",
        description="The fields are those of the node's form on the task page (one schema per "
        "node: screen, request_information, match, review_match, prepare_contract, "
        "accept_contract, sign_contract, run_pilot, evaluate_division, evaluate_company, "
        "decide_scaling). In JSON, a field left out takes the value the task page shows (e.g. "
        "the proposal being completed); form data is taken as a browser sends it. A file is "
        "sent as multipart/form-data. The node's service runs and the process moves on, as on "
        "the page.",
        request={"application/json": TaskExecution, "multipart/form-data": TaskExecution},
        responses=s.TaskSerializer,
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def execute(self, request, pk=None):
        task = self.get_object()
        data, files = _input(request)
        try:
            task = actions.task_execute(
                task=task,
                user=request.user,
                data=data,
                files=files,
                keep_unsent=not _is_form_data(request),
            )
        except actions.InvalidInput as invalid:
            return Response(form_errors_data(invalid.form), status=status.HTTP_400_BAD_REQUEST)
        return self._done(task)


# -- reference data, contracts, notifications ----------------------------------------------


class ReadOnlyViewSet(
    LoginNotRequiredMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    pass


@extend_schema_view(list=extend_schema(summary="Companies of the pilots the user sees"))
class CompanyViewSet(ReadOnlyViewSet):
    serializer_class = s.CompanySerializer

    def get_queryset(self):
        return selectors.companies_visible_to(self.request.user).order_by("name", "pk")


@extend_schema_view(list=extend_schema(summary="The city's divisions"))
class DivisionViewSet(ReadOnlyViewSet):
    serializer_class = s.DivisionSerializer
    queryset = Division.objects.order_by("name", "pk")


@extend_schema_view(list=extend_schema(summary="The platform themes"))
class ThemeViewSet(ReadOnlyViewSet):
    serializer_class = s.ThemeSerializer
    queryset = PlatformTheme.objects.order_by("name", "pk")


@extend_schema_view(list=extend_schema(summary="Contracts of the pilots the user sees"))
class ContractViewSet(ReadOnlyViewSet):
    serializer_class = s.ContractSerializer

    def get_queryset(self):
        return (
            contract_selectors.contracts_visible_to(self.request.user)
            .select_related("pilot")
            .order_by("-pk")
        )


@extend_schema_view(list=extend_schema(summary="The user's notifications"))
class NotificationViewSet(ReadOnlyViewSet):
    serializer_class = s.NotificationSerializer
    filterset_class = filters.NotificationFilter

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return notification_selectors.notifications_of(user).filter(
            pilot__in=case_selectors.pilots_visible_to(user)
        )

    @extend_schema(summary="Mark the notification read", request=None)
    @action(detail=True, methods=["post"], filterset_class=None)
    def read(self, request, pk=None):
        notification = notification_services.notification_mark_read(
            notification=self.get_object(), by=request.user
        )
        return Response(s.NotificationSerializer(notification, context={"request": request}).data)
