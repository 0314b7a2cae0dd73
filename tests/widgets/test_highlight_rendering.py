"""'What customers say' in the widgets: labels and shares in the reader's language, quotes
preferably in it, inert text, valid markup, and the section alone for other pages."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
from markup_helpers import assert_markup_ok, microdata, products
from widget_samples import CANONICAL, HOSTILE, PAGE, PRODUCT, REVIEWS, SHOP, SUMMARY

import widgets
from widgets import Highlight, Quote

REVIEW = "https://reviews.example.com/w/demo-shop/reviews/"  # each quote links to its review
HIGHLIGHTS = (
    Highlight(
        "delivery",
        mentions=12,
        positive=9,
        negative=2,
        quotes=(
            Quote(f"{REVIEW}101", "en", "Arrived the next day, well packed"),
            Quote(f"{REVIEW}102", "fr", "livraison en 48 h", cut_start=True, cut_end=True),
        ),
    ),
    Highlight(
        "quality",
        mentions=7,
        positive=1,
        negative=6,
        quotes=(Quote(f"{REVIEW}103", "en", HOSTILE),),
    ),
    Highlight("size_fit", mentions=3, positive=3, negative=0),
    Highlight("made_up", mentions=50, positive=50, negative=0),  # not one of ours: left out
)


def section(html: str) -> lxml.html.HtmlElement:
    [found] = lxml.html.fromstring(html).xpath("//section[@class='fs-highlights']")
    return found


def items(html: str) -> list[str]:
    """Each aspect's text, spaces squashed (narrow no-break spaces kept)."""
    return [
        re.sub(r"[ \n]+", " ", li.text_content()).strip() for li in section(html).xpath(".//li")
    ]


def test_the_block_shows_labels_shares_and_quotes_in_english() -> None:
    html = widgets.render_reviews_block(
        SHOP, PRODUCT, SUMMARY, REVIEWS, PAGE, "en", highlights=HIGHLIGHTS
    )
    first, second, third = items(html)
    # The quotation marks are the <q> element's, in the quote's language.
    assert first == (
        "Delivery 12 mentions 75% positive 17% negative Arrived the next day, well packed "
        "Read the review"
    )
    assert second.startswith("Quality 7 mentions 14% positive 86% negative")
    assert third == "Size and fit 3 mentions 100% positive 0% negative"  # no quote given
    quote = section(html).xpath(".//blockquote")[0]
    assert quote.get("cite") == "https://reviews.example.com/w/demo-shop/reviews/101"
    assert quote.get("lang") is None  # the page's own language
    widths = section(html).xpath(".//span[@class='fs-hl-pos']/@style")
    assert widths == ["width: 75%", "width: 14%", "width: 100%"]
    # Hostile words stay words: no markup, no bidi override.
    assert not lxml.html.fromstring(html).xpath("//script|//@onerror")
    assert "\u202e" not in html
    # Highlights are not reviews: the Product's markup is unchanged by them.
    without = widgets.render_reviews_block(SHOP, PRODUCT, SUMMARY, REVIEWS, PAGE, "en")
    assert microdata(html) == microdata(without)


def test_french_labels_narrow_spaces_and_the_french_quote() -> None:
    html = widgets.render_reviews_block(
        SHOP, PRODUCT, SUMMARY, REVIEWS, PAGE, "fr", highlights=HIGHLIGHTS
    )
    assert "Ce que disent les clients" in html
    first = items(html)[0]
    assert first.startswith("Livraison 12 mentions 75\u202f% positives 17\u202f% négatives")
    assert first.endswith("…livraison en 48 h… Lire l'avis")  # words were left out around
    quotes = section(html).xpath(".//blockquote")
    assert quotes[0].get("lang") is None
    assert quotes[1].get("lang") == "en"  # only an English quote about quality: marked so
    assert items(html)[2].startswith("Taille et coupe 3 mentions")


def test_no_highlights_no_section_and_the_page_shows_them_too(tmp_path: Path) -> None:
    plain = widgets.render_reviews_block(SHOP, PRODUCT, SUMMARY, REVIEWS, PAGE, "en")
    assert '<section class="fs-highlights"' not in plain
    page = widgets.render_product_page(
        SHOP, PRODUCT, SUMMARY, REVIEWS, PAGE, CANONICAL, "en", highlights=HIGHLIGHTS
    )
    assert len(items(page)) == 3
    assert_markup_ok(page, "page", tmp_path)
    assert len(products(page)) == 1


def test_the_section_alone_for_other_pages() -> None:
    html = widgets.render_highlights(HIGHLIGHTS, "fr", heading="h3")
    assert html.lstrip().startswith('<section class="fs-highlights"')
    assert section(html).xpath("./h3/text()") == ["Ce que disent les clients"]
    assert widgets.render_highlights((), "en").strip() == ""
