"""A new shop's dashboard lists its next steps, each until it is done, then none."""

from __future__ import annotations

import httpx
import lxml.html
from admin_helpers import log_in

from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user

PASSWORD = "correct horse battery"


async def steps(api: httpx.AsyncClient) -> dict[str, str]:
    page = await api.get("/admin", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    doc = lxml.html.fromstring(page.text)
    return {li.get("data-step"): li.get("data-done") for li in doc.xpath("//*[@data-step]")}


async def test_next_steps_disappear_as_they_get_done(api: httpx.AsyncClient, shop_and_key) -> None:  # type: ignore[no-untyped-def]
    shop = shop_and_key[0]
    await create_user(shop, "boss@shop.fr", PASSWORD, role="admin")
    await log_in(api, "boss@shop.fr", PASSWORD)
    assert await steps(api) == {"orders": "no", "block": "no", "survey": "no"}
    page = lxml.html.fromstring((await api.get("/admin")).text)
    hrefs = page.xpath("//section[@id='next-steps']//a/@href")
    for wanted in (
        "/admin/connectors",
        "/admin/imports",
        "/admin/campaigns",
        "/admin/survey-rules",
    ):
        assert wanted in hrefs
    french = await api.get("/admin", headers={"Accept-Language": "fr"})
    assert "Vos prochaines étapes" in french.text

    product = {"sku": "MUG", "name": "Mug", "url": "https://shop.example/mug"}
    await api.post("/api/v1/products", json=product)
    order = {
        "id": "1",
        "customer": {"email": "a@x.fr"},
        "items": [{"sku": "MUG"}],
        "ordered_at": "2026-11-01T10:00:00Z",
    }
    assert (await api.post("/api/v1/orders", json=order)).status_code == 201
    assert await steps(api) == {"orders": "yes", "block": "no", "survey": "no"}

    # The full page is linked, not embedded: it does not count; a fragment does.
    await api.get("/w/test-shop/products/MUG")
    assert (await Shop.get(id=shop.id)).block_seen_at is None
    await api.get("/w/test-shop/products/MUG/reviews")
    seen = (await Shop.get(id=shop.id)).block_seen_at
    assert seen is not None
    await api.get("/w/test-shop/products/MUG/badge")  # later the same day: no write
    assert (await Shop.get(id=shop.id)).block_seen_at == seen
    assert await steps(api) == {"orders": "yes", "block": "yes", "survey": "no"}

    invited = await api.post(
        "/api/v1/invitations", json={"survey": "nps", "customer": {"email": "a@x.fr"}}
    )
    assert invited.status_code == 201
    assert await steps(api) == {}
    assert 'id="next-steps"' not in (await api.get("/admin")).text
