"""Errors of the API as JSON: the services' validation errors are 400, a busy pilot is 409."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from viewflow.workflow.exceptions import FlowLockFailed

NON_FIELD = "non_field_errors"


def validation_error_data(error: ValidationError) -> dict:
    """A Django ValidationError (from a form or a service) as DRF shapes its own."""
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): [str(m) for m in ValidationError(errors)]
            for field, errors in error.error_dict.items()
        }
    return {NON_FIELD: [str(message) for message in error.messages]}


def form_errors_data(form) -> dict:
    return {
        (NON_FIELD if field == "__all__" else field): [str(message) for message in messages]
        for field, messages in form.errors.items()
    }


def exception_handler(exc, context):
    if isinstance(exc, ValidationError):
        return Response(validation_error_data(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, FlowLockFailed):
        response = Response(
            {"detail": _("Someone else is working on this pilot right now. Try again soon.")},
            status=status.HTTP_409_CONFLICT,
        )
        response["Retry-After"] = "5"
        return response
    return drf_exception_handler(exc, context)
