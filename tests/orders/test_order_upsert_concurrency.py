"""The same new order written several times at once (a platform's retries, a batch and a
webhook together): one order, one customer, no error."""

from __future__ import annotations

import asyncio

from feedback_service.orders.models import Customer, Order, OrderItem, Product
from feedback_service.orders.schemas import OrderIn
from feedback_service.orders.services import upsert_order
from feedback_service.shops.models import Shop


async def test_concurrent_upserts_of_one_new_order(shop_and_key: tuple[Shop, str]) -> None:
    shop = shop_and_key[0]
    await Product.create(shop=shop, sku="MUG", name="Mug", url="https://shop.example/m")
    data = OrderIn.model_validate(
        {
            "id": "C-1",
            "customer": {"email": "same@example.fr", "name": "Same"},
            "items": [{"sku": "MUG", "quantity": 2}],
            "ordered_at": "2026-11-01T10:00:00Z",
            "status": "fulfilled",
        }
    )
    results = await asyncio.gather(*(upsert_order(shop, data, source="csv") for _ in range(4)))
    assert sum(created for _, created in results) == 1
    assert await Order.all().count() == 1 and await Customer.all().count() == 1
    assert await OrderItem.all().count() == 1
    order = await Order.get()
    assert (order.status, order.source, order.fulfilled_at is not None) == (
        "fulfilled",
        "csv",
        True,
    )
    assert (await Customer.get()).orders_count == 1
