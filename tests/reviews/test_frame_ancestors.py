"""Which sites may frame a shop's full review pages (frame-ancestors, a shop setting)."""

from __future__ import annotations

import httpx
from admin_helpers import csrf_of, log_in

from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user

GENERAL = {
    "name": "Boutique Test",
    "brand_color": "#112233",
    "locale": "fr",
    "throttle_days": "30",
    "sla_hours": "24",
    "review_delay_days": "7",
}
PRODUCT = {"sku": "MUG", "name": "Mug", "url": "https://shop.example/mug"}
REVIEW = {
    "sku": "MUG",
    "rating": 5,
    "title": "Parfait",
    "body": "Très bon mug.",
    "author_name": "Marie C.",
    "source": "legacy",
    "source_id": "1",
    "submitted_at": "2026-10-02T10:00:00Z",
    "published": True,
}


def framing(answer: httpx.Response) -> str | None:
    for part in answer.headers["content-security-policy"].split(";"):
        if part.strip().startswith("frame-ancestors"):
            return part.strip().removeprefix("frame-ancestors").strip()
    return None


async def full_pages(api: httpx.AsyncClient) -> list[httpx.Response]:
    review = await api.post("/api/v1/reviews", json=REVIEW)
    assert review.status_code == 201, review.text
    return [
        await api.get("/w/test-shop/products/MUG"),
        await api.get("/w/test-shop/reviews"),
        await api.get(f"/w/test-shop/reviews/{review.json()['id']}"),
    ]


async def test_full_pages_follow_the_shops_setting_and_fragments_stay_embeddable(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    assert (await api.post("/api/v1/products", json=PRODUCT)).status_code in (200, 201)
    pages = await full_pages(api)
    assert [page.status_code for page in pages] == [200] * 3
    assert [framing(page) for page in pages] == ["'none'"] * 3
    fragment = await api.get("/w/test-shop/products/MUG/reviews")
    assert fragment.status_code == 200 and framing(fragment) is None
    assert framing(await api.get("/admin/login")) == "'none'"

    shop = shop_and_key[0]
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(api, "boss@shop.fr", "correct horse battery")
    csrf = csrf_of((await api.get("/admin/settings")).text)
    origins = "https://Shop.example  https://*.shop.example:8443/ https://shop.example"
    saved = await api.post(
        "/admin/settings/general", data={**GENERAL, "csrf": csrf, "frame_ancestors": origins}
    )
    assert saved.status_code == 303
    allowed = "https://shop.example https://*.shop.example:8443"
    assert (await Shop.get(id=shop.id)).frame_ancestors == allowed
    page = await api.get("/w/test-shop/products/MUG")
    assert framing(page) == allowed


async def test_a_setting_that_would_inject_into_the_header_is_refused(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(api, "boss@shop.fr", "correct horse battery")
    csrf = csrf_of((await api.get("/admin/settings")).text)
    for bad in (
        "https://shop.example; script-src *",
        "'self'",
        "*",
        "javascript:alert(1)",
        "https://shop.example/path",
        "https://shop.example,https://evil.example",
        " ".join(f"https://s{n}.example" for n in range(11)),
    ):
        refused = await api.post(
            "/admin/settings/general",
            data={**GENERAL, "csrf": csrf, "name": "Renamed", "frame_ancestors": bad},
        )
        assert refused.status_code == 422, bad
    stored = await Shop.get(id=shop.id)
    assert stored.name == "Boutique Test" and stored.frame_ancestors == ""
