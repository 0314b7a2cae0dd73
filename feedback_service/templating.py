"""Jinja2 environment (autoescape on), built once per process."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from babel.dates import format_datetime, get_timezone
from jinja2 import Environment, FileSystemLoader, select_autoescape

from feedback_service.i18n import Translator

TEMPLATE_DIR = Path(__file__).parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)


def _format_when(value: datetime | None, locale: str, tz: str = "UTC") -> str:
    if value is None:
        return ""
    return format_datetime(value, format="medium", tzinfo=get_timezone(tz), locale=locale)


def render(template: str, locale: str, **context: Any) -> str:
    translate = Translator(locale)
    return env.get_template(template).render(
        _=translate,
        locale=translate.locale,
        format_when=lambda value, tz="UTC": _format_when(value, translate.locale, tz),
        **context,
    )
