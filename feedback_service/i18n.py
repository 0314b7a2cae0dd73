"""English and French messages (babel), picked from the customer's locale."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("en", "fr")
DEFAULT_LOCALE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


def normalize_locale(value: str | None, default: str = DEFAULT_LOCALE) -> str:
    """'fr-FR', 'fr_CA', 'FR' -> 'fr'; anything unsupported -> default."""
    if not value:
        return default
    lang = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return lang if lang in LOCALES else default


def locale_from_accept_language(header: str | None) -> str:
    if not header:
        return DEFAULT_LOCALE
    best, best_q = DEFAULT_LOCALE, -1.0
    for part in header.split(",")[:20]:
        lang, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        code = normalize_locale(lang, default="")
        if code and q > best_q:
            best, best_q = code, q
    return best


@cache
def translations(locale: str) -> NullTranslations:
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == DEFAULT_LOCALE or not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(locale: str, message: str, **values: object) -> str:
    text = translations(locale).gettext(message)
    return text % values if values else text


class Translator:
    """`_` for one locale, handed to templates and emails."""

    def __init__(self, locale: str) -> None:
        self.locale = normalize_locale(locale)

    def __call__(self, message: str, **values: object) -> str:
        return gettext(self.locale, message, **values)
