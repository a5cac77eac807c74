"""Forms of the task views of PilotFlow."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import get_users_with_perms

from cases.forms import DATE_INPUT, ProposalForm
from cases.models import Division, Evaluation, PlatformTheme, ScalingDecision
from contracts import selectors as contract_selectors

from .models import ScreeningDecision

User = get_user_model()


def _staff_of(division, perm: str):
    users = get_users_with_perms(
        division, only_with_perms_in=[perm], with_superusers=False, with_group_users=True
    )
    return User.objects.filter(pk__in=users.values("pk"), is_active=True).order_by(
        "last_name", "first_name", "username"
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class ScreenForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ScreeningDecision.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=_("Message to the company"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Required when you request information or reject. The company sees it."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision")
            in (
                ScreeningDecision.REQUEST_INFORMATION,
                ScreeningDecision.REJECT,
            )
            and not cleaned.get("message", "").strip()
        ):
            self.add_error("message", _("Tell the company why."))
        return cleaned


class CompleteInformationForm(ProposalForm):
    response = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Answer the agent's request; the proposal fields above can be edited too."),
    )


class MatchForm(forms.Form):
    theme = forms.ModelChoiceField(label=_("Platform theme"), queryset=PlatformTheme.objects.all())
    division = forms.ModelChoiceField(label=_("Division"), queryset=Division.objects.all())


class ReviewMatchForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Accept the pilot")), ("0", _("Decline"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    contact = UserChoiceField(
        label=_("The division's contact person"), queryset=User.objects.none(), required=False
    )
    site = forms.CharField(label=_("Site"), max_length=300, required=False)
    reason = forms.CharField(
        label=_("Reason for declining"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, division=None, **kwargs):
        super().__init__(*args, **kwargs)
        if division is not None:
            self.fields["contact"].queryset = _staff_of(division, "act_for_division")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("accept") is True and not cleaned.get("contact"):
            self.add_error("contact", _("Name the division's contact person."))
        if cleaned.get("accept") is False and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Give the reason for declining."))
        return cleaned


class TemplateVersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.is_example:
            return _("%(version)s (example for legal review)") % {"version": obj.label}
        return obj.label


class PrepareContractForm(forms.Form):
    template_version = TemplateVersionChoiceField(
        label=_("Standard contract template"),
        queryset=contract_selectors.published_versions(),
        help_text=_(
            "A published version; its language is the language of the contract. The document "
            "is generated from it with the terms below."
        ),
    )
    period_start = forms.DateField(label=_("Contract period starts"), widget=DATE_INPUT)
    period_end = forms.DateField(label=_("Contract period ends"), widget=DATE_INPUT)
    compensation = forms.DecimalField(
        label=_("Compensation to the company (EUR)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        initial=0,
    )
    ipr_terms = forms.CharField(
        label=_("Intellectual property rights"), widget=forms.Textarea(attrs={"rows": 3})
    )
    data_handling = forms.CharField(
        label=_("Data handling"), widget=forms.Textarea(attrs={"rows": 3})
    )
    insurance = forms.CharField(
        label=_("Insurance"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    division_signatory = UserChoiceField(
        label=_("The division's signatory"), queryset=User.objects.none()
    )

    def __init__(self, *args, division=None, **kwargs):
        super().__init__(*args, **kwargs)
        if division is not None:
            self.fields["division_signatory"].queryset = _staff_of(division, "sign_for_division")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The contract must not end before it starts."))
        return cleaned

    def terms(self) -> dict:
        return {
            key: self.cleaned_data[key]
            for key in (
                "period_start",
                "period_end",
                "compensation",
                "ipr_terms",
                "data_handling",
                "insurance",
                "division_signatory",
            )
        }


class AcceptContractForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Accept the contract")), ("0", _("Ask for changes"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Changes asked for"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("accept") is False and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Describe the changes you ask for."))
        return cleaned


class SignContractForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I sign the contract on behalf of the division."), required=True
    )


class CloseExecutionForm(forms.Form):
    summary = forms.CharField(
        label=_("How did the pilot go?"), widget=forms.Textarea(attrs={"rows": 4})
    )


class EvaluationForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = [
            "goal_achievement",
            "user_feedback",
            "technical_readiness",
            "scalability",
            "user_feedback_summary",
            "measured_kpis",
            "emission_reduction",
            "lessons_learned",
        ]
        widgets = {
            "goal_achievement": forms.RadioSelect,
            "user_feedback": forms.RadioSelect,
            "technical_readiness": forms.RadioSelect,
            "scalability": forms.RadioSelect,
            "user_feedback_summary": forms.Textarea(attrs={"rows": 3}),
            "measured_kpis": forms.Textarea(attrs={"rows": 3}),
            "lessons_learned": forms.Textarea(attrs={"rows": 3}),
        }


class ScalingDecisionForm(forms.ModelForm):
    class Meta:
        model = ScalingDecision
        fields = ["decision", "rationale", "grant_reference"]
        widgets = {
            "decision": forms.RadioSelect,
            "rationale": forms.Textarea(attrs={"rows": 4}),
        }


class HandOverForm(forms.Form):
    """Hand an assigned task over to another user who may take it."""

    to = forms.ModelChoiceField(
        label=_("Hand the task over to"),
        queryset=get_user_model().objects.none(),
        help_text=_("Only the people who may take this task are listed. They are told by e-mail."),
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["to"].queryset = candidates
        self.fields["to"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )
