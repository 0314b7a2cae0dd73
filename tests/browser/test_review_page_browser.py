"""A shared review's page in Chromium: from the block to the review, fits a phone, no script."""

from __future__ import annotations

from pathlib import Path

import httpx
from review_helpers import PRODUCTS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


async def test_review_page_from_the_block_on_a_phone(api: httpx.AsyncClient, page) -> None:  # type: ignore[no-untyped-def]
    for product in PRODUCTS:
        await api.post("/api/v1/products", json=product)
    created = await api.post(
        "/api/v1/reviews",
        json={
            "sku": "KETTLE",
            "rating": 4,
            "title": "Chauffe vite",
            "body": "Très bien. " + "Sans-espace" * 40,  # one long word must wrap
            "author_name": "Marie C.",
            "source": "legacy",
            "source_id": "1",
            "submitted_at": "2026-10-02T10:00:00Z",
            "published": True,
        },
    )
    review_id = created.json()["id"]
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    await page.goto(str(api.base_url.join("/w/test-shop/products/KETTLE")))
    await page.get_by_role("link", name="Partager cet avis").click()
    await page.wait_for_url(f"**/w/test-shop/reviews/{review_id}")
    await page.get_by_role("heading", name="Un avis client sur Bouilloire 1,5 L").wait_for()
    share = page.get_by_role("navigation", name="Partager cet avis")
    assert await share.get_by_role("link").count() == 5
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # the phone's viewport: nothing runs off the side
    assert await page.locator("script").count() == 0
    # Only the page and the product's own picture are fetched: no tracker, no widget.
    hosts = {url.split("/")[2] for url in requests}
    assert hosts <= {api.base_url.netloc.decode(), "shop.example"}, hosts
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "review-page-fr.png"), full_page=True)
