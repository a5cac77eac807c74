from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Division, PlatformTheme


class DashboardFilterForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year of planned start"), required=False, min_value=2000, max_value=2100
    )
    theme = forms.ModelChoiceField(
        label=_("Platform theme"), queryset=PlatformTheme.objects.all(), required=False
    )
    division = forms.ModelChoiceField(
        label=_("Division"), queryset=Division.objects.all(), required=False
    )


class RevokeReferenceForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "The company sees the reason; the public verification page shows only that "
            "and when the reference was revoked."
        ),
    )
