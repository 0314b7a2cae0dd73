"""Jinja2 environments (autoescape on), one per locale, built once per process."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from babel.dates import format_datetime, get_timezone
from jinja2 import Environment, FileSystemLoader, Template, select_autoescape
from jinja2.ext import Extension
from markupsafe import Markup

from feedback_service.colors import text_color_on
from feedback_service.i18n import LOCALES, Translator, gettext, normalize_locale
from schema_markup import clean_text

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


def _finalize(value: Any) -> Any:
    """Every {{ value }}: text stored before names and comments were cleaned on the way in
    may hold bidi overrides (U+202E) that reverse what staff read; markup is ours."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean_text(value)
    return value


def _environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        finalize=_finalize,
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=[_Pretranslated],
    )
    cast(_Pretranslated, env.extensions[_Pretranslated.identifier]).locale = locale
    env.filters["text_on"] = text_color_on
    return env


class _FormatWhen:
    """`format_when(value, tz="UTC")` in templates: a date and time in the page's locale."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __call__(self, value: datetime | None, tz: str = "UTC") -> str:
        if value is None:
            return ""
        return format_datetime(value, format="medium", tzinfo=get_timezone(tz), locale=self.locale)


_environments = {locale: _environment(locale) for locale in LOCALES}
# What every template sees in a locale: Jinja's globals (range, namespace…) and ours. A
# render's context is this plus its variables, one dict (Template.render would copy the
# globals out of a ChainMap for each render).
_locale_context = {
    locale: {
        **env.globals,
        "_": Translator(locale),
        "locale": locale,
        "format_when": _FormatWhen(locale),
    }
    for locale, env in _environments.items()
}
_templates: dict[tuple[str, str], Template] = {}


def render(template: str, locale: str, **context: Any) -> str:
    """The template in `locale` (its words, `_`, `locale` and `format_when` are the
    locale's); each template is looked up once per locale."""
    if locale not in _environments:
        locale = normalize_locale(locale)
    try:
        compiled = _templates[template, locale]
    except KeyError:
        compiled = _templates[template, locale] = _environments[locale].get_template(template)
    env = compiled.environment
    page = compiled.new_context({**_locale_context[locale], **context}, shared=True)
    try:
        return env.concat(compiled.root_render_func(page))
    except Exception:
        env.handle_exception()  # raises it, pointing at the template's line
