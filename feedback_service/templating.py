"""Jinja2 environments (autoescape on), one per locale, built once per process."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from babel.dates import format_datetime, get_timezone
from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2.ext import Extension

from feedback_service.i18n import LOCALES, Translator, gettext

TEMPLATE_DIR = Path(__file__).parent / "templates"

# `_("a fixed message")` (no values, no backslash): translated once, when compiled.
_FIXED_MESSAGE = re.compile(r"""\b_\(\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*\)""")


class _Pretranslated(Extension):
    """Replaces each fixed message with its translation in the template's source, so a
    page renders its words as text instead of calling `_` for each (a third of the answer
    page's rendering time). Messages with values or computed ones still call `_`."""

    locale = "en"

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        def translated(match: re.Match[str]) -> str:
            message = match[1] if match[1] is not None else match[2]
            return json.dumps(gettext(self.locale, message), ensure_ascii=False)

        return _FIXED_MESSAGE.sub(translated, source)


def _environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=[_Pretranslated],
    )
    env.extensions[_Pretranslated.identifier].locale = locale  # type: ignore[attr-defined]
    return env


_environments = {locale: _environment(locale) for locale in LOCALES}


def _format_when(value: datetime | None, locale: str, tz: str = "UTC") -> str:
    if value is None:
        return ""
    return format_datetime(value, format="medium", tzinfo=get_timezone(tz), locale=locale)


def render(template: str, locale: str, **context: Any) -> str:
    translate = Translator(locale)
    return (
        _environments[translate.locale]
        .get_template(template)
        .render(
            _=translate,
            locale=translate.locale,
            format_when=lambda value, tz="UTC": _format_when(value, translate.locale, tz),
            **context,
        )
    )
