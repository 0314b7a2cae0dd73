"""The invitation email in Chromium at phone and Outlook widths: tappable NPS links."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedback_service.shops.models import Shop
from feedback_service.surveys.kinds import NPS
from feedback_service.templating import render

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _nps_email() -> str:
    shop = Shop(name="Maison Dupont", slug="dupont", brand_color="#7c3aed")
    return render(
        "emails/invitation.html",
        "fr",
        shop=shop,
        customer_name="Zoé",
        question="Quelle est la probabilité que vous recommandiez Maison Dupont ?",
        kind=NPS,
        choices=[(c, f"https://x.example/s/t/{c.key}") for c in NPS.choices],
        unsubscribe_url="https://x.example/u",
    )


@pytest.mark.parametrize("width", [320, 390, 600])
async def test_nps_links_are_at_least_24_px_wide_and_the_card_at_most_600(
    browser, width: int
) -> None:  # type: ignore[no-untyped-def]
    context = await browser.new_context(viewport={"width": width, "height": 900})
    page = await context.new_page()
    await page.set_content(_nps_email())
    boxes = [
        await link.bounding_box() for link in await page.locator("a[aria-label$='/ 10']").all()
    ]
    assert len(boxes) == 11
    assert min(box["width"] for box in boxes) >= 24  # WCAG 2.2 target size
    assert min(box["height"] for box in boxes) >= 24
    card = await page.locator("table[bgcolor='#ffffff']").bounding_box()
    assert card["width"] <= 600
    if width != 320:
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / f"email-nps-{width}.png"), full_page=True)
    await context.close()
