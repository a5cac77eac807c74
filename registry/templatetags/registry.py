"""The publication card of a pilot's page: consent, trade secrets, publishing."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from cases.models import FundingSource
from languages.formats import format_money
from registry import forms, selectors

register = template.Library()


@register.inclusion_tag("registry/partials/publication_card.html", takes_context=True)
def publication_card(context, pilot):
    user = context["request"].user
    may_consent = selectors.can_consent_publication(user, pilot)
    may_publish = selectors.can_publish(user, pilot)
    return {
        "pilot": pilot,
        "shown": may_consent or may_publish or pilot.published,
        "may_consent": may_consent,
        "may_publish": may_publish,
        "secret_labels": [
            label
            for name, label in forms.trade_secret_choices()
            if name in pilot.trade_secret_fields
        ],
        "secrets_form": forms.TradeSecretsForm(
            initial={"trade_secret_fields": pilot.trade_secret_fields}
        ),
        "unpublish_form": forms.UnpublishForm(),
    }


def _shown(value, withheld: bool):
    if withheld:
        return format_html('<em class="meta">{}</em>', _("Not published (trade secret)"))
    if value is None or value == "" or value == []:
        return "\u2013"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value


@register.simple_tag
def public_field(record: dict, name: str):
    """A field of a public record, or a note that the company keeps it secret."""
    value = record[name]
    if name == "funding_sources" and value:
        labels = dict(FundingSource.choices)
        value = [str(labels.get(code, code)) for code in value]
    if name == "cost_to_city" and value is not None:
        value = format_money(value)
    return _shown(value, name in record["withheld_fields"])


@register.simple_tag
def public_result(record: dict, evaluation: dict, name: str):
    """A field of an evaluation in a public record, withheld with the proposal field it
    derives from."""
    source = selectors.RESULT_SECRETS.get(name)
    return _shown(evaluation[name], source in record["withheld_fields"])
