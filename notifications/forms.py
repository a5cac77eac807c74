"""The preferences form: the language of the mail, and how each kind of event is mailed."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Event, Mode


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        help_text=_("The language of Kokeilu's pages, your e-mail and your notifications."),
        choices=settings.LANGUAGES,
        required=True,
    )

    def __init__(self, *args, preferences: dict[str, str] | None = None, language="", **kwargs):
        super().__init__(*args, **kwargs)
        preferences = preferences or {}
        self.fields["language"].initial = language or settings.LANGUAGE_CODE
        for kind, label in Event.choices:
            self.fields[f"mode_{kind}"] = forms.ChoiceField(
                label=label,
                choices=Mode.choices,
                initial=preferences.get(kind, Mode.IMMEDIATE),
                widget=forms.Select,
            )

    def kind_fields(self):
        return [self[f"mode_{kind}"] for kind in Event.values]

    def modes(self) -> dict[str, str]:
        return {kind: self.cleaned_data[f"mode_{kind}"] for kind in Event.values}
