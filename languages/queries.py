"""Translated fields in queries across relations, where django-modeltranslation does not
rewrite them (e.g. `Pilot.objects.values_list("division__name")` reads the base column)."""

from django.conf import settings
from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language


def translated(path: str):
    """The value of a translated field at `path` (e.g. "division__name") in the active
    language, falling back as modeltranslation does (English, Finnish, Swedish)."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    order = [language] + [
        code for code in settings.MODELTRANSLATION_FALLBACK_LANGUAGES if code != language
    ]
    columns = [NullIf(F(f"{path}_{code}"), Value(""), output_field=CharField()) for code in order]
    return Coalesce(*columns, F(path), output_field=CharField())
