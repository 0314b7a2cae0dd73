"""A review's own page, made to be shared: the card tags of this review, plain share links,
and votes that come back to this page."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import lxml.html
from markup_helpers import metas, products
from widget_samples import PRODUCT, SERVICE, SHOP, SUMMARY, review

from widgets.sharing import CARD_ALT, SHARE_EXCERPT, render_review_page

PAGE = "https://reviews.example.com/w/demo-shop/reviews/101"
CARD = f"{PAGE}/card.png"


def test_the_card_is_the_image_and_is_described() -> None:
    html = render_review_page(SHOP, PRODUCT, SUMMARY, review(101), PAGE, "fr", card_url=CARD)
    keys = list(metas(html))  # in the page's order
    at = keys.index("og:image")
    assert keys[at : at + 5] == [
        "og:image",
        "og:image:type",
        "og:image:width",
        "og:image:height",
        "og:image:alt",
    ]
    tags = metas(html)
    assert tags["og:image"] == tags["twitter:image"] == CARD
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:image:alt"] == tags["twitter:image:alt"]
    assert tags["og:title"] == "Boils fast, whistles loud — Stovetop kettle 1.5 L"
    assert tags["og:type"] == "article" and tags["og:url"] == PAGE


def test_without_a_card_the_product_image_then_the_shop_logo() -> None:
    tags = metas(render_review_page(SHOP, PRODUCT, SUMMARY, review(101), PAGE, "en"))
    assert tags["og:image"] == PRODUCT.image_url and "og:image:alt" not in tags
    bare = replace(PRODUCT, image_url=None)
    with_logo = replace(SHOP, logo_url="https://shop.example.com/logo.png")
    tags = metas(render_review_page(with_logo, bare, SUMMARY, review(101), PAGE, "en"))
    assert tags["og:image"] == "https://shop.example.com/logo.png"
    tags = metas(render_review_page(SHOP, bare, SUMMARY, review(101), PAGE, "en"))
    assert "og:image" not in tags and tags["twitter:card"] == "summary"


def test_the_description_quotes_a_short_excerpt_in_the_readers_language() -> None:
    long = review(101, body="Très bon. " * 100, author_name="Léa")
    french = metas(render_review_page(SHOP, PRODUCT, SUMMARY, long, PAGE, "fr"))["description"]
    assert french.startswith("★★★★★ 5/5 par Léa\u202f: «\u00a0Très bon.")
    assert french.endswith("…\u00a0»")
    excerpt = french.split("«\u00a0", 1)[1].removesuffix("\u00a0»")
    assert len(excerpt) <= SHARE_EXCERPT
    untitled = review(102, title="", body="", author_name="")
    english = metas(render_review_page(SHOP, PRODUCT, SUMMARY, untitled, PAGE, "en"))
    assert english["description"] == "★★★★★ 5/5 by Anonymous"
    assert english["og:title"] == "Review of Stovetop kettle 1.5 L"


def test_a_hostile_review_gives_a_bounded_alt_text_and_no_script() -> None:
    hostile = review(101, title="\u202e<script>" + "T" * 500, body="x" * 5000)
    html = render_review_page(SHOP, PRODUCT, SUMMARY, hostile, PAGE, "en", card_url=CARD)
    tags = metas(html)
    assert len(tags["og:image:alt"]) <= CARD_ALT and "\u202e" not in tags["og:image:alt"]
    assert "<script" not in html
    unsafe = render_review_page(SHOP, PRODUCT, SUMMARY, review(101), PAGE, "en", card_url="x:y")
    assert metas(unsafe)["og:image"] == PRODUCT.image_url  # an unsafe card URL is not used


def test_share_links_votes_and_markup_of_the_page() -> None:
    html = render_review_page(SHOP, PRODUCT, SUMMARY, review(101), PAGE, "en")
    doc = lxml.html.document_fromstring(html)
    hosts = {urlsplit(href).netloc for href in doc.xpath("//a/@href") if "share" in href}
    assert {"www.facebook.com", "www.linkedin.com"} <= hosts
    [action] = doc.xpath('//form[@class="fs-helpful"]/@action')
    assert parse_qs(urlsplit(action).query) == {"return_to": [f"{SERVICE}/w/demo-shop/reviews/101"]}
    [item] = products(html)  # one Product with its aggregate and this review
    assert item["aggregateRating"]["reviewCount"] == "27"
