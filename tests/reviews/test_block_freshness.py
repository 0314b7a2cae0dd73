"""A block's ETag (and the rendered blocks the server keeps) change with whatever it shows."""

from __future__ import annotations

import httpx
import pytest
from review_helpers import PRODUCTS, order_with_request, product_ids

from feedback_service.reviews.models import Review
from feedback_service.shops.models import Shop

BLOCK = "/w/test-shop/products/KETTLE/reviews"


@pytest.fixture
async def block(api: httpx.AsyncClient) -> httpx.AsyncClient:
    for product in PRODUCTS:
        await api.post("/api/v1/products", json=product)
    answer = await api.post(
        "/api/v1/reviews",
        json={
            "sku": "KETTLE",
            "rating": 5,
            "title": "Parfaite",
            "body": "Chauffe vite.",
            "author_name": "Client 1",
            "source": "legacy",
            "source_id": "1",
            "submitted_at": "2026-10-01T10:00:00Z",
            "published": True,
        },
    )
    assert answer.status_code == 201, answer.text
    return api


async def revalidate(api: httpx.AsyncClient, etag: str) -> httpx.Response:
    return await api.get(BLOCK, headers={"If-None-Match": etag})


async def test_product_update_changes_the_etag_and_the_block(block: httpx.AsyncClient) -> None:
    first = await block.get(BLOCK)
    etag = first.headers["etag"]
    assert "Bouilloire 1,5 L" in first.text
    renamed = {
        **PRODUCTS[0],
        "name": "Bouilloire 1,7 L",
        "image_url": "https://shop.example/k2.jpg",
    }
    assert (await block.post("/api/v1/products", json=renamed)).status_code == 200
    again = await revalidate(block, etag)
    assert again.status_code == 200 and again.headers["etag"] != etag
    assert "Bouilloire 1,7 L" in again.text and "k2.jpg" in again.text
    assert "Bouilloire 1,5 L" not in again.text
    assert (await revalidate(block, again.headers["etag"])).status_code == 304


async def test_shop_rename_changes_the_block(block: httpx.AsyncClient) -> None:
    etag = (await block.get(BLOCK)).headers["etag"]
    await Shop.filter(slug="test-shop").update(name="Boutique Renommée")
    again = await revalidate(block, etag)
    assert again.status_code == 200 and again.headers["etag"] != etag
    assert "Boutique Renommée" in (await block.get("/w/test-shop/products/KETTLE")).text


async def test_helpful_vote_and_reply_show_at_once(block: httpx.AsyncClient) -> None:
    review = await Review.get(source_id="1")
    etag = (await block.get(BLOCK)).headers["etag"]
    await block.post(f"/w/test-shop/reviews/{review.id}/helpful")
    voted = await revalidate(block, etag)
    assert voted.status_code == 200 and "(1)" in voted.text
    await block.post(f"/api/v1/reviews/{review.id}/reply", json={"body": "Merci beaucoup !"})
    replied = await block.get(BLOCK)
    assert "Merci beaucoup" in replied.text and replied.headers["etag"] != voted.headers["etag"]


async def test_each_query_gets_its_own_block(block: httpx.AsyncClient) -> None:
    french = await block.get(BLOCK, params={"locale": "fr"})
    english = await block.get(BLOCK, params={"locale": "en"})
    assert french.headers["etag"] != english.headers["etag"]
    assert french.text != english.text
    assert (await block.get(BLOCK, params={"locale": "fr"})).text == french.text


async def test_erasing_a_customer_removes_their_review_text_from_blocks(
    api: httpx.AsyncClient,
) -> None:
    created = await order_with_request(api, "GDPR-9")
    first, _ = product_ids((await api.get(created["url"])).text)
    await api.post(
        created["url"],
        data={
            f"{first}_rating": "4",
            f"{first}_title": "Très pratique",
            f"{first}_body": "Je m'en sers tous les jours.",
            "display_name": "Marie C.",
            "consent": "yes",
        },
    )
    review = await Review.get(customer__email="gdpr-9@example.fr")
    published = await api.post(
        f"/api/v1/reviews/{review.id}/moderation", json={"action": "publish"}
    )
    assert published.status_code == 200, published.text
    shown = await api.get(BLOCK)
    assert "Marie C." in shown.text and "tous les jours" in shown.text
    assert (await api.delete("/api/v1/customers/gdpr-9@example.fr")).status_code == 204
    again = await revalidate(api, shown.headers["etag"])
    assert again.status_code == 200
    assert "Marie C." not in again.text and "tous les jours" not in again.text
