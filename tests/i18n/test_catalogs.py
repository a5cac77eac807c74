"""The committed catalogs: every entry translated, none fuzzy, each one compiles, and
Viewflow's interface strings are in them."""

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings

LANGUAGES = ["fi", "sv"]


def _catalog(language: str) -> polib.POFile:
    return polib.pofile(
        str(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po")
    )


def _where(entry: polib.POEntry) -> str:
    place = entry.occurrences[0] if entry.occurrences else ("?", "")
    return f"{place[0]}:{place[1]} {entry.msgid!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    # given the committed catalog of the language
    catalog = _catalog(language)
    # then no active entry lacks a translation (a plural lacks none of its forms) or is fuzzy
    untranslated = [_where(entry) for entry in catalog.untranslated_entries()]
    fuzzy = [_where(entry) for entry in catalog.fuzzy_entries()]
    assert untranslated == [], "run `make messages-update` and translate these"
    assert fuzzy == [], "review these guesses of msgmerge and remove the fuzzy flag"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_compiles_with_its_placeholders_checked(language, tmp_path):
    # given the committed catalog
    path = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"
    # when msgfmt checks it as compilemessages does (format strings, header, newlines)
    result = subprocess.run(  # noqa: S603 (a fixed command on the project's own file)
        [shutil.which("msgfmt"), "--check", "-o", str(tmp_path / "django.mo"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    # then it compiles without an error
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_carries_viewflows_interface_strings(language):
    # given Viewflow's strings that its inbox, queue, task and process pages show
    shown = ["Assign", "Unassign", "Execute", "Process list", "Next tasks", "Undo", "Workflow"]
    # then the project's catalog has them, active and translated
    entries = {entry.msgid: entry for entry in _catalog(language) if not entry.obsolete}
    assert {msgid: bool(entries[msgid].msgstr) for msgid in shown} == dict.fromkeys(shown, True)
    assert any(path.startswith("viewflow/") for path, _line in entries["Assign"].occurrences)
