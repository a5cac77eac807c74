"""Forms of the contract template pages (legal staff)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ContractKind, ContractTemplate, Language


class KindForm(forms.ModelForm):
    class Meta:
        model = ContractKind
        fields = ["name", "description", "for_pilot_contract", "compensation"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class TemplateForm(forms.ModelForm):
    class Meta:
        model = ContractTemplate
        fields = ["name", "kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class VersionUploadForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    file = forms.FileField(
        label=_("Word document (.docx)"),
        help_text=_("Written in Word, with the placeholders listed below."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".docx,application/vnd.openxmlformats-officedocument."
                "wordprocessingml.document"
            }
        ),
    )
    notes = forms.CharField(
        label=_("What changed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("For the audit history: what this version changes and why."),
    )
