"""Whatever customers, shops or importers type renders as inert text, in every block."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest
from markup_helpers import as_list, assert_markup_ok, products, visible_text
from widget_samples import (
    CANONICAL,
    HOSTILE,
    LONG_WORD,
    PAGE,
    POLICY,
    PRODUCT,
    REVIEWS,
    SHOP,
    SHOP_RATING,
    SHOP_REVIEWS,
    SUMMARY,
)

import widgets
from widgets import DrawNotice, Reply

EVIL_URLS = (
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example.com/x.jpg",
    'https://ok.example.com/" onerror="alert(1)',
)

SHOP_H = replace(SHOP, name=f"Shop {HOSTILE}", logo_url="javascript:alert(1)")
POLICY_H = replace(
    POLICY,
    refusal_reasons=(HOSTILE,),
    draw=DrawNotice(prize=HOSTILE, ends=datetime(2026, 7, 1, tzinfo=UTC), url=EVIL_URLS[0]),
)
PRODUCT_H = replace(
    PRODUCT,
    name=f"Kettle {HOSTILE}",
    url="javascript:alert(1)",
    image_url="javascript:alert(2)",
    brand=HOSTILE,
    gtin="<b>123</b>",
    description=f"{HOSTILE} {LONG_WORD}",
)
REVIEWS_H = (
    replace(
        REVIEWS[0],
        author_name=f"Mallory {HOSTILE}",
        title=f"Title {HOSTILE}",
        body=f"Body {HOSTILE} {LONG_WORD}",
        language='en" onmouseover="alert(1)',
        photos=EVIL_URLS,
        answers=((f"Q {HOSTILE}", f"A {HOSTILE}"),),
        reply=Reply(body=f"Reply {HOSTILE}", published_at=REVIEWS[0].published_at),
    ),
    REVIEWS[1],
)
SHOP_REVIEWS_H = (
    replace(
        SHOP_REVIEWS[1],
        author_name=f"Mallory {HOSTILE}",
        body=f"Body {HOSTILE} {LONG_WORD}",
        language='en" onmouseover="alert(1)',
        criteria=(("delivery", 1), ('x" onclick="alert(1)', 5)),
        reply=Reply(body=f"Reply {HOSTILE}", published_at=REVIEWS[0].published_at),
    ),
    SHOP_REVIEWS[0],
)
PAGE_H = replace(PAGE, lang='"><script>alert(1)</script>', sort="<script>")


def _block(locale: str) -> str:
    return widgets.render_reviews_block(SHOP_H, PRODUCT_H, SUMMARY, REVIEWS_H, PAGE_H, locale)


def _page(locale: str) -> str:
    return widgets.render_product_page(
        SHOP_H, PRODUCT_H, SUMMARY, REVIEWS_H, PAGE_H, CANONICAL, locale
    )


def _shop(locale: str) -> str:
    return widgets.render_shop_page(
        SHOP_H,
        REVIEWS_H,
        PAGE_H,
        locale,
        SUMMARY,
        products={PRODUCT.sku: PRODUCT_H},
        product_summaries={PRODUCT.sku: SUMMARY},
    )


RENDERERS: dict[str, Callable[[str], str]] = {
    "reviews": _block,
    "badge": lambda locale: widgets.render_badge(SHOP_H, PRODUCT_H, SUMMARY, locale),
    "head": lambda locale: widgets.render_head(SHOP_H, PRODUCT_H, SUMMARY, CANONICAL, locale),
    "product page": _page,
    "shop page": _shop,
    "policy page": lambda locale: widgets.render_policy_page(SHOP_H, POLICY_H, locale),
    "certificate": lambda locale: widgets.render_certificate(
        SHOP_H, SHOP_RATING, SHOP_REVIEWS_H, page=1, pages=2, locale=locale
    ),
    "shop badge": lambda locale: widgets.render_shop_badge(SHOP_H, SHOP_RATING, locale),
}
# These show no text anyone typed, only counts.
COUNTS_ONLY = ("badge", "shop badge")
CASES = [(name, locale) for name in RENDERERS for locale in ("en", "fr")]


def _render(name: str, locale: str) -> str:
    return RENDERERS[name](locale)


def _parse(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><head></head><body>{html}</body></html>")


@pytest.mark.parametrize(("name", "locale"), CASES)
def test_no_script_no_event_handler_no_json(name: str, locale: str) -> None:
    html = _render(name, locale)
    assert "<script" not in html.lower()
    assert "application/ld+json" not in html
    doc = _parse(html)
    assert doc.xpath("//script") == []
    handlers = [
        (element.tag, attribute)
        for element in doc.iter()
        if isinstance(element.tag, str)
        for attribute in element.attrib
        if attribute.lower().startswith("on")
    ]
    assert handlers == []


@pytest.mark.parametrize(("name", "locale"), CASES)
def test_only_http_urls_are_emitted(name: str, locale: str) -> None:
    html = _render(name, locale)
    assert "javascript:" not in html.lower()
    assert "data:text" not in html
    doc = _parse(html)
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("href", "src", "action"):
            url = element.get(attribute)
            if url is not None:
                assert re.match(r"https?://[^/]", url), (element.tag, attribute, url)


@pytest.mark.parametrize(("name", "locale"), CASES)
def test_template_syntax_stays_literal(name: str, locale: str) -> None:
    html = _render(name, locale)
    if name not in COUNTS_ONLY:
        assert "{{7*7}}" in html
    assert "49" not in html


@pytest.mark.parametrize(("name", "locale"), CASES)
def test_invisible_and_reordering_characters_are_gone(name: str, locale: str) -> None:
    html = _render(name, locale)
    for char in ("\u202e", "\u202c", "\u2028", "\u2029", "\x00", "\x07", "\x1b"):
        assert char not in html, repr(char)
    if name not in COUNTS_ONLY:
        assert "gnp.exe" in html  # the text itself stays, without its override


def test_user_text_is_isolated_from_the_page_direction() -> None:
    doc = _parse(_block("en"))
    [author] = doc.xpath('//article[@id="review-101"]//*[@itemprop="author"]/*[@itemprop="name"]')
    assert author.tag == "bdi"
    [body] = doc.xpath('//article[@id="review-101"]//*[@itemprop="reviewBody"]')
    assert body.get("dir") == "auto"


def test_hostile_review_language_is_dropped() -> None:
    doc = _parse(_block("en"))
    [article] = doc.xpath('//article[@id="review-101"]')
    assert article.get("lang") is None


def test_unsafe_links_are_dropped_not_rewritten() -> None:
    html = _block("en")
    doc = _parse(html)
    assert doc.xpath('//*[@itemprop="url"]') == []  # product.url was javascript:
    assert doc.xpath('//*[@itemprop="image"]') == []
    assert doc.xpath('//article[@id="review-101"]//img') == []  # every photo URL was bad
    assert doc.xpath('//*[@itemprop="gtin"]') == []  # "<b>123</b>" is not a GTIN
    badge = _parse(widgets.render_badge(SHOP_H, PRODUCT_H, SUMMARY, "en"))
    assert badge.xpath("//a") == []


@pytest.mark.parametrize("kind", ["reviews", "page"])
def test_hostile_data_still_passes_the_checker(kind: str, tmp_path: Path) -> None:
    shop = replace(SHOP_H, logo_url="https://shop.example.com/logo.png")  # og:image is required
    html = (
        widgets.render_reviews_block(shop, PRODUCT_H, SUMMARY, REVIEWS_H, PAGE_H, "fr")
        if kind == "reviews"
        else widgets.render_product_page(
            shop, PRODUCT_H, SUMMARY, REVIEWS_H, PAGE_H, CANONICAL, "fr"
        )
    )
    assert_markup_ok(html, kind, tmp_path)
    [product] = products(html)
    [review, _] = as_list(product["review"])
    assert "{{7*7}}" in review["reviewBody"] and "<script>" in review["reviewBody"]
    assert len(review["author"]["name"]) < 100


def test_long_words_are_kept_and_allowed_to_wrap() -> None:
    html = _page("en")
    assert LONG_WORD in visible_text(html)
    assert "overflow-wrap: anywhere" in widgets.STYLESHEET
