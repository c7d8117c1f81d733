"""The translation catalogues are complete: Swedish for every string, English as itself."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def _entries(lang: str) -> list[polib.POEntry]:
    return [
        e for e in polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po")) if not e.obsolete
    ]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_string_is_translated_and_none_is_fuzzy(lang: str) -> None:
    entries = _entries(lang)
    assert entries
    missing = [e.msgid for e in entries if not e.translated()]
    assert missing == []


def test_the_english_catalogue_repeats_each_english_msgid() -> None:
    wrong = [
        e.msgid
        for e in _entries("en")
        if (
            e.msgstr_plural != {0: e.msgid, 1: e.msgid_plural}
            if e.msgid_plural
            else e.msgstr != e.msgid
        )
    ]
    assert wrong == []


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_compiled_catalogue_matches_its_source(lang: str) -> None:
    # Compare contents, not file times: a fresh clone gives every file the same age.
    mo = polib.mofile(str(LOCALE / lang / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    stale = [
        e.msgid
        for e in _entries(lang)
        if compiled.get((e.msgctxt, e.msgid)) != (e.msgstr, e.msgstr_plural)
    ]
    assert stale == [], "run compilemessages"
