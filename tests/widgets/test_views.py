"""What templates show, decided from the plain data: safe URLs, clean text, days of the
shop's timezone, counts in the reader's locale, and the pager's links."""

from __future__ import annotations

from datetime import UTC, datetime

from widget_samples import SUMMARY, review, when

from widgets.data import PageInfo, Product, Reply, Summary
from widgets.formatting import Formatter, shop_timezone
from widgets.views import pager_view, product_view, review_view, summary_view

FRENCH = Formatter("fr", shop_timezone("Europe/Paris"))


def product(**changes: object) -> Product:
    values: dict[str, object] = {
        "sku": "K-1",
        "name": "Kettle",
        "url": "https://shop.example/k",
        "image_url": "https://cdn.example/k.jpg",
        "brand": "Acme",
        "gtin": "3017620422003",
    }
    return Product(**{**values, **changes})  # type: ignore[arg-type]


def test_product_text_is_cleaned_and_unsafe_urls_dropped() -> None:
    shown = product_view(
        product(sku=" K\n1 ", name=" Kettle\u202e ", url="javascript:x", brand="  ", gtin=None)
    )
    assert (shown.sku, shown.name, shown.url, shown.brand, shown.gtin) == (
        "K 1",
        "Kettle",
        None,
        None,
        None,
    )
    assert shown.image == "https://cdn.example/k.jpg" and shown.description is None


def test_only_a_well_formed_gtin_is_given() -> None:
    assert product_view(product(gtin=" 3017620422003 ")).gtin == "3017620422003"
    assert product_view(product(gtin="12345678")).gtin == "12345678"  # GTIN-8
    for malformed in ("123", "30176204220031234", "ABCDEFGH", "3017 620422003"):
        assert product_view(product(gtin=malformed)).gtin is None, malformed


def test_a_summary_without_reviews_is_not_marked_up() -> None:
    empty = summary_view(Summary(value=None, count=0), FRENCH)
    assert (empty.marked, empty.value, empty.value_text, empty.stars) == (
        False,
        "0.0",
        "0,0",
        (0, 5),
    )
    assert empty.distribution == ()


def test_a_summary_gives_the_markup_value_its_text_and_the_bars() -> None:
    shown = summary_view(SUMMARY, FRENCH)  # 4.25 from 27 reviews: 14, 8, 3, 1, 1
    assert (shown.marked, shown.value, shown.value_text, shown.count) == (True, "4.3", "4,3", 27)
    assert shown.stars == (4, 1)
    assert [(row.stars, row.count, row.width) for row in shown.distribution] == [
        (5, "14", "52%"),
        (4, "8", "30%"),
        (3, "3", "11%"),
        (2, "1", "4%"),
        (1, "1", "4%"),
    ]


def test_a_review_shows_days_of_the_shop_and_only_what_is_safe() -> None:
    hostile = review(
        5,
        language="<script>",
        author_name=" Bob\n ",
        published_at=datetime(2024, 3, 12, 23, 30, tzinfo=UTC),  # the 13th in Paris
        photos=("javascript:x", "https://cdn.example/p.jpg"),
        answers=(("Size?", "  "), ("Taille\u202e", " M ")),
        helpful_count=-3,
        reply=Reply(body="  ", published_at=when(13)),
    )
    shown = review_view(hostile, FRENCH, back="/p?x=1")
    assert shown.lang is None  # not a language tag: no lang attribute
    assert shown.author == "Bob"
    assert (shown.published_iso, shown.published_text) == ("2024-03-13", "13 mars 2024")
    assert shown.photos == ("https://cdn.example/p.jpg",)
    assert shown.answers == (("Taille", "M"),)  # unanswered questions are left out
    assert shown.helpful_count == "0"
    assert shown.reply is None  # an empty reply is no reply
    assert shown.helpful_url.endswith("/reviews/5/helpful?return_to=%2Fp%3Fx%3D1")
    assert shown.url == "https://reviews.example.com/w/demo-shop/reviews/5"


def test_a_review_keeps_its_language_tag_and_its_reply() -> None:
    answered = review(
        6,
        language="fr-CA",
        experienced_at=None,
        reply=Reply(body=" Merci ", published_at=datetime(2024, 3, 13, 23, 30, tzinfo=UTC)),
    )
    shown = review_view(answered, FRENCH)
    assert shown.lang == "fr-CA"
    assert shown.experienced_iso is None and shown.experienced_text is None
    assert shown.reply is not None
    assert (shown.reply.body, shown.reply.iso, shown.reply.text) == (
        "Merci",
        "2024-03-14",
        "14 mars 2024",
    )


def test_the_pager_links_pages_sorts_and_languages() -> None:
    first = pager_view(
        PageInfo(
            page=1,
            pages=2,
            sort="rating_asc",
            lang="de",
            base_url="https://r.example/b",
            languages=("fr", "en", "<x>"),
        )
    )
    assert first.prev_url is None
    assert first.next_url == "https://r.example/b?page=2&sort=rating_asc&lang=de"
    assert [choice.key for choice in first.sorts if choice.current] == ["rating_asc"]
    # "All languages" first, then each offered one named in itself; the current one too.
    assert [(c.key, c.label, c.current) for c in first.languages] == [
        ("", "", False),
        ("fr", "Français", False),
        ("en", "English", False),
        ("de", "Deutsch", True),
    ]
    assert first.languages[0].url == "https://r.example/b?page=1&sort=rating_asc"


def test_the_last_page_has_no_next_and_defaults_fill_the_gaps() -> None:
    last = pager_view(PageInfo(page=5, pages=2, sort="zz", lang=None, base_url="https://r/b"))
    assert (last.page, last.pages, last.next_url) == (2, 2, None)
    assert last.prev_url == "https://r/b?page=1&sort=recent"
    assert [c.key for c in last.languages] == ["", "en", "fr"]
    assert last.languages[0].current
