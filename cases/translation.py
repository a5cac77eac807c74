"""The reference data in English, Finnish and Swedish (django-modeltranslation): `name` and
`description` read the active language's column, falling back to English."""

from modeltranslation.translator import TranslationOptions, register

from .models import Division, PlatformTheme


@register(Division)
class DivisionTranslationOptions(TranslationOptions):
    fields = ("name", "description")


@register(PlatformTheme)
class PlatformThemeTranslationOptions(TranslationOptions):
    fields = ("name", "description")
