"""The OpenAPI schema: every operation documents its error answers, and the bodies of task
executions and proposals are derived from the very Django forms that validate them."""

from django import forms
from drf_spectacular import openapi
from rest_framework import serializers

ERROR_CODES = {
    "400": "The input or a filter is invalid; the body names the fields.",
    "401": "Not authenticated: send `Authorization: Token <key>` or log in.",
    "403": "The user sees the object but may not do this.",
    "404": "No such object among those the user sees (or no such page).",
    "429": "Too many requests: wait as long as `Retry-After` says.",
}
WRITE_ERROR_CODES = {
    "409": "Someone else is working on the pilot right now; try again (see `Retry-After`).",
    "415": "The body must be JSON or multipart form data.",
}


class ErrorSerializer(serializers.Serializer):
    """An error: `detail` for most; for invalid input, each field's messages (and
    `non_field_errors`)."""

    detail = serializers.CharField(required=False)


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = dict(ERROR_CODES)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.update(WRITE_ERROR_CODES)
        for code, description in codes.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses


# -- Django forms as serializers, for the documentation only ---------------------------------


def _field(form_field: forms.Field) -> serializers.Field:
    common = {
        "required": form_field.required,
        "help_text": form_field.help_text or form_field.label or "",
    }
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **common)
    if isinstance(form_field, forms.ModelChoiceField):
        if form_field.to_field_name:
            return serializers.CharField(**common)
        return serializers.IntegerField(**common)
    if isinstance(form_field, forms.MultipleChoiceField):
        return serializers.MultipleChoiceField(choices=_choices(form_field), **common)
    if isinstance(form_field, forms.ChoiceField):
        return serializers.ChoiceField(choices=_choices(form_field), **common)
    if isinstance(form_field, forms.BooleanField):
        return serializers.BooleanField(**common)
    if isinstance(form_field, forms.DateField):
        return serializers.DateField(**common)
    if isinstance(form_field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=form_field.max_digits,
            decimal_places=form_field.decimal_places,
            allow_null=not form_field.required,
            **common,
        )
    if isinstance(form_field, forms.IntegerField):
        return serializers.IntegerField(**common)
    if isinstance(form_field, forms.FileField):
        return serializers.FileField(**common)
    if isinstance(form_field, forms.EmailField):
        return serializers.EmailField(allow_blank=not form_field.required, **common)
    if isinstance(form_field, forms.UUIDField):
        return serializers.UUIDField(**common)
    max_length = getattr(form_field, "max_length", None)
    return serializers.CharField(
        allow_blank=not form_field.required,
        **({"max_length": max_length} if max_length else {}),
        **common,
    )


def _choices(form_field) -> list:
    return [(value, label) for value, label in form_field.choices if value not in ("", None)]


def form_serializer(form_class: type[forms.BaseForm], name: str, extra: dict | None = None):
    """A serializer class whose fields mirror the form's (for the schema; the form validates)."""
    fields = {key: _field(field) for key, field in form_class.base_fields.items()}
    fields.update(extra or {})
    return type(name, (serializers.Serializer,), fields)
