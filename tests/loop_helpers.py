"""Shops for closing the loop: alerts of customers of known value, a delivery complaint, and
the recovery figures worked out by hand (tests/alerts/test_close_the_loop.py, browser)."""

from __future__ import annotations

from datetime import timedelta

from dashboard_helpers import NOW, answer, orders

from feedback_service.alerts.models import Alert
from feedback_service.orders.models import Customer, Order, Product
from feedback_service.shops.models import Shop
from feedback_service.surveys.models import Invitation
from feedback_service.surveys.models import Response as SurveyResponse


async def unhappy(
    shop: Shop,
    who: Customer | None,
    hours_ago: float,
    *,
    comment: str = "Colis arrivé en retard.",
    aspects: list[tuple[str, str]] | None = None,
    kind: str = "nps",
    score: int = 2,
) -> Alert:
    """An answer that opened an alert `hours_ago`, as the worker's check leaves it."""
    response = await answer(
        shop, kind, score, who=who, days_ago=hours_ago / 24, aspects=aspects or []
    )
    response.comment = comment
    await response.save()
    return await Alert.create(
        shop=shop,
        customer=who,
        subject=f"response:{response.id}",
        rule_tags=",nps_detractor,",
        aspect_tags="".join(f",{name}" for name, _ in aspects or []) + ("," if aspects else ""),
        language="fr",
        opened_at=NOW - timedelta(hours=hours_ago),
    )


async def priority_shop(shop: Shop) -> dict[str, Alert]:
    """Limit 24 h (the default). Regular from 4 orders (the default). Spending so far:
    reg 4 × 10 = 40, occ 2 × 10 = 20, big 1 × 500 = 500, late 1 × 5 = 5: the top fifth of
    4 paying customers is the first one, big (500)."""
    item = await Product.create(shop=shop, sku="tee", name="Tee", url="https://shop.test/tee")
    people = {}
    for name, days, price in (
        ("reg", [5, 50, 90, 120], "10.00"),
        ("occ", [30, 60], "10.00"),
        ("big", [20], "500.00"),
        ("late", [200], "5.00"),
    ):
        people[name] = await Customer.create(shop=shop, email=f"{name}@x.fr", name=name.title())
        await orders(shop, people[name], item, days, price)
    return {
        "occ": await unhappy(shop, people["occ"], 5),  # older, within the limit
        "reg": await unhappy(shop, people["reg"], 1),  # newer, regular
        "big": await unhappy(shop, people["big"], 2),  # high spending
        "late": await unhappy(shop, people["late"], 30),  # past the limit
        "anon": await unhappy(shop, None, 3),
    }


async def delivery_complaint(shop: Shop, comment: str, locale: str = "en") -> Alert:
    """Ann (English) complained about the delivery of her order 1001."""
    item = await Product.create(shop=shop, sku="mug", name="Mug", url="https://shop.test/mug")
    ann = await Customer.create(shop=shop, email="ann@x.com", name="Ann Lee", locale=locale)
    await orders(shop, ann, item, [10], "25.00")
    alert = await unhappy(shop, ann, 2, comment=comment, aspects=[("delivery", "negative")])
    response = await SurveyResponse.get(id=int(alert.subject.split(":")[1]))
    invitation = await Invitation.get(id=response.invitation_id)
    order = await Order.get(customer=ann)
    order.number = "1001"
    await order.save()
    invitation.order = order  # type: ignore[assignment]
    await invitation.save()
    return alert


async def recovery_shop(shop: Shop) -> None:
    """Limit 24 h, churn window 60 days; segments by orders before the alert (defaults:
    occasional from 2, regular from 4). Eight alerts:

    a1 regular (4 orders), NPS 2, replied in 2 h, follow-up gold            → recovered
    a2 new (1), thermometer red, replied in 30 h, next thermometer green   → recovered
    a3 occasional (2), thermometer red, 80 days ago, replied in 10 h, follow-up yellow
       (better than red, but not green, and a follow-up is no survey), next thermometer
       red (not better), ordered again 75 days after (outside the window) → not recovered
    a4 no order before, NPS 3, replied in 5 h, ordered 10 days after       → recovered
    a5 new (1), NPS 0, not contacted, ordered 3 days after                 → recovered
    a6 regular (5), NPS 1, not contacted                                    → not recovered
    a7 new (1), NPS 4, 2 h old, not contacted (not late yet)               → not recovered
    a8 anonymous, not contacted, 5 days old: late; in no recovery figure.
    """
    shop.churn_days = 60
    await shop.save()
    item, _ = await Product.get_or_create(
        shop=shop, sku="tee", defaults={"name": "Tee", "url": "https://shop.test/tee"}
    )

    async def person(name: str, order_days: list[int]) -> Customer:
        who = await Customer.create(shop=shop, email=f"{name}@x.fr", locale="fr")
        if order_days:
            await orders(shop, who, item, order_days, "10.00")
        return who

    async def case(
        who: Customer | None,
        days_ago: float,
        kind: str,
        score: int,
        aspects: list[str],
        reply_hours: float | None = None,
        followup: int | None = None,
    ) -> Alert:
        alert = await unhappy(
            shop,
            who,
            days_ago * 24,
            kind=kind,
            score=score,
            aspects=[(a, "negative") for a in aspects],
        )
        if reply_hours is not None:
            alert.first_replied_at = alert.opened_at + timedelta(hours=reply_hours)
        if followup is not None:
            asked = await answer(shop, "thermometer", followup, who=who, days_ago=days_ago - 3)
            alert.followup_invitation_id = asked.invitation_id
            alert.followup_score = followup
        await alert.save()
        return alert

    a = await person("a", [30, 40, 50, 60])
    await case(a, 20, "nps", 2, ["delivery"], reply_hours=2, followup=4)
    b = await person("b", [25])
    await case(b, 20, "thermometer", 1, ["delivery", "price"], reply_hours=30)
    await answer(shop, "thermometer", 3, who=b, days_ago=5)
    c = await person("c", [100, 120, 5])
    await case(c, 80, "thermometer", 1, ["quality"], reply_hours=10, followup=2)
    await answer(shop, "thermometer", 1, who=c, days_ago=60)
    d = await person("d", [10])
    await case(d, 20, "nps", 3, [], reply_hours=5)
    e = await person("e", [40, 12])
    await case(e, 15, "nps", 0, ["delivery"])
    f = await person("f", [30, 40, 50, 60, 70])
    await case(f, 10, "nps", 1, [])
    g = await person("g", [30])
    await case(g, 2 / 24, "nps", 4, [])
    await case(None, 5, "nps", 2, [])
