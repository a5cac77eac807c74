"""`messages_update` keeps Viewflow's strings in the project's catalogs: makemessages alone
would mark them obsolete, since it never reads site-packages."""

import polib

from languages.management.commands.messages_update import merge_viewflow


def _entry(msgid, msgstr="", obsolete=False, occurrences=(), flags=()):
    return polib.POEntry(
        msgid=msgid,
        msgstr=msgstr,
        obsolete=obsolete,
        occurrences=list(occurrences),
        flags=list(flags),
    )


def _catalog(*entries):
    catalog = polib.POFile()
    catalog.extend(entries)
    return catalog


def test_viewflows_strings_come_back_active_with_their_translations():
    # given the project's catalog after makemessages: its own string, Viewflow's "Assign"
    # marked obsolete with its translation, and an obsolete string of the project
    catalog = _catalog(
        _entry("Pilots", "Kokeilut", occurrences=[("templates/base.html", "20")]),
        _entry("Assign", "Ota", obsolete=True),
        _entry("Old words", "Vanhat sanat", obsolete=True),
    )
    # and the catalog made from Viewflow's source: "Assign", "Undo", and "Pilots" (which the
    # project also has)
    viewflow = _catalog(
        _entry("Assign", occurrences=[("templates/viewflow/workflow/task.html", "12")]),
        _entry("Undo", occurrences=[("templates/viewflow/workflow/task.html", "30")]),
        _entry("Pilots", occurrences=[("views/list.py", "5")]),
    )
    # when they are merged
    added = merge_viewflow(catalog, viewflow)
    # then Viewflow's strings are active, "Assign" with its translation and "Undo" waiting
    # for one; the project's own entries are untouched; nothing is doubled
    assert added == 2
    assert [(e.msgid, e.msgstr, e.obsolete) for e in catalog] == [
        ("Pilots", "Kokeilut", False),
        ("Old words", "Vanhat sanat", True),
        ("Assign", "Ota", False),
        ("Undo", "", False),
    ]
    assert catalog[2].occurrences == [("viewflow/templates/viewflow/workflow/task.html", "12")]


def test_a_fuzzy_translation_stays_fuzzy():
    # given Viewflow's "Undo" whose obsolete translation was a fuzzy guess
    catalog = _catalog(_entry("Undo", "Kumoa", obsolete=True, flags=["fuzzy"]))
    viewflow = _catalog(_entry("Undo", occurrences=[("workflow/nodes/view.py", "9")]))
    # when they are merged
    merge_viewflow(catalog, viewflow)
    # then the guess is kept for review, still marked fuzzy
    assert [(e.msgid, e.msgstr, e.flags) for e in catalog] == [("Undo", "Kumoa", ["fuzzy"])]
