"""Money in the active language: 12,000.00 € in English, 12 000,00 € in Finnish and Swedish."""

from decimal import Decimal

from django.utils import formats, numberformat
from django.utils.translation import get_language

NBSP = "\u00a0"


def format_money(value: Decimal | float | int | None, currency: str = "€") -> str:
    """The amount with two decimals, grouped in thousands, with the currency after it (as the
    city writes euros in each of its languages). None is an empty string."""
    if value is None or value == "":
        return ""
    language = get_language()
    amount = numberformat.format(
        Decimal(str(value)),
        formats.get_format("DECIMAL_SEPARATOR", language),
        decimal_pos=2,
        grouping=formats.get_format("NUMBER_GROUPING", language) or 3,
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR", language),
        force_grouping=True,
    )
    return f"{amount}{NBSP}{currency}"
