"""The order totals kept with each customer (orders_count, last_order_at, sales, …) follow
every write of their orders, and loyalty KPIs read from them match the orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from feedback_service.metrics import services
from feedback_service.metrics.values import loyalty_json
from feedback_service.orders.models import Customer, Order
from feedback_service.shops.models import Shop

NOW = datetime(2026, 11, 1, tzinfo=UTC)
PRODUCTS = [
    {"sku": "MUG", "name": "Mug", "url": "https://shop.example/mug", "category": "kitchen"},
    {"sku": "TEE", "name": "Tee", "url": "https://shop.example/tee", "category": "clothes"},
    {"sku": "CARD", "name": "Card", "url": "https://shop.example/card"},  # no category
]


def order(
    external_id: str, email: str, days_ago: int, items: list[tuple[str, int, str | None]]
) -> dict[str, Any]:
    return {
        "id": external_id,
        "customer": {"email": email},
        "items": [
            {"sku": sku, "quantity": quantity, **({"unit_price": price} if price else {})}
            for sku, quantity, price in items
        ],
        "ordered_at": (NOW - timedelta(days=days_ago)).isoformat(),
    }


async def totals(email: str) -> tuple[Any, ...]:
    customer = await Customer.get(email=email)
    last = customer.last_order_at
    return (
        customer.orders_count,
        (NOW - last).days if last else None,
        round(customer.sales, 2),
        customer.priced_orders,
        customer.min_category,
        customer.max_category,
    )


async def put(api: httpx.AsyncClient, path: str, body: dict[str, Any]) -> None:
    answer = await api.post(path, json=body)
    assert answer.status_code in (200, 201), answer.text


@pytest.fixture
async def catalogue(api: httpx.AsyncClient) -> httpx.AsyncClient:
    for product in PRODUCTS:
        await put(api, "/api/v1/products", product)
    return api


async def test_totals_follow_new_and_updated_orders(catalogue: httpx.AsyncClient) -> None:
    api = catalogue
    await put(api, "/api/v1/orders", order("A-1", "ann@x.fr", 30, [("MUG", 2, "10.00")]))
    assert await totals("ann@x.fr") == (1, 30, 20.0, 1, "kitchen", "kitchen")

    await put(api, "/api/v1/orders", order("A-2", "ann@x.fr", 10, [("CARD", 1, None)]))
    # An order without a price counts as an order, not as a priced one; no category.
    assert await totals("ann@x.fr") == (2, 10, 20.0, 1, "kitchen", "kitchen")

    # Re-sent with other items, price and date: its old items no longer count.
    changed = order("A-1", "ann@x.fr", 5, [("TEE", 1, "15.50"), ("MUG", 1, "10.00")])
    await put(api, "/api/v1/orders", changed)
    assert await totals("ann@x.fr") == (2, 5, 25.5, 1, "clothes", "kitchen")


async def test_an_order_moved_to_another_customer_leaves_the_first(
    catalogue: httpx.AsyncClient,
) -> None:
    api = catalogue
    await put(api, "/api/v1/orders", order("B-1", "bob@x.fr", 40, [("MUG", 1, "8.00")]))
    await put(api, "/api/v1/orders", order("B-2", "bob@x.fr", 20, [("TEE", 1, "12.00")]))
    # The shop corrects B-2: it was Cid's.
    await put(api, "/api/v1/orders", order("B-2", "cid@x.fr", 20, [("TEE", 1, "12.00")]))
    assert await totals("bob@x.fr") == (1, 40, 8.0, 1, "kitchen", "kitchen")
    assert await totals("cid@x.fr") == (1, 20, 12.0, 1, "clothes", "clothes")


async def test_a_new_product_category_reaches_its_buyers(catalogue: httpx.AsyncClient) -> None:
    api = catalogue
    await put(api, "/api/v1/orders", order("C-1", "dee@x.fr", 3, [("CARD", 1, "2.00")]))
    await put(api, "/api/v1/orders", order("C-2", "eve@x.fr", 3, [("MUG", 1, "9.00")]))
    assert (await totals("dee@x.fr"))[4:] == (None, None)

    await put(api, "/api/v1/products", {**PRODUCTS[2], "category": "stationery"})
    assert (await totals("dee@x.fr"))[4:] == ("stationery", "stationery")
    assert (await totals("eve@x.fr"))[4:] == ("kitchen", "kitchen")  # not a buyer: unchanged


async def test_erasure_keeps_the_totals_and_the_loyalty_kpis(
    catalogue: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    api = catalogue
    shop, _ = shop_and_key
    for n, days_ago in enumerate((200, 100, 10)):
        await put(api, "/api/v1/orders", order(f"F-{n}", "fay@x.fr", days_ago, [("MUG", 1, "5")]))
    await put(api, "/api/v1/orders", order("G-1", "gus@x.fr", 50, [("TEE", 3, "7.00")]))
    before = loyalty_json(await services.loyalty_kpis(shop, as_of=NOW))
    fay = await totals("fay@x.fr")

    erased = await api.delete("/api/v1/customers/fay@x.fr")
    assert erased.status_code == 204, erased.text
    customer = await Customer.get(id=(await Order.get(external_id="F-0")).customer_id)
    assert customer.email.startswith("erased-")
    assert await totals(customer.email) == fay
    assert loyalty_json(await services.loyalty_kpis(shop, as_of=NOW)) == before
    assert before["overall"]["customers"] == 2 and before["overall"]["orders"] == 4


async def test_loyalty_as_of_the_past_counts_only_the_orders_placed_by_then(
    catalogue: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    api = catalogue
    shop, _ = shop_and_key
    await put(api, "/api/v1/orders", order("H-1", "hal@x.fr", 300, [("MUG", 1, "10.00")]))
    await put(api, "/api/v1/orders", order("H-2", "hal@x.fr", 100, [("TEE", 1, "30.00")]))
    await put(api, "/api/v1/orders", order("I-1", "ivy@x.fr", 150, [("MUG", 2, "10.00")]))

    # Stored totals know both of Hal's orders; 200 days ago he had one, of 10, in one category.
    then = await services.loyalty_kpis(shop, as_of=NOW - timedelta(days=200))
    assert (then.overall.customers, then.overall.orders) == (1, 1)
    assert then.overall.average_order_value == 10.0 and then.overall.upsell_ratio == 0.0
    assert then.by_segment["new"].customers == 1

    now = await services.loyalty_kpis(shop, as_of=NOW)
    assert (now.overall.customers, now.overall.orders) == (2, 3)
    assert now.overall.average_order_value == pytest.approx(60 / 3)
    assert now.overall.upsell_ratio == 1.0  # Hal bought two categories, Ivy one
    assert now.by_segment["occasional"].customers == 1
