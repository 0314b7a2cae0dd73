"""Segments and churn follow the shop's settings in the services and GET /api/v1/metrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx

from feedback_service.metrics import services
from feedback_service.metrics.values import DEFAULT_SEGMENTS, Period, shop_segments
from feedback_service.orders.models import Customer, Order, OrderItem, Product
from feedback_service.orders.services import refresh_order_totals
from feedback_service.shops.models import Shop
from feedback_service.surveys.models import Invitation, Response

NOW = datetime.now(UTC)


async def buyer_who_answered(shop: Shop, email: str, order_days_ago: list[int], score: int) -> None:
    """A customer with these orders and one NPS answer three days ago."""
    who = await Customer.create(shop=shop, email=email)
    item = await Product.get_or_create(
        shop=shop, sku="tee", defaults={"name": "Tee", "url": "https://shop.test/tee"}
    )
    for days in order_days_ago:
        placed = await Order.create(
            shop=shop, customer=who, external_id=f"{email}-{days}", ordered_at=NOW - timedelta(days)
        )
        await OrderItem.create(order=placed, product=item[0], quantity=1, unit_price=Decimal(10))
    await refresh_order_totals([who.id])
    at = NOW - timedelta(days=3)
    invited = await Invitation.create(shop=shop, kind="nps", customer=who, created_at=at)
    await Response.create(
        shop=shop,
        invitation=invited,
        customer=who,
        kind="nps",
        score=score,
        dedupe_key=f"inv:{invited.id}",
        created_at=at,
    )


async def test_api_and_services_use_the_shops_segments_and_churn(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    await buyer_who_answered(shop, "two@x.fr", [10, 50], 10)  # 2 orders, last 10 days ago
    await buyer_who_answered(shop, "four@x.fr", [40, 60, 80, 100], 0)  # 4 orders, last 40 days

    default = (await api.get("/api/v1/metrics", params={"survey": "nps"})).json()
    assert [default["by_segment"][s]["n"] for s in ("new", "occasional", "regular")] == [0, 1, 1]
    assert default["loyalty"]["churn_window_days"] == 180
    assert default["loyalty"]["overall"]["churn_rate"]["score"] == 0.0

    shop.segment_occasional_from, shop.segment_regular_from, shop.churn_days = 3, 4, 30
    await shop.save()
    body = (await api.get("/api/v1/metrics", params={"survey": "nps"})).json()
    # Two orders are "new" now; four are "regular" from 4 on.
    assert [body["by_segment"][s]["n"] for s in ("new", "occasional", "regular")] == [1, 0, 1]
    assert body["by_segment"]["new"]["nps"]["score"] == 100.0
    loyalty = body["loyalty"]
    assert loyalty["churn_window_days"] == 30
    assert loyalty["overall"]["churn_rate"]["score"] == 50.0  # no order for 40 days > 30
    assert loyalty["by_segment"]["new"]["customers"] == 1
    assert loyalty["by_segment"]["occasional"]["customers"] == 0

    # The services take them from the shop too, unless told otherwise.
    rate = await services.response_rate(shop, NOW - timedelta(days=30), NOW, segment="new")
    assert (rate.hits, rate.n) == (1, 1)
    kpis = await services.loyalty_kpis(shop, churn_window_days=365)
    assert kpis.churn_window_days == 365 and kpis.overall.churn_rate.hits == 0
    explicit = await services.answers_by_segment(
        shop, Period(NOW - timedelta(days=30), NOW), segments=DEFAULT_SEGMENTS
    )
    assert explicit["occasional"].n == 1

    # Thresholds that clash (set outside the settings page) fall back to the defaults.
    shop.segment_occasional_from, shop.segment_regular_from = 5, 5
    assert shop_segments(shop) == DEFAULT_SEGMENTS
