"""Forms of the case domain: the proposal, sign-up, notes, reports and files."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import (
    Company,
    FundingSource,
    Pilot,
    PlatformTheme,
    ProgressReport,
    trade_secret_choices,
)
from .validators import validate_attachment, validate_business_id

PROPOSAL_FIELDS = [
    "title",
    "summary",
    "need",
    "solution",
    "theme",
    "site_wish",
    "planned_start",
    "planned_end",
    "cost_to_city",
    "funding_sources",
    "funding_amounts",
    "expected_impact",
    "kpis",
    "emission_reduction_estimate",
    "contact_name",
    "contact_email",
    "contact_phone",
    "trade_secret_fields",
]

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FundingAmountsWidget(forms.MultiWidget):
    """One euro amount per funding source, each input with its own label."""

    template_name = "cases/widgets/funding_amounts.html"

    def __init__(self, attrs=None):
        widgets = {
            source: forms.NumberInput(attrs={"min": "0", "step": "0.01"})
            for source in FundingSource.values
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        value = value or {}
        return [value.get(source) for source in FundingSource.values]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, (_source, label) in zip(
            context["widget"]["subwidgets"], FundingSource.choices, strict=True
        ):
            subwidget["label"] = label
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # A project template (the form renderer looks only in the apps' templates).
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))


class FundingAmountsField(forms.MultiValueField):
    """Funding by source in euros, stored as {"erdf": "12000.00", ...}; empty sources left out."""

    widget = FundingAmountsWidget

    def __init__(self, **kwargs):
        fields = [
            forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, required=False)
            for _source in FundingSource.values
        ]
        super().__init__(fields, require_all_fields=False, required=False, **kwargs)

    def compress(self, data_list):
        data_list = data_list or [None] * len(FundingSource.values)
        return {
            source: str(amount.quantize(Decimal("0.01")))
            for source, amount in zip(FundingSource.values, data_list, strict=True)
            if amount is not None
        }


class ProposalForm(forms.ModelForm):
    funding_sources = forms.MultipleChoiceField(
        label=_("Funding sources"),
        choices=FundingSource.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    funding_amounts = FundingAmountsField(
        label=_("Funding by source (EUR)"),
        help_text=_("The euros each source brings to the pilot; leave empty the ones that do not."),
    )
    trade_secret_fields = forms.MultipleChoiceField(
        label=_("Trade secrets"),
        choices=trade_secret_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Fields that are never published in the public pilot registry. The title, the "
            "company, theme, division, stage, planned period and outcome are published if the "
            "company consents to publication; contact details never are."
        ),
    )

    class Meta:
        model = Pilot
        fields = PROPOSAL_FIELDS
        widgets = {
            "planned_start": DATE_INPUT,
            "planned_end": DATE_INPUT,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "need": forms.Textarea(attrs={"rows": 3}),
            "solution": forms.Textarea(attrs={"rows": 3}),
            "expected_impact": forms.Textarea(attrs={"rows": 3}),
            "kpis": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "need": _("Which need of the city or its residents does the pilot meet?"),
            "site_wish": _("For example a school, a street, a health centre or a data set."),
            "kpis": _("How will success be measured?"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = PlatformTheme.objects.all()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("planned_start"), cleaned.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The planned end must not be before the start."))
        return cleaned

    def proposal(self) -> dict:
        return {field: self.cleaned_data[field] for field in PROPOSAL_FIELDS}


class StaffProposalForm(ProposalForm):
    """An agent submits a proposal on a company's behalf."""

    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.all())

    class Meta(ProposalForm.Meta):
        fields = ["company", *PROPOSAL_FIELDS]


class SignupForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    business_id = forms.CharField(
        label=_("Business ID (Y-tunnus)"),
        max_length=9,
        validators=[validate_business_id],
        help_text=_("In the form 1234567-8."),
    )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken; choose another."))
        return username

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            user = get_user_model()(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    visible_to_company = forms.BooleanField(
        label=_("Visible to the company"),
        required=False,
        help_text=_("Leave unchecked for an internal note."),
    )


class MilestoneForm(forms.Form):
    text = forms.CharField(label=_("Milestone"), widget=forms.Textarea(attrs={"rows": 2}))
    visible_to_company = forms.BooleanField(
        label=_("Visible to the company"), required=False, initial=True
    )


class ProgressReportForm(forms.ModelForm):
    class Meta:
        model = ProgressReport
        fields = ["period_end", "progress", "kpi_values", "issues"]
        widgets = {
            "period_end": DATE_INPUT,
            "progress": forms.Textarea(attrs={"rows": 4}),
            "kpi_values": forms.Textarea(attrs={"rows": 2}),
            "issues": forms.Textarea(attrs={"rows": 2}),
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    visible_to_company = forms.BooleanField(
        label=_("Visible to the company"), required=False, initial=True
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        validate_attachment(uploaded)
        return uploaded


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class PilotFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=PlatformTheme.objects.all(), required=False
    )
    division = forms.ModelChoiceField(label=_("Division"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        from .models import Division, Stage

        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", _("All stages")), *Stage.choices]
        self.fields["division"].queryset = Division.objects.all()
