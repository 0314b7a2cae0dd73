"""/w/{shop}/reviews/{id}/card.png: the share card a review's page gives as og:image."""

from __future__ import annotations

import io
import time
from pathlib import Path

import httpx
import lxml.html
from markup_helpers import assert_markup_ok, head_tags, metas
from PIL import Image
from review_helpers import imported_review_id

from feedback_service.settings import Settings

NO_IMAGE = {"sku": "SOAP", "name": "Savon d'Alep", "url": "https://shop.example/soap"}
# Hostile text within the API's limits (title 200, body 5,000, author 100 characters).
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
    review_id = await imported_review_id(api, 1, sku="SOAP", rating=5, title="Doux pour la peau")
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
    review_id = await imported_review_id(api, 1)
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
    review_id = await imported_review_id(api, 1, **HOSTILE_API)
    started = time.perf_counter()
    card = await api.get(f"/w/test-shop/reviews/{review_id}/card.png")
    assert card.status_code == 200, card.text
    assert time.perf_counter() - started < 5
    assert_card(card.content)
    assert len(card.content) < 400_000


async def test_unpublished_unknown_or_other_shops_cards_are_a_friendly_404(
    catalogue: httpx.AsyncClient,
) -> None:
    api = catalogue
    pending = await imported_review_id(api, 1, published=False)
    published = await imported_review_id(api, 2)
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
