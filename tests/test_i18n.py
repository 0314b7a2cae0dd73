"""Every message shown to a person exists in French."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from feedback_service.i18n import gettext, locale_from_accept_language, normalize_locale

ROOT = Path(__file__).resolve().parents[1]


def extracted_messages() -> set[str]:
    keywords = {**DEFAULT_KEYWORDS, "N_": None, "gettext": (2,), "_": None}
    method_map = [
        ("feedback_service/**.py", "python"),
        ("feedback_service/templates/**.html", "jinja2"),
        ("feedback_service/templates/**.txt", "jinja2"),
    ]
    found = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_a_french_translation() -> None:
    messages = extracted_messages()
    assert len(messages) > 50
    with (ROOT / "feedback_service/locale/fr/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po, locale="fr")
    missing = sorted(m for m in messages if not (catalog.get(m) and catalog.get(m).string))
    assert missing == []
    assert gettext("fr", "Sign in") == "Se connecter"


def test_locale_choice() -> None:
    assert normalize_locale("fr-CA") == "fr"
    assert normalize_locale("de-DE") == "en"
    assert normalize_locale(None, default="fr") == "fr"
    assert locale_from_accept_language("de-DE,fr;q=0.8,en;q=0.5") == "fr"
    assert locale_from_accept_language("en-GB,en;q=0.9") == "en"
    assert locale_from_accept_language("garbage;q=x") == "en"
