"""English and French for the blocks: every visible message exists in French; locales,
plurals and language names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import widgets
from widgets.i18n import LOCALE_DIR, LOCALES, gettext, language_name, ngettext, normalize_locale

WIDGETS_DIR = Path(widgets.__file__).parent


def _message_ids() -> set[str]:
    """Messages of the templates ({% trans %}, _()) and of Python's gettext(locale, ...)."""
    found: set[str] = set()
    # Python code calls gettext(locale, message): the message is the 2nd argument.
    python_keywords: dict[str, Any] = {"gettext": (2,), "ngettext": (2, 3)}
    runs: list[tuple[str, str, dict[str, Any], Any]] = [
        ("templates/**.html", "jinja2", {"extensions": "jinja2.ext.i18n"}, DEFAULT_KEYWORDS),
        ("*.py", "python", {}, python_keywords),
    ]
    for pattern, method, options, keywords in runs:
        for _, _, message, _, _ in extract_from_dir(
            str(WIDGETS_DIR), [(pattern, method)], {pattern: options}, keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_a_french_translation() -> None:
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="fr")
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]: m.string
        for m in catalog
        if m.id and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    used = _message_ids()
    assert len(used) > 40
    assert sorted(used - set(translated)) == []
    assert sorted(set(translated) - used) == []  # no stale entries


def test_locales() -> None:
    assert normalize_locale("fr-FR") == "fr"
    assert normalize_locale("FR_ca") == "fr"
    assert normalize_locale("de") == "en"
    assert normalize_locale(None) == "en"
    assert gettext("fr", "Verified purchase") == "Achat vérifié"
    assert gettext("xx", "Verified purchase") == "Verified purchase"
    assert language_name("fr", "fr") == "Français"
    assert language_name("de", "en") == "German"
    assert language_name("zz-!!", "en") == "zz-!!"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("fr", "fr"), ("fr_CA", "fr"), (" FR-fr ", "fr"), ("en-GB", "en"), ("", "en"), ("xx", "en")],
)
def test_any_locale_reads_as_one_of_ours(value: str, expected: str) -> None:
    assert normalize_locale(value) == expected in LOCALES


def test_messages_take_their_values_and_plurals_in_each_locale() -> None:
    assert gettext("fr", "by %(author)s", author="Alice") == "par Alice"
    assert gettext("en", "by %(author)s", author="Alice") == "by Alice"
    assert gettext("fr-CA", "Anonymous") == "Anonyme"  # a regional locale reads as French
    assert ngettext("en", "%(num)s review", "%(num)s reviews", 1, num="1") == "1 review"
    assert ngettext("en", "%(num)s review", "%(num)s reviews", 2, num="2") == "2 reviews"
    assert ngettext("fr", "%(num)s review", "%(num)s reviews", 2, num="2") == "2 avis"


def test_languages_are_named_in_the_readers_language() -> None:
    assert language_name("fr", "en") == "French"
    assert language_name("en", "fr") == "Anglais"  # capitalised, as a menu entry
    assert language_name("pt-BR", "en") == "Portuguese (Brazil)"
    assert language_name("", "en") == ""
