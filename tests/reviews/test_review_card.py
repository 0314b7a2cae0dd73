"""/w/{shop}/reviews/{id}/card.png: the share card a review's page gives as og:image."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import lxml.html
import pytest
from PIL import Image
from test_review_page import assert_markup_ok, catalogue, head_tags, imported, metas

import widgets
from feedback_service.settings import Settings
from widgets.card import drawable, excerpt_lines, render_review_card, wrap

__all__ = ["catalogue"]  # the fixture, shared with test_review_page

NO_IMAGE = {"sku": "SOAP", "name": "Savon d'Alep", "url": "https://shop.example/soap"}
HOSTILE = {
    "author_name": "\u202eLéa " + "X" * 300 + " 👩‍👩‍👧",
    "title": "\u202egpj.exe " + "W" * 5000 + " 😀👍🏽 مرحبا שלום 中文 \x1b[31m",
    "body": ("A" * 5000 + " ") * 2 + "😀" * 300 + " \u2066\u2067 \ufeff fin",
}

# The same, within the API's limits (title 200, body 5,000, author 100 characters).
HOSTILE_API = {
    "author_name": "\u202eLéa " + "X" * 80 + " 👩‍👩‍👧",
    "title": "\u202egpj.exe " + "W" * 150 + " 😀👍🏽 مرحبا שלום 中文",
    "body": "A" * 4000 + " " + "😀🦄" * 300 + " \u2066\u2067 \ufeff fin",
}


def assert_card(png: bytes) -> None:
    image = Image.open(io.BytesIO(png))
    image.verify()  # a complete, valid PNG, not only a header
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (1200, 630))


async def test_a_product_without_image_gets_the_card_and_a_valid_head(
    catalogue: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    api = catalogue
    assert (await api.post("/api/v1/products", json=NO_IMAGE)).status_code in (200, 201)
    review_id = await imported(api, 1, sku="SOAP", rating=5, title="Doux pour la peau")
    page = await api.get(f"/w/test-shop/reviews/{review_id}")
    html = page.text
    assert_markup_ok(head_tags(html), "head", tmp_path)
    assert_markup_ok(html, "page", tmp_path)
    url = f"{settings.base_url}/w/test-shop/reviews/{review_id}/card.png"
    tags = metas(html)
    assert tags["og:image"] == tags["twitter:image"] == url
    assert tags["twitter:card"] == "summary_large_image"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:image:type"] == "image/png"
    assert "Doux pour la peau" in tags["og:image:alt"] == tags["twitter:image:alt"]

    card = await api.get(url)
    assert card.status_code == 200 and card.headers["content-type"] == "image/png"
    assert "max-age" in card.headers["cache-control"]
    assert_card(card.content)
    again = await api.get(url, headers={"If-None-Match": card.headers["etag"]})
    assert again.status_code == 304 and not again.content
    assert again.headers["etag"] == card.headers["etag"]

    # The page in English links the English card, which has its own ETag.
    english = metas((await api.get(f"/w/test-shop/reviews/{review_id}?locale=en")).text)
    assert english["og:image"] == f"{url}?locale=en"
    card_en = await api.get(english["og:image"])
    assert card_en.status_code == 200 and card_en.headers["etag"] != card.headers["etag"]


async def test_the_card_changes_with_the_review_and_product(
    catalogue: httpx.AsyncClient,
) -> None:
    api = catalogue
    review_id = await imported(api, 1)
    url = f"/w/test-shop/reviews/{review_id}/card.png"
    first = await api.get(url)
    await api.post(f"/api/v1/reviews/{review_id}/reply", json={"body": "Merci !"})
    renamed = {"sku": "KETTLE", "name": "Bouilloire inox 1,7 L", "url": "https://shop.example/k"}
    assert (await api.post("/api/v1/products", json=renamed)).status_code in (200, 201)
    again = await api.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200
    assert_card(again.content)


async def test_hostile_text_renders_a_bounded_card(catalogue: httpx.AsyncClient) -> None:
    api = catalogue
    review_id = await imported(api, 1, **HOSTILE_API)
    started = time.perf_counter()
    card = await api.get(f"/w/test-shop/reviews/{review_id}/card.png")
    assert card.status_code == 200, card.text
    assert time.perf_counter() - started < 5
    assert_card(card.content)
    assert len(card.content) < 400_000


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_hostile_text_in_the_renderer(locale: str) -> None:
    shop = widgets.Shop(slug="s", name="🏠" * 500 + "\u202e", policy_url="https://r.example/p")
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
    from widgets.card import _font

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
    from widgets.card import TEXT_WIDTH, _font

    font = _font(32)
    cut = excerpt_lines("Très bon savon, " * 60, locale, font, 3)
    assert len(cut) == 3 and cut[0].startswith(opening + "Très")
    assert cut[-1].endswith("…" + closing)
    assert all(font.getlength(line) <= TEXT_WIDTH for line in cut)
    whole = excerpt_lines("Très bon savon.", locale, font, 3)
    assert whole == [f"{opening}Très bon savon.{closing}"]


def test_a_cut_text_ends_with_a_whole_word() -> None:
    from widgets.card import _font

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


async def test_unpublished_unknown_or_other_shops_cards_are_a_friendly_404(
    catalogue: httpx.AsyncClient,
) -> None:
    api = catalogue
    pending = await imported(api, 1, published=False)
    published = await imported(api, 2)
    for path in (
        f"/w/test-shop/reviews/{pending}/card.png",
        "/w/test-shop/reviews/999999/card.png",
        "/w/test-shop/reviews/abc/card.png",
        "/w/test-shop/reviews/" + "9" * 40 + "/card.png",
        f"/w/other-shop/reviews/{published}/card.png",
    ):
        answer = await api.get(path, headers={"Accept-Language": "fr"})
        assert answer.status_code == 404, path
        assert "text/html" in answer.headers["content-type"]
        text = lxml.html.document_fromstring(answer.text).text_content()
        assert "Cet avis n'est pas disponible" in text, path
