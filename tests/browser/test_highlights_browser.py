"""'What customers say' in Chromium: fits a phone, reads in French and English, no script.
Screenshots in test-artifacts/ for a person to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from review_helpers import PRODUCTS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
REVIEWS = [
    ("fr", 5, "Livraison rapide, bouilloire conforme et très silencieuse."),
    ("fr", 5, "Colis reçu en 48 h, livraison parfaite. Je recommande."),
    ("fr", 2, "La qualité est décevante, le couvercle a cassé au bout d'un mois."),
    ("fr", 4, "Très bon rapport qualité prix, emballage soigné."),
    ("fr", 3, "Livraison en retard de dix jours, mais le produit fonctionne bien."),
    ("en", 5, "Arrived the next day. Fast delivery and the kettle boils in no time."),
    ("en", 2, "The handle broke after a week, really poor quality for the money."),
    ("en", 4, "Great value for the price and well packed."),
    ("en", 5, "Customer service replied within an hour and sent a new lid, very helpful."),
    ("fr", 4, "Le service client a répondu tout de suite, très aimable."),
]


async def test_highlights_on_a_phone_in_french_and_a_desktop_in_english(
    api: httpx.AsyncClient, browser: Any, page: Any
) -> None:
    for product in PRODUCTS:
        await api.post("/api/v1/products", json=product)
    for n, (language, rating, body) in enumerate(REVIEWS):
        answer = await api.post(
            "/api/v1/reviews",
            json={
                "sku": "KETTLE",
                "rating": rating,
                "body": body,
                "language": language,
                "author_name": f"Client {n}",
                "source": "legacy",
                "source_id": str(n),
                "submitted_at": f"2026-10-{n + 1:02d}T10:00:00Z",
                "published": True,
            },
        )
        assert answer.status_code == 201, answer.text
    ARTIFACTS.mkdir(exist_ok=True)

    await page.goto(str(api.base_url.join("/w/test-shop/products/KETTLE")))
    section = page.get_by_role("region", name="Ce que disent les clients")
    await section.wait_for()
    assert await section.get_by_role("listitem").count() >= 3
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    assert await page.locator("script").count() == 0
    # French quotation marks, with narrow no-break spaces inside, around a French quote.
    quote = section.locator("q").first
    marks = await quote.evaluate("q => getComputedStyle(q).quotes")
    assert marks.startswith('"«\u202f" "\u202f»"'), marks
    await section.screenshot(path=str(ARTIFACTS / "highlights-fr-390.png"))
    await page.screenshot(path=str(ARTIFACTS / "highlights-page-fr-390.png"), full_page=True)

    context = await browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    desktop = await context.new_page()
    await desktop.goto(str(api.base_url.join("/w/test-shop/products/KETTLE?locale=en")))
    section = desktop.get_by_role("region", name="What customers say")
    await section.wait_for()
    assert await section.get_by_text("Delivery", exact=True).count() == 1
    await section.screenshot(path=str(ARTIFACTS / "highlights-en-1280.png"))
    await desktop.screenshot(path=str(ARTIFACTS / "highlights-page-en-1280.png"), full_page=True)
    await context.close()
