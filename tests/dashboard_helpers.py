"""A small shop whose dashboard figures are worked out by hand (see known_shop)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from feedback_service.alerts.models import Alert
from feedback_service.orders.models import Customer, Order, OrderItem, Product
from feedback_service.orders.services import refresh_order_totals
from feedback_service.shops.models import Shop
from feedback_service.surveys.models import Invitation, Response

NOW = datetime.now(UTC)


async def answer(
    shop: Shop,
    kind: str,
    score: int,
    *,
    who: Customer | None = None,
    days_ago: float = 5,
    aspects: list[tuple[str, str]] | None = None,
) -> Response:
    at = NOW - timedelta(days=days_ago)
    invited = await Invitation.create(shop=shop, kind=kind, customer=who, created_at=at)
    return await Response.create(
        shop=shop,
        invitation=invited,
        customer=who,
        kind=kind,
        score=score,
        dedupe_key=f"inv:{invited.id}",
        created_at=at,
        comment="..." if aspects is not None else None,
        sentiment_label=None if aspects is None else "negative",
        sentiment_score=None if aspects is None else -0.5,
        aspects=[{"name": n, "label": label, "score": 0.0} for n, label in aspects or []],
    )


async def orders(shop: Shop, who: Customer, item: Product, days_ago: list[int], price: str) -> None:
    for days in days_ago:
        placed = await Order.create(
            shop=shop,
            customer=who,
            external_id=f"{who.email}-{days}",
            ordered_at=NOW - timedelta(days=days),
        )
        await OrderItem.create(order=placed, product=item, quantity=1, unit_price=Decimal(price))
    await refresh_order_totals([who.id])  # as the orders API does after writing orders


async def known_shop(shop: Shop) -> None:
    """Figures by hand (last 30 days; the previous period is 30–60 days ago):

    NPS 10, 9, 9, 8, 7, 3, 0, 10, 10, 5 from ten customers: 5 promoters, 2 passives,
    3 detractors: NPS +20, SE = sqrt(0.5 + 0.3 − 0.2²) / sqrt(10) = 27.57 points,
    ±1.96·SE → −34 to +74. Previous period 0, 0, 10: −33.3; +53.3 points, z = 0.87: noise.
    Thermometer gold, green, green, yellow, red: happiness 3/5 = 60 % (Wilson 23.1–88.2).
    CSAT 5, 4, 4, 2: 3/4 = 75 % (Wilson 30.1–95.4). All kinds together, the thermometer
    maps onto the NPS groups: 6 promoters, 4 passives, 5 detractors of 15 → +6.7.
    Invitations: those 19 answered, 6 not: response rate 19/25 = 76 %.

    Orders (shop settings: occasional from 3 orders, regular from 5, churn after 60 days),
    one product; c0 (NPS 10): 1 order of 50, 10 days ago; c3 (NPS 8): 2 orders of 20,
    10 and 40 days ago; c6 (NPS 0): 5 orders of 30, 100 to 140 days ago.
    New = c0 + c3 (with the default thresholds c3 would be occasional): 2 customers,
    repurchase 1/2 = 50 %, churn 0 %, AOV 90/3 = 30.00, sales per customer 45.00,
    orders per year 1.5, nobody lost for a year → lifetime 10 years (the cap), CLV 450.00.
    Regular = c6: repurchase 100 %, churn 100 % (no order for 100 days), AOV 30.00, sales
    per customer 150.00, CLV 30 × 5 × 10 = 1,500.00. All: 3 customers, 8 orders,
    repurchase 66.7 %, churn 33.3 %, AOV 240/8 = 30.00, sales per customer 80.00,
    CLV 30 × 8/3 × 10 = 800.00. By NPS group: promoter c0 (AOV 50.00, CLV 500.00),
    passive c3 (repurchase 100 %, AOV 20.00, CLV 400.00), detractor c6 (churn 100 %).
    """
    shop.segment_occasional_from, shop.segment_regular_from, shop.churn_days = 3, 5, 60
    await shop.save()
    item = await Product.create(
        shop=shop, sku="tee", name="Tee", url="https://shop.test/tee", category="clothes"
    )
    people = [await Customer.create(shop=shop, email=f"c{i}@x.fr") for i in range(10)]
    aspects: dict[int, list[tuple[str, str]]] = {
        5: [("delivery", "negative")],
        6: [("delivery", "negative"), ("price", "positive")],
        7: [("price", "negative")],
    }
    for i, score in enumerate([10, 9, 9, 8, 7, 3, 0, 10, 10, 5]):
        await answer(shop, "nps", score, who=people[i], aspects=aspects.get(i))
    for i, score in enumerate((0, 0, 10)):
        earlier = await Customer.create(shop=shop, email=f"earlier{i}@x.fr")
        await answer(shop, "nps", score, who=earlier, days_ago=45)
    for score in (4, 3, 3, 2, 1):
        await answer(shop, "thermometer", score)
    for score in (5, 4, 4, 2):
        await answer(shop, "csat", score)
    for _ in range(6):
        await Invitation.create(shop=shop, kind="nps", created_at=NOW - timedelta(days=3))
    await orders(shop, people[0], item, [10], "50.00")
    await orders(shop, people[3], item, [10, 40], "20.00")
    await orders(shop, people[6], item, [100, 110, 120, 130, 140], "30.00")
    for n, status in enumerate(("open", "open", "resolved")):
        await Alert.create(shop=shop, subject=f"response:{n}", status=status, opened_at=NOW)
