"""Forms of innovation calls. Times are entered and shown in Europe/Helsinki (TIME_ZONE)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Application, Call, Criterion
from .services import APPLICATION_FIELDS, CALL_FIELDS

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = CALL_FIELDS
        widgets = {
            "opens_at": DATETIME_INPUT,
            "closes_at": DATETIME_INPUT,
            "info_event_at": DATETIME_INPUT,
        }
        help_texts = {
            "opens_at": _("Helsinki time."),
            "closes_at": _("Helsinki time. Applications are accepted until this minute ends."),
            "info_event": _("Where and how to join, e.g. a Teams link or an address."),
        }

    def clean_closes_at(self):
        # The deadline is the end of the minute entered: 16:00 accepts until 16:00:59.
        closes = self.cleaned_data["closes_at"]
        return closes.replace(second=59, microsecond=999999) if closes else closes


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "description", "weight"]
        widgets = {"description": forms.TextInput()}


def criteria_formset(data=None, call=None, extra=3):
    initial = (
        [
            {"name": c.name, "description": c.description, "weight": c.weight}
            for c in call.criteria.all()
        ]
        if call is not None
        else []
    )
    formset_class = forms.formset_factory(
        CriterionForm, extra=extra, min_num=1, validate_min=True, max_num=10, can_delete=True
    )
    return formset_class(data=data, initial=initial, prefix="criteria")


def criteria_from(formset) -> list[dict]:
    return [
        {key: form.cleaned_data[key] for key in ("name", "description", "weight")}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = APPLICATION_FIELDS
        widgets = {"planned_start": DATE_INPUT, "planned_end": DATE_INPUT}


class ReviewersForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each reviewer is assigned every submitted application."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = candidates
        self.fields["reviewers"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.get_username()} ({user.get_username()})"
        )


class DeclarationForm(forms.Form):
    conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this application?"),
        choices=[("no", _("No conflict of interest")), ("yes", _("I have a conflict of interest"))],
        widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
    )
    note = forms.CharField(
        label=_("The conflict"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("E.g. a family member, an owner's stake or a recent job at the company."),
    )


class ScoreForm(forms.Form):
    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("%(criterion)s (weight %(weight)s)")
                % {"criterion": criterion.name, "weight": criterion.weight},
                choices=[(str(n), str(n)) for n in range(6)],
                coerce=int,
                widget=forms.RadioSelect,
                help_text=criterion.description,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on %(criterion)s") % {"criterion": criterion.name},
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def scores(self) -> dict:
        return {
            c.pk: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data[f"comment_{c.pk}"])
            for c in self.criteria
        }


class ProposeSelectionForm(forms.Form):
    applications = forms.ModelMultipleChoiceField(
        label=_("Applications to select"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, eligible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = eligible
        self.fields["applications"].label_from_instance = lambda a: (
            f"{a.company.name}: {a.title} ({a.cost_to_city} €)"
        )


class ApproveSelectionForm(forms.Form):
    decision = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve the selection")), ("decline", _("Send it back"))],
        widget=forms.RadioSelect,
        coerce=lambda value: value == "approve",
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
