from django import template

from languages.formats import format_money

register = template.Library()


@register.filter
def money(value, currency: str = "€") -> str:
    """{{ pilot.cost_to_city|money }}: the amount in the active language's format."""
    return format_money(value, currency)
