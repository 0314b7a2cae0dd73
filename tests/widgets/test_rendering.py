"""The jinja2 environments: every template compiled once at import, values cleaned before
escaping, and a gettext that says exactly what jinja's would."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment, UndefinedError
from markupsafe import Markup
from widget_samples import HOSTILE, POLICY

import widgets
from widgets.i18n import LOCALES, TRANSLATIONS
from widgets.rendering import ENVIRONMENTS, _finalize, render

TEMPLATE_DIR = Path(widgets.__file__).parent / "templates"
MESSAGES = (
    "{% trans %}Verified purchase{% endtrans %}|{{ _('Anonymous') }}|"
    "{{ _('Rated %(value)s out of 5', value=value) }}|"
    "{% trans date=date %}Published on {{ date }}{% endtrans %}|"
    "{% trans count=count %}{{ count }} star{% pluralize %}{{ count }} stars{% endtrans %}|"
    "{{ ngettext('%(num)s review', '%(num)s reviews', count) }}"
)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("count", [0, 1, 2, 1234])
def test_same_output_as_jinjas_newstyle_gettext(locale: str, count: int) -> None:
    reference = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], finalize=_finalize)
    reference.install_gettext_translations(TRANSLATIONS[locale], newstyle=True)  # type: ignore[attr-defined]
    values = {"value": "<b>4,3</b>", "date": Markup("<time>12 mars</time>"), "count": count}
    ours = ENVIRONMENTS[locale].from_string(MESSAGES).render(values)
    assert ours == reference.from_string(MESSAGES).render(values)
    assert "&lt;b&gt;4,3&lt;/b&gt;" in ours and "<time>12 mars</time>" in ours


def test_translation_variables_are_cleaned_and_escaped() -> None:
    template = ENVIRONMENTS["en"].from_string(
        "{% trans name=name %}Reply from {{ name }}{% endtrans %}"
    )
    html = template.render(name=HOSTILE)
    assert html.startswith("Reply from &lt;script&gt;")
    for char in ("\u202e", "\u202c", "\u2028", "\x00", "\x07", "\x1b"):
        assert char not in html, repr(char)


def test_templates_are_compiled_once_at_import() -> None:
    on_disk = {p.name for p in TEMPLATE_DIR.glob("*.html")}
    for env in ENVIRONMENTS.values():
        assert env.auto_reload is False
        cached = {name for _, name in (env.cache or {})}
        assert cached == on_disk  # every template, compiled before any call


def test_rendering_never_compiles(monkeypatch: pytest.MonkeyPatch) -> None:
    from widget_samples import (
        CANONICAL,
        PAGE,
        PRODUCT,
        REVIEWS,
        SHOP,
        SHOP_RATING,
        SHOP_REVIEWS,
        SUMMARY,
    )

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template was compiled during a render")

    for env in ENVIRONMENTS.values():
        monkeypatch.setattr(env, "compile", refuse)
    for locale in ("en", "fr"):
        widgets.render_reviews_block(SHOP, PRODUCT, SUMMARY, REVIEWS, PAGE, locale)
        widgets.render_product_page(SHOP, PRODUCT, SUMMARY, REVIEWS, PAGE, CANONICAL, locale)
        widgets.render_shop_page(SHOP, REVIEWS, PAGE, locale, SUMMARY)
        widgets.render_badge(SHOP, PRODUCT, SUMMARY, locale)
        widgets.render_head(SHOP, PRODUCT, SUMMARY, CANONICAL, locale)
        widgets.render_policy_page(SHOP, POLICY, locale)
        widgets.render_certificate(SHOP, SHOP_RATING, SHOP_REVIEWS, page=1, pages=1, locale=locale)
        widgets.render_shop_badge(SHOP, SHOP_RATING, locale)


def test_values_are_cleaned_before_escaping_and_none_shows_nothing() -> None:
    assert _finalize("a\u202eb\x00") == "ab"
    assert _finalize(None) == ""
    assert _finalize(3) == 3
    ours = Markup("<b>\u202e</b>")  # markup is ours: left as it is
    assert _finalize(ours) is ours


def test_render_reads_any_locale_as_one_of_ours_and_refuses_a_missing_value() -> None:
    from widget_samples import PRODUCT, SHOP, SUMMARY

    from widgets.blocks import _formatter
    from widgets.views import product_view, summary_view

    context = {
        "shop": SHOP,
        "product": product_view(PRODUCT),
        "summary": summary_view(SUMMARY, _formatter(SHOP, "fr")),
    }
    assert render("badge.html", "fr_CA", **context) == render("badge.html", "fr", **context)
    assert render("badge.html", "de", **context) == render("badge.html", "en", **context)
    with pytest.raises(UndefinedError):  # a typo in a template fails, never renders blank
        render("badge.html", "en", shop=SHOP)
