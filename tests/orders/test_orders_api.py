"""Products and orders API: upserts, validation, tenant isolation."""

from __future__ import annotations

import httpx

from feedback_service.orders.models import Customer, Order, OrderItem, Product
from feedback_service.shops.services import create_shop

PRODUCT = {"sku": "MUG-1", "name": "Mug", "url": "https://shop.example/mug"}
ORDER = {
    "id": "A-1",
    "customer": {"email": "Ana@Example.com", "name": "Ana Lima", "locale": "fr-FR"},
    "items": [{"sku": "MUG-1", "quantity": 2}],
    "ordered_at": "2026-11-01T10:00:00Z",
    "delivered_at": "2026-11-03T10:00:00Z",
}


async def test_product_upsert_by_sku(api: httpx.AsyncClient) -> None:
    first = await api.post("/api/v1/products", json=PRODUCT)
    assert first.status_code == 201
    again = await api.post("/api/v1/products", json={**PRODUCT, "name": "Big mug"})
    assert again.status_code == 200
    got = await api.get("/api/v1/products/MUG-1")
    assert got.json()["name"] == "Big mug"
    assert got.json()["rating"] == {"value": None, "count": 0}
    assert await Product.all().count() == 1


async def test_order_creates_customer_and_items(api: httpx.AsyncClient) -> None:
    await api.post("/api/v1/products", json=PRODUCT)
    answer = await api.post("/api/v1/orders", json=ORDER)
    assert answer.status_code == 201, answer.text
    customer = await Customer.get(email="ana@example.com")
    assert customer.locale == "fr" and customer.name == "Ana Lima"
    order = await Order.get(external_id="A-1")
    assert await OrderItem.filter(order=order).count() == 1
    # Re-sending the same order updates it instead of duplicating it.
    again = await api.post("/api/v1/orders", json={**ORDER, "items": [{"sku": "MUG-1"}]})
    assert again.status_code == 200
    assert await Order.all().count() == 1 and await OrderItem.all().count() == 1


async def test_bad_orders_change_nothing(api: httpx.AsyncClient) -> None:
    await api.post("/api/v1/products", json=PRODUCT)
    bad = [
        {**ORDER, "items": [{"sku": "UNKNOWN"}]},
        {**ORDER, "ordered_at": "yesterday"},
        {**ORDER, "ordered_at": "2026-11-01T10:00:00"},  # no timezone
        {**ORDER, "customer": {"email": "not-an-email"}},
        {**ORDER, "items": []},
        {**ORDER, "items": [{"sku": "MUG-1", "quantity": "many"}]},
        {**ORDER, "unexpected": True},
        {k: v for k, v in ORDER.items() if k != "id"},
    ]
    for body in bad:
        answer = await api.post("/api/v1/orders", json=body)
        assert answer.status_code == 422, body
        assert set(answer.json()["error"]) == {"code", "message", "fields"}
    assert await Order.all().count() == 0 and await Customer.all().count() == 0


async def test_bad_products(api: httpx.AsyncClient) -> None:
    for body in [
        {**PRODUCT, "url": "javascript:alert(1)"},
        {**PRODUCT, "image_url": "ftp://x"},
        {**PRODUCT, "sku": ""},
        {**PRODUCT, "gtin": "12ab"},
        {"sku": "X"},
    ]:
        answer = await api.post("/api/v1/products", json=body)
        assert answer.status_code == 422, body
    assert await Product.all().count() == 0


async def test_product_of_another_shop_is_404(api: httpx.AsyncClient) -> None:
    _, other_key = await create_shop("Other", "other")
    await api.post(
        "/api/v1/products", json=PRODUCT, headers={"Authorization": f"Bearer {other_key}"}
    )
    answer = await api.get("/api/v1/products/MUG-1")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
