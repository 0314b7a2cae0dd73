"""The author's page in Chromium: the confirmation email's link, an edit saved with the
page's own button (the browser's Origin is ours), then the withdrawal."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import httpx
from review_helpers import order_with_request, product_ids

from feedback_service.outbox.models import OutboxMessage
from feedback_service.reviews.models import Review

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


async def test_the_author_edits_then_withdraws_their_review(api: httpx.AsyncClient, page) -> None:  # type: ignore[no-untyped-def]
    created = await order_with_request(api)
    mug = product_ids((await api.get(created["url"])).text)[1]
    sent = await api.post(
        created["url"], data={f"{mug}_rating": "2", "display_name": "Marie C.", "consent": "yes"}
    )
    assert sent.status_code == 303
    [email] = [
        row.payload
        for row in await OutboxMessage.filter(kind="email")
        if "merci" in row.payload["subject"]
    ]
    [link] = [unescape(u) for u in re.findall(r'href="([^"]+/m/[^"]+)"', email["html"])]

    await page.goto(link)
    await page.get_by_title("4 étoiles sur 5").click()
    await page.get_by_label("Votre avis (facultatif)").fill("Remplacé en deux jours, merci.")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "author-page-fr.png"), full_page=True)
    await page.get_by_role("button", name="Enregistrer mes modifications").click()
    await page.get_by_text("Vos modifications sont enregistrées").wait_for()
    [review] = await Review.all()
    assert (review.rating, review.body) == (4, "Remplacé en deux jours, merci.")
    assert review.edited_at is not None and review.status == "pending"

    await page.get_by_role("button", name="Retirer mon avis").click()
    await page.get_by_role("heading", name="Votre avis est retiré").wait_for()
    assert await Review.all().count() == 0
