"""The jinja2 environments: one per locale, every template compiled once at import."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from gettext import NullTranslations
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from schema_markup import clean_text
from widgets.i18n import LOCALES, TRANSLATIONS, normalize_locale

PACKAGE_DIR = Path(__file__).parent
TEMPLATE_DIR = PACKAGE_DIR / "templates"
STYLESHEET = "".join(
    (PACKAGE_DIR / "static" / name).read_text(encoding="utf-8")
    for name in ("reviews.css", "questions.css")
)
TEMPLATES = (
    "_macros.html",
    "_page.html",
    "reviews_block.html",
    "badge.html",
    "head.html",
    "product_page.html",
    "shop_page.html",
    "policy_page.html",
    "review_page.html",
    "_highlights.html",
    "highlights.html",
    "certificate.html",
    "shop_badge.html",
    "questions_block.html",
    "questions_fragment.html",
)


def _finalize(value: Any) -> Any:
    """Every {{ value }} passes here before escaping: strip controls and bidi overrides.

    Markup is ours and already clean: template output, whose values came through here,
    and translations, whose variables are cleaned like these (see `_newstyle_gettext`).
    Cleaning it again would go over each piece once per level of nesting.
    """
    if isinstance(value, str):
        return value if isinstance(value, Markup) else clean_text(value)
    return "" if value is None else value


def _newstyle_gettext(
    translations: NullTranslations,
) -> tuple[Callable[..., Markup], Callable[..., Markup]]:
    """`_`, gettext and ngettext for templates: jinja's newstyle ones, made cheap.

    The same result with autoescaping on: the translation as Markup, its %(name)s
    variables escaped, and cleaned like any {{ value }}. Jinja's own looks the message
    up on every call, through two more context-passing calls (three for `_`); these
    look each message up once, and finish a message without variables once. Templates
    pass literal messages only, so the caches stay small.
    """

    @lru_cache(maxsize=1024)
    def translated(message: str) -> Markup:
        return Markup(translations.gettext(message))

    @lru_cache(maxsize=1024)
    def constant(message: str) -> Markup:
        return translated(message) % {}

    def gettext(message: str, /, **variables: Any) -> Markup:
        if not variables:
            return constant(message)
        return translated(message) % _cleaned(variables)

    def ngettext(singular: str, plural: str, n: int, /, **variables: Any) -> Markup:
        variables.setdefault("num", n)
        return Markup(translations.ngettext(singular, plural, n)) % _cleaned(variables)

    return gettext, ngettext


def _cleaned(variables: dict[str, Any]) -> dict[str, Any]:
    return {
        name: clean_text(value)
        if isinstance(value, str) and not isinstance(value, Markup)
        else value
        for name, value in variables.items()
    }


def _environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        finalize=_finalize,
        undefined=StrictUndefined,  # a typo in a template fails the tests, not silently
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    # newstyle: {% trans %} hands its variables to gettext, which escapes them. (The i18n
    # extension adds this method to Environment at runtime, hence unknown to mypy.)
    env.install_gettext_translations(TRANSLATIONS[locale], newstyle=True)  # type: ignore[attr-defined]
    gettext, ngettext = _newstyle_gettext(TRANSLATIONS[locale])
    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)  # replace jinja's
    env.globals["stylesheet"] = Markup(STYLESHEET)  # ours, and <style> must not be escaped
    for name in TEMPLATES:
        env.get_template(name)  # compile now; the cache keeps it for every later call
    return env


ENVIRONMENTS: dict[str, Environment] = {locale: _environment(locale) for locale in LOCALES}


def render(template: str, locale: str, **context: Any) -> str:
    locale = normalize_locale(locale)
    return ENVIRONMENTS[locale].get_template(template).render(locale=locale, **context)
