"""English and French for the blocks: a gettext catalogue compiled in memory at import."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("en", "fr")
DEFAULT_LOCALE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"


def normalize_locale(value: str | None) -> str:
    """'fr', 'fr-FR', 'fr_CA' -> 'fr'; anything else -> 'en'."""
    if not value:
        return DEFAULT_LOCALE
    language = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return language if language in LOCALES else DEFAULT_LOCALE


def _load(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE:
        return NullTranslations()  # msgids are the English text
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


TRANSLATIONS: dict[str, NullTranslations] = {locale: _load(locale) for locale in LOCALES}


@lru_cache(maxsize=256)
def language_name(code: str, locale: str) -> str:
    """'fr' in English -> 'French', 'en' in French -> 'Anglais'; unknown codes as given."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(locale)
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code


def gettext(locale: str, message: str, **values: object) -> str:
    """A message for Python-side text (meta tags, titles); %(name)s placeholders."""
    text = TRANSLATIONS[normalize_locale(locale)].gettext(message)
    return text % values if values else text


def ngettext(locale: str, singular: str, plural: str, n: int, **values: object) -> str:
    text = TRANSLATIONS[normalize_locale(locale)].ngettext(singular, plural, n)
    return text % values
