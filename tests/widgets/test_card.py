"""A review's share card: a 1200×630 PNG whatever the text, with the text cut to fit,
what the font cannot draw replaced, and the quotation marks of the reader's language."""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime

import pytest
from PIL import Image
from widget_samples import PRODUCT, SHOP, review

import widgets
from widgets.card import TEXT_WIDTH, _font, drawable, excerpt_lines, render_review_card, wrap

HOSTILE = {
    "author_name": "\u202eLéa " + "X" * 300 + " 👩‍👩‍👧",
    "title": "\u202egpj.exe " + "W" * 5000 + " 😀👍🏽 مرحبا שלום 中文 \x1b[31m",
    "body": ("A" * 5000 + " ") * 2 + "😀" * 300 + " \u2066\u2067 \ufeff fin",
}


def assert_card(png: bytes) -> None:
    Image.open(io.BytesIO(png)).verify()  # a complete, valid PNG, not only a header
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (1200, 630))


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_hostile_text_in_the_renderer(locale: str) -> None:
    shop = widgets.Shop(
        slug="s",
        name="🏠" * 500 + "\u202e",
        policy_url="https://r.example/w/s/review-policy",
        certificate_url="https://r.example/w/s/certificate",
    )
    product = widgets.Product(
        sku="X", name="\u202e" + "Ω" * 3000, url="", image_url=None, brand=None, gtin=None
    )
    for rating in (1, 5):
        review = widgets.Review(
            id=1,
            product_sku="X",
            product_name="",
            rating=rating,
            language="fr",
            published_at=datetime(2026, 11, 1, tzinfo=UTC),
            experienced_at=None,
            verified=True,
            helpful_count=0,
            reply=None,
            photos=(),
            url="https://r.example/w/s/reviews/1",
            helpful_url="https://r.example/w/s/reviews/1/helpful",
            **{**HOSTILE, "body": HOSTILE["body"] + "\u0000\x1b"},
        )
        assert_card(render_review_card(shop, product, review, locale))
    empty = widgets.Review(
        id=2,
        product_sku="X",
        product_name="",
        author_name="",
        rating=3,
        title="",
        body="",
        language="fr",
        published_at=datetime(2026, 11, 1, tzinfo=UTC),
        experienced_at=None,
        verified=False,
        helpful_count=0,
        reply=None,
        photos=(),
        url="https://r.example/w/s/reviews/2",
        helpful_url="https://r.example/w/s/reviews/2/helpful",
    )
    assert_card(render_review_card(shop, product, empty, locale))


def test_missing_glyphs_are_replaced_and_long_words_cut() -> None:
    font = _font(32)
    shown = drawable("Super 🦄👍🏽 produit \u200d\ufe0f \u0000\x1b", font)
    assert shown == "Super produit"
    assert drawable("Très bien 中文", font) == "Très bien \ufffd"  # one per run
    lines = wrap("début " + "W" * 5000, font, 1040, 3)
    assert len(lines) == 3 and lines[0].startswith("début W") and lines[-1].endswith("…")
    assert all(font.getlength(line) <= 1040 for line in lines)
    assert wrap("", font, 1040, 3) == []


@pytest.mark.parametrize(
    ("locale", "opening", "closing"), [("fr", "«\u00a0", "\u00a0»"), ("en", "“", "”")]
)
def test_a_cut_excerpt_keeps_its_closing_quotation_mark(
    locale: str, opening: str, closing: str
) -> None:
    font = _font(32)
    cut = excerpt_lines("Très bon savon, " * 60, locale, font, 3)
    assert len(cut) == 3 and cut[0].startswith(opening + "Très")
    assert cut[-1].endswith("…" + closing)
    assert all(font.getlength(line) <= TEXT_WIDTH for line in cut)
    whole = excerpt_lines("Très bon savon.", locale, font, 3)
    assert whole == [f"{opening}Très bon savon.{closing}"]


def test_a_cut_text_ends_with_a_whole_word() -> None:
    font = _font(32)
    words = "Parfaitement emballé, arrivé rapidement, excellente qualité générale".split()
    text = " ".join(words * 20)
    for width in range(700, 1041, 17):  # wherever the last line's room ends
        lines = wrap(text, font, width, 2)
        assert len(lines) == 2 and lines[-1].endswith("…")
        last_word = lines[-1][: -len("…")].split(" ")[-1]
        assert last_word in words or last_word + "," in words, (width, lines[-1])
        assert not lines[-1].endswith(",…"), lines[-1]  # no dangling punctuation
        assert all(font.getlength(line) <= width for line in lines)


def test_the_card_depends_on_the_review_and_the_locale_only() -> None:
    card = render_review_card(SHOP, PRODUCT, review(1), "en")
    assert_card(card)
    assert render_review_card(SHOP, PRODUCT, review(1), "en") == card
    assert render_review_card(SHOP, PRODUCT, review(1), "en-GB") == card  # read as "en"
    assert render_review_card(SHOP, PRODUCT, review(1), "fr") != card  # "par", « … »
    assert render_review_card(SHOP, PRODUCT, review(1, rating=2), "en") != card
    assert render_review_card(SHOP, PRODUCT, review(1, verified=False), "en") != card


def test_spaces_are_collapsed_but_no_break_spaces_kept() -> None:
    font = _font(32)
    assert drawable("  a \u2003\u3000 b  ", font) == "a b"
    assert drawable("«\u00a0Top\u202f!\u00a0»", font) == "«\u00a0Top\u202f!\u00a0»"


def test_text_that_fits_is_one_line_and_words_move_to_the_next() -> None:
    font = _font(32)
    assert wrap("Très bon savon", font, TEXT_WIDTH, 2) == ["Très bon savon"]
    width = math.ceil(font.getlength("un deux trois"))
    lines = wrap("un deux trois quatre cinq six", font, width, 4)
    assert lines[0] == "un deux trois" and len(lines) > 1
    assert " ".join(lines) == "un deux trois quatre cinq six"  # nothing lost, nothing cut
    assert all(font.getlength(line) <= width for line in lines)
