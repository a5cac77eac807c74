"""Forms of the public registry and of the publication actions on a pilot's page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Division, Outcome, PlatformTheme, Stage, trade_secret_choices

from . import selectors


class RegistryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=PlatformTheme.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All themes"),
    )
    division = forms.ModelChoiceField(
        label=_("Division"),
        queryset=Division.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All divisions"),
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", _("All stages")), *Stage.choices]
        self.fields["outcome"].choices = [("", _("All outcomes")), *Outcome.choices]
        self.fields["year"].choices = [("", _("All years"))] + [
            (year, str(year)) for year in selectors.registry_years()
        ]


class ConsentForm(forms.Form):
    consent = forms.TypedChoiceField(
        label=_("Publication"),
        choices=[("1", _("I consent")), ("0", _("I withdraw the consent"))],
        coerce=lambda value: value == "1",
    )


class TradeSecretsForm(forms.Form):
    trade_secret_fields = forms.MultipleChoiceField(
        label=_("Trade secrets"),
        choices=trade_secret_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Marked fields are never published in the public registry."),
    )


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class PublishForm(forms.Form):
    """Publishing takes no input: the form only carries the CSRF token."""
