"""`feedback-service demo`: runs twice, prints a review page that works, announces a draw."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest

from feedback_service import demo
from feedback_service.reviews import draws
from feedback_service.reviews.models import PrizeDraw, Review
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop, StaffUser


@pytest.mark.slow
async def test_demo_twice_gives_one_shop_a_review_page_and_an_announced_draw(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await demo.load(settings)
    lines = await demo.load(settings)  # a refresh, not a duplicate

    [shop] = await Shop.filter(slug=demo.SLUG)
    assert await StaffUser.filter(email=demo.ADMIN_EMAIL).count() == 1
    assert await Review.filter(shop=shop, product_id__isnull=False).count() == 70
    assert await Review.filter(shop=shop, product_id=None).count() == 53  # of the shop itself
    [draw] = await PrizeDraw.filter(shop=shop)
    assert await draws.announced(shop, datetime.now(UTC))

    text = "\n".join(lines)
    [page] = re.findall(rf"{re.escape(settings.base_url)}/w/demo/reviews/\d+(?=\s)", text)
    answer = await client.get(page)
    assert answer.status_code == 200 and 'property="og:image"' in answer.text
    card = await client.get(f"{page}/card.png")
    assert card.status_code == 200 and card.content.startswith(b"\x89PNG")
    [certificate] = re.findall(rf"{re.escape(settings.base_url)}/w/demo/certificate(?=\s)", text)
    shown = await client.get(certificate)
    assert shown.status_code == 200 and "Service client" in shown.text
    assert f"{settings.base_url}/admin/draws" in text
    assert f"/w/demo/draws/{draw.id}" in text
