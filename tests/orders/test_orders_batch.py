"""POST /api/v1/orders/batch: per-item results in order, a bad item never blocks the others."""

from __future__ import annotations

import httpx

from feedback_service.orders.models import Customer, Order, OrderItem
from feedback_service.shops.services import create_shop

PRODUCTS = [
    {"sku": "MUG-1", "name": "Mug", "url": "https://shop.example/mug", "category": "kitchen"},
    {"sku": "TEA-1", "name": "Tea", "url": "https://shop.example/tea", "category": "food"},
]


def order(number: int, email: str = "ana@example.com", **extra: object) -> dict[str, object]:
    return {
        "id": f"B-{number}",
        "customer": {"email": email, "name": "Ana Lima"},
        "items": [{"sku": "MUG-1", "quantity": 2, "unit_price": "9.50"}],
        "ordered_at": "2026-11-01T10:00:00Z",
        **extra,
    }


async def _products(api: httpx.AsyncClient) -> None:
    for product in PRODUCTS:
        assert (await api.post("/api/v1/products", json=product)).status_code == 201


async def test_mixed_batch_gives_one_result_per_item_in_order(api: httpx.AsyncClient) -> None:
    await _products(api)
    items = [
        order(1),
        order(2, email="not-an-email"),
        order(3, items=[{"sku": "NOPE"}, {"sku": "MUG-1"}]),
        order(4, ordered_at="2026-02-30T10:00:00Z"),  # no such day
        order(5, ordered_at="9999-12-31T23:00:00-05:00"),  # past year 9999 in UTC
        {k: v for k, v in order(6).items() if k != "customer"},
        order(7, email="bo@example.com", items=[{"sku": "TEA-1", "unit_price": "4"}]),
        order(1, items=[{"sku": "TEA-1", "quantity": 3, "unit_price": "4"}]),  # repeated id
        "not an object",
        order(8, customer={"email": "cy@example.com", "name": "Cy\x00"}),
    ]
    answer = await api.post("/api/v1/orders/batch", json={"orders": items})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [(r["id"], r["status"]) for r in results] == [
        ("B-1", "created"),
        ("B-2", "invalid"),
        ("B-3", "invalid"),
        ("B-4", "invalid"),
        ("B-5", "invalid"),
        ("B-6", "invalid"),
        ("B-7", "created"),
        ("B-1", "updated"),
        (None, "invalid"),
        ("B-8", "invalid"),
    ]
    assert "customer.email" in results[1]["errors"]
    assert results[2]["errors"] == {"items": "unknown sku: NOPE"}
    assert "ordered_at" in results[3]["errors"] and "ordered_at" in results[4]["errors"]
    assert "customer" in results[5]["errors"]
    assert results[9]["errors"] == {"customer.name": "nul"}
    assert all("errors" not in r for r in results if r["status"] != "invalid")
    # Only the valid ones are stored; the later B-1 wins, as two calls would leave it.
    assert sorted(await Order.all().values_list("external_id", flat=True)) == ["B-1", "B-7"]
    first = await Order.get(external_id="B-1").prefetch_related("items__product")
    assert [(i.product.sku, i.quantity) for i in first.items] == [("TEA-1", 3)]
    assert first.amount == 12.0 and first.source == "api"
    ana = await Customer.get(email="ana@example.com")
    assert ana.orders_count == 1 and ana.sales == 12.0 and ana.min_category == "food"
    assert await Customer.filter(email="cy@example.com").count() == 0


async def test_repost_is_idempotent_and_updates(api: httpx.AsyncClient) -> None:
    await _products(api)
    items = [order(n, email=f"c{n % 3}@example.com") for n in range(1, 11)]
    first = await api.post("/api/v1/orders/batch", json={"orders": items})
    assert {r["status"] for r in first.json()["results"]} == {"created"}
    # A moved order changes the totals of both customers, as POST /api/v1/orders does.
    items[0] = order(1, email="c2@example.com", delivered_at="2026-11-03T10:00:00Z")
    again = await api.post("/api/v1/orders/batch", json={"orders": items})
    assert [r["status"] for r in again.json()["results"]] == ["updated"] * 10
    assert await Order.all().count() == 10 and await OrderItem.all().count() == 10
    counts = dict(await Customer.all().values_list("email", "orders_count"))
    assert counts == {"c0@example.com": 3, "c1@example.com": 3, "c2@example.com": 4}
    moved = await Order.get(external_id="B-1").prefetch_related("customer")
    assert moved.customer.email == "c2@example.com" and moved.delivered_at is not None


async def test_batch_matches_one_by_one(api: httpx.AsyncClient) -> None:
    """The same orders posted one by one and as a batch leave the same totals."""
    await _products(api)
    items = [
        order(n, email=f"c{n % 4}@example.com", items=[{"sku": "MUG-1", "unit_price": str(n)}])
        for n in range(1, 13)
    ]
    for item in items:
        assert (await api.post("/api/v1/orders", json=item)).status_code == 201
    one_by_one = sorted(await Customer.all().values_list("email", "orders_count", "sales"))
    await Order.all().delete()
    await Customer.all().delete()
    batch = await api.post("/api/v1/orders/batch", json={"orders": items})
    assert {r["status"] for r in batch.json()["results"]} == {"created"}
    assert sorted(await Customer.all().values_list("email", "orders_count", "sales")) == one_by_one


async def test_batch_size_and_shape(api: httpx.AsyncClient) -> None:
    await _products(api)
    too_many = await api.post(
        "/api/v1/orders/batch", json={"orders": [order(n) for n in range(1001)]}
    )
    assert too_many.status_code == 422
    assert set(too_many.json()["error"]) == {"code", "message", "fields"}
    assert "orders" in too_many.json()["error"]["fields"]
    for body in ({"orders": []}, {"orders": "x"}, {}, {"orders": [order(1)], "more": 1}):
        answer = await api.post("/api/v1/orders/batch", json=body)
        assert answer.status_code == 422, body
    assert (await api.post("/api/v1/orders/batch", content=b"[1]")).status_code == 422
    assert await Order.all().count() == 0
    # A thousand orders fit under the batch body limit (10 MB) in one request.
    full = await api.post(
        "/api/v1/orders/batch",
        json={"orders": [order(n, email=f"c{n}@example.com") for n in range(1000)]},
    )
    assert full.status_code == 200 and await Order.all().count() == 1000
    huge = await api.post(
        "/api/v1/orders/batch",
        content=b'{"orders": [' + b" " * 10_000_001 + b"]}",
        headers={"Content-Type": "application/json"},
    )
    assert huge.status_code == 413


async def test_batch_needs_the_key_and_stays_in_its_shop(api: httpx.AsyncClient) -> None:
    await _products(api)
    anonymous = await api.post(
        "/api/v1/orders/batch", json={"orders": [order(1)]}, headers={"Authorization": ""}
    )
    assert anonymous.status_code == 401
    _, other_key = await create_shop("Other", "other")
    other = await api.post(
        "/api/v1/orders/batch",
        json={"orders": [order(1)]},
        headers={"Authorization": f"Bearer {other_key}"},
    )
    # The other shop has no such product: nothing of this shop is touched.
    assert other.json()["results"][0]["status"] == "invalid"
    assert await Order.all().count() == 0


async def test_single_order_with_a_date_out_of_range_is_422(api: httpx.AsyncClient) -> None:
    await _products(api)
    for value in ("9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00"):
        answer = await api.post("/api/v1/orders", json=order(1, ordered_at=value))
        assert answer.status_code == 422, answer.text
        assert "ordered_at" in answer.json()["error"]["fields"]
