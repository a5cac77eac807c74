"""Update the project's catalogs (locale/fi, locale/sv) from the source, with Viewflow's
interface strings kept in them.

`makemessages` reads the project only (never site-packages), so on its own it would mark the
translations of Viewflow's strings obsolete. This command runs it for the project, runs it
again over a temporary copy of Viewflow's Python files and templates, and adds Viewflow's
msgids that the project's catalog does not have as active entries, reusing any translation
the catalog had for them (also from an obsolete entry). Translations are never lost: other
strings that left the source stay as obsolete entries, as makemessages leaves them.
"""

import os
import shutil
import tempfile
from pathlib import Path

import polib
import viewflow
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

LANGUAGES = ["fi", "sv"]
IGNORE = [".venv", "bench", "node_modules", "var", "tests", "static", "*.egg-info"]
# Viewflow's parts that Kokeilu does not show (its admin, formtools, plotly and import/export
# integrations) stay out of the catalogs.
VIEWFLOW_SKIP = ["static", "locale", "contrib", "admin", "formtools"]
SOURCE_SUFFIXES = {".py", ".html", ".txt"}


def _copy_viewflow(target: Path) -> Path:
    source = Path(viewflow.__file__).resolve().parent
    copy = target / "viewflow"
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if path.suffix not in SOURCE_SUFFIXES or set(relative.parts) & set(VIEWFLOW_SKIP):
            continue
        destination = copy / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    # makemessages writes the catalog of the files under a folder into its `locale/`.
    (copy / "locale").mkdir(parents=True, exist_ok=True)
    return copy


def _key(entry: polib.POEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def merge_viewflow(catalog: polib.POFile, viewflow_catalog: polib.POFile) -> int:
    """Add Viewflow's entries missing from `catalog` (translated where an obsolete entry of
    the catalog knew them); returns how many were added."""
    active = {_key(entry) for entry in catalog if not entry.obsolete}
    obsolete = {_key(entry): entry for entry in catalog if entry.obsolete}
    added = 0
    for entry in viewflow_catalog:
        if entry.obsolete or _key(entry) in active:
            continue
        old = obsolete.pop(_key(entry), None)
        if old is not None:
            catalog.remove(old)
            entry.msgstr = old.msgstr
            entry.msgstr_plural = dict(old.msgstr_plural)
            entry.flags = sorted(set(entry.flags) | ({"fuzzy"} & set(old.flags)))
        entry.occurrences = [(f"viewflow/{path}", line) for path, line in entry.occurrences]
        catalog.append(entry)
        added += 1
    return added


class Command(BaseCommand):
    help = "Update locale/fi and locale/sv from the source, keeping Viewflow's strings."

    def handle(self, *args, **options):
        base = Path(settings.BASE_DIR)
        with tempfile.TemporaryDirectory(prefix="kokeilu-viewflow-") as temporary:
            copy = _copy_viewflow(Path(temporary))
            call_command("makemessages", locale=LANGUAGES, ignore_patterns=IGNORE, verbosity=0)
            _in_directory(
                Path(temporary),
                lambda: call_command("makemessages", locale=LANGUAGES, verbosity=0),
            )
            for language in LANGUAGES:
                path = base / "locale" / language / "LC_MESSAGES" / "django.po"
                catalog = polib.pofile(str(path), wrapwidth=79)
                viewflow_catalog = polib.pofile(
                    str(copy / "locale" / language / "LC_MESSAGES" / "django.po")
                )
                added = merge_viewflow(catalog, viewflow_catalog)
                catalog.save(str(path))
                untranslated = len(catalog.untranslated_entries())
                fuzzy = len(catalog.fuzzy_entries())
                self.stdout.write(
                    f"{language}: {len(catalog.translated_entries())} translated, "
                    f"{untranslated} untranslated, {fuzzy} fuzzy "
                    f"({added} entries from Viewflow)"
                )


def _in_directory(directory: Path, run) -> None:
    previous = os.getcwd()
    os.chdir(directory)
    try:
        run()
    finally:
        os.chdir(previous)
