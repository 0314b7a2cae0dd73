"""NPS and its interval, happiness factor, CSAT, response rate, comparisons, trends and
loyalty KPIs, on real rows in the test database (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from feedback_service.app import domain_error
from feedback_service.errors import DomainError, InvalidInput
from feedback_service.metrics import services
from feedback_service.metrics.api import get_metrics
from feedback_service.metrics.stats import (
    DOWN,
    NO_DATA,
    NOISE,
    UP,
    Nps,
)
from feedback_service.metrics.values import (
    MAX_LIFETIME_YEARS,
    Comparison,
    Period,
    SegmentRule,
    compare,
)
from feedback_service.orders.models import Customer, Order, OrderItem, Product
from feedback_service.orders.services import refresh_order_totals
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_shop
from feedback_service.surveys.models import Invitation, Response

NOW = datetime(2024, 6, 1, tzinfo=UTC)
START = NOW - timedelta(days=30)
IN_PERIOD = NOW - timedelta(days=10)
PERIOD = Period(START, NOW)


# --- Rows --------------------------------------------------------------------------------


async def customer(shop: Shop, email: str) -> Customer:
    return await Customer.create(shop=shop, email=email)


async def invitation(
    shop: Shop,
    kind: str = "nps",
    *,
    who: Customer | None = None,
    at: datetime = IN_PERIOD,
    reusable: bool = False,
) -> Invitation:
    return await Invitation.create(
        shop=shop, kind=kind, customer=who, reusable=reusable, created_at=at
    )


async def answer(
    shop: Shop,
    score: int,
    kind: str = "nps",
    *,
    who: Customer | None = None,
    at: datetime = IN_PERIOD,
    reusable: bool = False,
) -> Response:
    invited = await invitation(shop, kind, who=who, at=at, reusable=reusable)
    return await Response.create(
        shop=shop,
        invitation=invited,
        customer=who,
        kind=kind,
        score=score,
        dedupe_key=f"inv:{invited.id}",
        created_at=at,
    )


async def answers(shop: Shop, scores: list[int], kind: str = "nps", **options: object) -> None:
    for score in scores:
        await answer(shop, score, kind, **options)  # type: ignore[arg-type]


async def product(shop: Shop, sku: str, category: str | None) -> Product:
    return await Product.create(
        shop=shop, sku=sku, name=sku, url=f"https://shop.test/{sku}", category=category
    )


async def order(
    shop: Shop,
    who: Customer,
    days_ago: int,
    items: list[tuple[Product, int, str | None]],
) -> Order:
    placed = await Order.create(
        shop=shop,
        customer=who,
        external_id=f"{who.email}-{days_ago}",
        ordered_at=NOW - timedelta(days=days_ago),
    )
    for item, quantity, price in items:
        await OrderItem.create(
            order=placed,
            product=item,
            quantity=quantity,
            unit_price=Decimal(price) if price is not None else None,
        )
    # As orders.services.upsert_order does: the customer's stored totals follow.
    await refresh_order_totals([who.id])
    return placed


async def orders(shop: Shop, who: Customer, count: int, item: Product) -> None:
    for days_ago in range(1, count + 1):
        await order(shop, who, days_ago * 10, [(item, 1, "10.00")])


async def compared(
    shop: Shop, survey: str | None, period: Period, segment: str | None = None
) -> Comparison:
    """A period against the one before, each counted on its own (as the dashboard does)."""
    options = {"survey": survey, "segment": segment}
    current = await services.answers(shop, period, **options)
    return compare(current, await services.answers(shop, period.previous(), **options), period)


# --- Survey metrics ----------------------------------------------------------------------


async def test_nps_of_a_period_counts_this_shop_only(shop_and_key: tuple[Shop, str]) -> None:
    shop, _ = shop_and_key
    await answers(shop, [9, 10, 10, 9, 9, 7, 8, 7, 0, 6])  # 5 P, 3 passives, 2 D
    await answer(shop, 0, at=START - timedelta(seconds=1))  # before the period
    await answer(shop, 0, at=NOW)  # the end is excluded
    await answer(shop, 5, "csat")  # another survey
    other, _ = await create_shop("Other", "other-shop")
    await answers(other, [0, 0, 0])

    nps = (await services.answers(shop, PERIOD, survey="nps")).nps()
    assert (nps.promoters, nps.passives, nps.detractors) == (5, 3, 2)
    assert nps.score == pytest.approx(30.0)

    summary = await services.metrics_summary(shop, "nps", START, NOW)
    assert summary["n"] == 10
    assert summary["nps"] == {
        "score": 30.0,
        "ci95": [-18.4, 78.4],
        "promoters": 5,
        "passives": 3,
        "detractors": 2,
        "n": 10,
    }
    assert summary["csat"]["score"] is None and summary["happiness_factor"]["n"] == 0
    assert summary["loyalty"]["overall"]["customers"] == 0
    lighter = await services.metrics_summary(shop, "nps", START, NOW, include_loyalty=False)
    assert "loyalty" not in lighter and lighter["nps"] == summary["nps"]


async def test_thermometer_happiness_factor_and_its_nps(shop_and_key: tuple[Shop, str]) -> None:
    shop, _ = shop_and_key
    await answers(shop, [4, 4, 4, 3, 3, 2, 1, 1], "thermometer")  # 3 gold 2 green 1 yellow 2 red

    thermometer = await services.answers(shop, PERIOD, survey="thermometer")
    factor = thermometer.happiness_factor()
    assert (factor.hits, factor.n) == (5, 8) and factor.value == pytest.approx(62.5)
    assert factor.ci95 == pytest.approx((30.574, 86.316), abs=1e-2)
    # gold = promoter, green = passive, yellow and red = detractors: (3 − 3) / 8 = 0
    mapped = thermometer.nps()
    assert (mapped.promoters, mapped.passives, mapped.detractors) == (3, 2, 3)
    assert mapped.score == 0

    summary = await services.metrics_summary(shop, "thermometer", START, NOW)
    assert summary["happiness_factor"] == {"score": 62.5, "ci95": [30.6, 86.3], "happy": 5, "n": 8}
    assert summary["nps"]["score"] == 0.0


async def test_combined_view_adds_mapped_thermometer_to_nps(
    shop_and_key: tuple[Shop, str],
) -> None:
    shop, _ = shop_and_key
    await answers(shop, [10, 10, 0])  # 2 P, 1 D
    await answers(shop, [4, 3], "thermometer")  # 1 P, 1 passive
    await answers(shop, [5, 4, 3, 1], "csat")
    summary = await services.metrics_summary(shop, None, START, NOW)
    assert summary["n"] == 9
    assert summary["nps"]["promoters"] == 3 and summary["nps"]["detractors"] == 1
    assert summary["nps"]["score"] == 40.0  # (3 − 1) / 5
    assert summary["happiness_factor"]["score"] == 100.0
    assert summary["csat"] == {"score": 50.0, "ci95": [15.0, 85.0], "satisfied": 2, "n": 4}


async def test_csat_is_the_share_of_4_and_5(shop_and_key: tuple[Shop, str]) -> None:
    shop, _ = shop_and_key
    await answers(shop, [5, 4, 3, 2, 1, 5, 4, 4, 4, 5], "csat")
    satisfied = (await services.answers(shop, PERIOD, survey="csat")).csat()
    assert (satisfied.hits, satisfied.n) == (7, 10)
    # Wilson 7/10: (0.3968, 0.8922)
    assert satisfied.ci95 == pytest.approx((39.68, 89.22), abs=1e-2)


async def test_latest_answer_only(shop_and_key: tuple[Shop, str]) -> None:
    shop, _ = shop_and_key
    ann = await customer(shop, "ann@x.fr")
    bob = await customer(shop, "bob@x.fr")
    await answer(shop, 0, who=ann, at=START - timedelta(days=1))  # before the period
    await answer(shop, 3, who=ann, at=IN_PERIOD - timedelta(days=5))
    await answer(shop, 10, who=ann, at=IN_PERIOD)  # Ann's latest NPS answer
    await answer(shop, 2, "thermometer", who=ann, at=IN_PERIOD + timedelta(days=1))
    await answer(shop, 9, who=bob)
    await answer(shop, 0, reusable=True)  # anonymous answers each count once
    await answer(shop, 10, reusable=True)

    latest = (await services.answers(shop, PERIOD, survey="nps")).nps()
    assert (latest.promoters, latest.passives, latest.detractors) == (3, 0, 1)  # 10, 9, 0, 10
    assert latest.score == 50.0
    every = (await services.answers(shop, PERIOD, survey="nps", latest_only=False)).nps()
    assert (every.promoters, every.passives, every.detractors) == (3, 0, 2)
    assert every.score == pytest.approx(20.0)
    # Latest per survey kind: Ann's later thermometer answer does not hide her NPS answer.
    combined = await services.metrics_summary(shop, None, START, NOW)
    assert combined["n"] == 5 and combined["nps"]["detractors"] == 2


async def test_empty_data_has_no_scores_and_no_division_by_zero(
    shop_and_key: tuple[Shop, str],
) -> None:
    shop, _ = shop_and_key
    summary = await services.metrics_summary(shop, None, START, NOW)
    assert summary["n"] == 0
    assert summary["nps"] == {
        "score": None,
        "ci95": None,
        "promoters": 0,
        "passives": 0,
        "detractors": 0,
        "n": 0,
    }
    assert summary["happiness_factor"]["score"] is None
    assert summary["csat"]["score"] is None
    assert summary["response_rate"] == {"score": None, "ci95": None, "answered": 0, "sent": 0}
    assert summary["sentiment"] == {
        "n": 0,
        "average": None,
        "positive": 0,
        "neutral": 0,
        "negative": 0,
    }
    assert summary["comparison"]["nps"]["verdict"] == NO_DATA
    assert summary["by_segment"]["regular"]["nps"]["score"] is None
    overall = summary["loyalty"]["overall"]
    assert overall["customers"] == 0
    assert overall["repurchase_rate"] == {"score": None, "ci95": None}
    assert overall["clv"] is None and overall["upsell_ratio"] is None
    trend = await services.trend_points(shop, "nps", START, NOW)
    assert trend and all(point.answers.nps() == Nps() for point in trend)


async def test_sentiment_of_the_comments(shop_and_key: tuple[Shop, str]) -> None:
    shop, _ = shop_and_key
    analysed = [(0.5, "positive"), (0.9, "positive"), (-0.8, "negative"), (0.0, "neutral")]
    for score, label in analysed:
        answered = await answer(shop, 9)
        answered.sentiment_score, answered.sentiment_label = score, label
        await answered.save(update_fields=["sentiment_score", "sentiment_label"])
    await answer(shop, 9)  # no comment, nothing analysed
    late = await answer(shop, 0, at=NOW)  # after the period
    late.sentiment_score, late.sentiment_label = -1.0, "negative"
    await late.save(update_fields=["sentiment_score", "sentiment_label"])

    summary = await services.metrics_summary(shop, "nps", START, NOW)
    # Average (0.5 + 0.9 − 0.8 + 0) / 4 = 0.15
    assert summary["sentiment"] == {
        "n": 4,
        "average": 0.15,
        "positive": 2,
        "neutral": 1,
        "negative": 1,
    }
    other_survey = await services.sentiment_summary(shop, PERIOD, survey="csat")
    assert other_survey["n"] == 0


async def test_response_rate(shop_and_key: tuple[Shop, str]) -> None:
    shop, _ = shop_and_key
    people = [await customer(shop, f"c{i}@x.fr") for i in range(4)]
    await answer(shop, 9, who=people[0])
    await answer(shop, 3, who=people[1])
    await invitation(shop, who=people[2])  # sent, never answered
    await invitation(shop, who=people[3])
    await answer(shop, 10, reusable=True)  # a reusable link is not an invitation sent
    await answer(shop, 10, who=people[0], at=START - timedelta(days=1))  # before the period
    await invitation(shop, "csat", who=people[1])

    rate = await services.response_rate(shop, START, NOW, survey="nps")
    assert (rate.hits, rate.n) == (2, 4) and rate.value == 50.0
    every_kind = await services.response_rate(shop, START, NOW)
    assert (every_kind.hits, every_kind.n) == (2, 5)
    # None of these customers has an order yet: all in the segment "none".
    no_orders = await services.response_rate(shop, START, NOW, survey="nps", segment="none")
    assert (no_orders.hits, no_orders.n) == (2, 4)
    new = await services.response_rate(shop, START, NOW, segment="new")
    assert new.n == 0 and new.value is None


async def test_segment_boundaries(shop_and_key: tuple[Shop, str]) -> None:
    shop, _ = shop_and_key
    item = await product(shop, "tee", "clothes")
    for count in (1, 2, 3, 4):
        who = await customer(shop, f"orders{count}@x.fr")
        await orders(shop, who, count, item)
        await answer(shop, 10 if count >= 3 else 0, who=who)
    await answer(shop, 8, who=await customer(shop, "no-orders@x.fr"))
    await answer(shop, 8, reusable=True)

    by_segment = await services.answers_by_segment(shop, PERIOD)
    assert {name: counted.n for name, counted in by_segment.items()} == {
        "new": 1,  # 1 order
        "occasional": 2,  # 2 and 3 orders
        "regular": 1,  # 4 orders
        "none": 2,  # no orders, anonymous
    }
    assert by_segment["occasional"].nps() == Nps(1, 0, 1)
    # Thresholds are parameters: new up to 2 orders, occasional 3–4, regular from 5.
    wider = SegmentRule(occasional_from=3, regular_from=5)
    by_wider = await services.answers_by_segment(shop, PERIOD, segments=wider)
    assert [by_wider[name].n for name in ("new", "occasional", "regular")] == [2, 2, 0]

    regular = await services.answers(shop, PERIOD, survey="nps", segment="regular")
    assert regular.nps().score == 100.0
    summary = await services.metrics_summary(shop, "nps", START, NOW, segment="new")
    assert summary["n"] == 1 and summary["nps"]["score"] == -100.0
    assert summary["by_segment"]["none"]["nps"]["passives"] == 2
    with pytest.raises(InvalidInput):
        await services.answers(shop, PERIOD, segment="vip")
    with pytest.raises(ValueError):
        SegmentRule(occasional_from=4, regular_from=4)


async def test_each_period_has_the_segments_of_its_own_end(
    shop_and_key: tuple[Shop, str],
) -> None:
    shop, _ = shop_and_key
    item = await product(shop, "tee", "clothes")
    ann = await customer(shop, "ann@x.fr")
    await order(shop, ann, 45, [(item, 1, "10.00")])  # in the previous period
    await order(shop, ann, 20, [(item, 1, "10.00")])  # in this one: 1 order, then 3
    await order(shop, ann, 15, [(item, 1, "10.00")])
    await answer(shop, 10, who=ann, at=START - timedelta(days=5))  # then "new"
    await answer(shop, 0, who=ann)  # now "occasional"

    new = await services.metrics_summary(shop, "nps", START, NOW, segment="new")
    assert new["n"] == 0 and new["comparison"]["nps"]["previous"] == 100.0
    occasional = await services.metrics_summary(shop, "nps", START, NOW, segment="occasional")
    assert occasional["nps"]["score"] == -100.0
    assert occasional["comparison"]["nps"]["previous"] is None
    assert occasional["by_segment"]["new"]["n"] == 0
    every = await services.metrics_summary(shop, "nps", START, NOW)
    assert every["comparison"]["nps"]["previous"] == 100.0
    # The same figures as the comparison computed on its own, period by period.
    alone = await compared(shop, "nps", PERIOD, segment="new")
    assert alone.nps.previous == 100.0 and alone.nps.current is None


async def test_period_comparison_verdicts(shop_and_key: tuple[Shop, str]) -> None:
    shop, _ = shop_and_key
    before = START - timedelta(days=10)  # inside the previous 30 days
    await answers(shop, [7] * 10 + [0] * 10, at=before)  # −50
    await answers(shop, [10] * 15 + [8] * 5)  # 75
    await answers(shop, [4, 4] + [1] * 8, "thermometer", at=before)  # 20% happy
    await answers(shop, [4] * 9 + [1], "thermometer")  # 90% happy
    await answers(shop, [5] * 5 + [1] * 5, "csat", at=before)  # 50%
    await answers(shop, [5] * 6 + [1] * 4, "csat")  # 60%

    comparison = await compared(shop, None, PERIOD)
    assert comparison.previous.start == START - timedelta(days=30)
    # NPS with the mapped thermometer: previous 2 P, 10 passives, 18 D of 30 → −53.3;
    # current 24 P, 5 passives, 1 D of 30 → 76.7
    assert comparison.nps.change == pytest.approx(76.667 + 53.333, abs=1e-2)
    assert comparison.nps.verdict == UP
    assert comparison.happiness_factor.change == pytest.approx(70.0)
    assert comparison.happiness_factor.verdict == UP
    assert comparison.csat.change == pytest.approx(10.0)
    assert comparison.csat.verdict == NOISE

    backwards = await compared(shop, "nps", PERIOD.previous())
    assert backwards.nps.verdict == NO_DATA  # nothing 60 to 30 days ago

    summary = await services.metrics_summary(shop, "thermometer", START, NOW)
    assert summary["comparison"]["happiness_factor"] == {
        "current": 90.0,
        "previous": 20.0,
        "change": 70.0,
        "z": 3.15,
        "verdict": UP,
    }


async def test_falling_nps_is_reported_down(shop_and_key: tuple[Shop, str]) -> None:
    shop, _ = shop_and_key
    await answers(shop, [10] * 15 + [8] * 5, at=START - timedelta(days=1))
    await answers(shop, [7] * 10 + [0] * 10)
    comparison = await compared(shop, "nps", PERIOD)
    assert comparison.nps.change == pytest.approx(-125.0) and comparison.nps.verdict == DOWN


async def test_weekly_and_monthly_trend(shop_and_key: tuple[Shop, str]) -> None:
    shop, _ = shop_and_key
    ann = await customer(shop, "ann@x.fr")
    # 2024-05-06 is a Monday; nothing in the week of the 13th.
    await answer(shop, 10, who=ann, at=datetime(2024, 5, 9, 8, tzinfo=UTC))
    await answer(shop, 0, who=ann, at=datetime(2024, 5, 12, 23, tzinfo=UTC))  # Ann's latest
    await answer(shop, 9, at=datetime(2024, 5, 12, 22, tzinfo=UTC), reusable=True)
    await answer(shop, 9, at=datetime(2024, 5, 20, tzinfo=UTC))
    await answer(shop, 7, at=datetime(2024, 6, 3, tzinfo=UTC))

    start, end = datetime(2024, 5, 8, tzinfo=UTC), datetime(2024, 6, 4, tzinfo=UTC)
    weekly = await services.trend_points(shop, "nps", start, end)
    assert [point.period_start for point in weekly] == [
        date(2024, 5, 6),
        date(2024, 5, 13),
        date(2024, 5, 20),
        date(2024, 5, 27),
        date(2024, 6, 3),
    ]
    assert [point.answers.n for point in weekly] == [2, 0, 1, 0, 1]
    nps = [point.answers.nps() for point in weekly]
    assert nps[0].score == 0.0  # Ann's 0 (her latest that week) and an anonymous 9
    assert nps[1].score is None and nps[1].ci95 is None
    assert nps[2].ci95 == (100.0, 100.0)

    monthly = await services.trend_points(
        shop, "nps", datetime(2024, 5, 1, tzinfo=UTC), end, every="month", latest_only=False
    )
    assert [(point.period_start, point.answers.n) for point in monthly] == [
        (date(2024, 5, 1), 4),
        (date(2024, 6, 1), 1),
    ]
    assert monthly[0].answers.nps().score == 50.0  # 10, 0, 9, 9: (3 − 1) / 4


# --- Loyalty -----------------------------------------------------------------------------


async def loyalty_history(shop: Shop) -> None:
    """Four customers, prices and NPS answers whose KPIs are worked out in the tests."""
    shoes = await product(shop, "shoes", "shoes")
    bag = await product(shop, "bag", "bags")
    ann = await customer(shop, "ann@x.fr")  # 4 orders of 100: shoes 2 × 30 + a bag 40
    for days_ago in (400, 200, 100, 10):
        await order(shop, ann, days_ago, [(shoes, 2, "30.00"), (bag, 1, "40.00")])
    await order(shop, ann, -5, [(bag, 1, "999.00")])  # after as_of: not counted
    bob = await customer(shop, "bob@x.fr")  # 2 orders of 50, last 250 days ago
    for days_ago in (300, 250):
        await order(shop, bob, days_ago, [(shoes, 1, "50.00")])
    cid = await customer(shop, "cid@x.fr")  # 1 order of 80, 500 days ago
    await order(shop, cid, 500, [(bag, 1, "80.00")])
    dee = await customer(shop, "dee@x.fr")  # 1 order without a price, 20 days ago
    await order(shop, dee, 20, [(shoes, 1, None)])
    await customer(shop, "eve@x.fr")  # no orders at all

    await answer(shop, 2, who=ann, at=NOW - timedelta(days=300))
    await answer(shop, 10, who=ann, at=NOW - timedelta(days=50))  # Ann's latest: promoter
    await answer(shop, 0, who=ann, at=NOW + timedelta(days=1))  # after as_of
    await answer(shop, 8, who=bob, at=NOW - timedelta(days=200))  # passive
    await answer(shop, 3, who=cid, at=NOW - timedelta(days=400))  # detractor
    await answer(shop, 1, "thermometer", who=dee)  # not an NPS answer: group "none"


async def test_loyalty_kpis_overall(shop_and_key: tuple[Shop, str]) -> None:
    shop, _ = shop_and_key
    await loyalty_history(shop)
    loyalty = await services.loyalty_kpis(shop, as_of=NOW)
    overall = loyalty.overall
    assert (overall.customers, overall.orders) == (4, 8)
    # Ann and Bob bought again: 2 of 4.
    assert overall.repurchase_rate.value == 50.0
    # Ann bought shoes and bags; Bob, Cid and Dee one category each: 1 / 3.
    assert overall.upsell_ratio == pytest.approx(1 / 3)
    # Last order older than 180 days: Bob (250) and Cid (500).
    assert overall.churn_rate.value == 50.0 and overall.retention_rate.value == 50.0
    # Sales 400 + 100 + 80 over the 7 orders with a price.
    assert overall.average_order_value == pytest.approx(580 / 7)
    assert overall.orders_per_customer == 2.0
    assert overall.sales_per_customer == pytest.approx(580 / 7 * 2)
    # Last 365 days: Ann 3 orders, Bob 2, Dee 1 → 6 orders by 3 customers.
    assert overall.orders_per_year == 2.0
    # Annual churn: Cid only (no order for a year), 1 / 4 → 4 years.
    assert overall.expected_lifetime_years == 4.0
    assert overall.clv == pytest.approx(580 / 7 * 2 * 4)

    shorter = await services.loyalty_kpis(shop, as_of=NOW, churn_window_days=30)
    assert shorter.overall.churn_rate.hits == 2  # Bob and Cid; Ann (10) and Dee (20) stay
    shortest = await services.loyalty_kpis(shop, as_of=NOW, churn_window_days=15)
    assert shortest.overall.churn_rate.hits == 3  # and Dee


async def test_loyalty_kpis_by_segment_and_nps_group(shop_and_key: tuple[Shop, str]) -> None:
    shop, _ = shop_and_key
    await loyalty_history(shop)
    loyalty = await services.loyalty_kpis(shop, as_of=NOW)

    assert set(loyalty.by_segment) == {"new", "occasional", "regular"}
    new, occasional, regular = (loyalty.by_segment[s] for s in ("new", "occasional", "regular"))
    assert (new.customers, occasional.customers, regular.customers) == (
        2,
        1,
        1,
    )  # Cid+Dee, Bob, Ann
    assert new.repurchase_rate.value == 0.0 and regular.repurchase_rate.value == 100.0
    assert new.average_order_value == 80.0  # Dee's order has no price
    assert new.churn_rate.value == 50.0  # Cid

    groups = loyalty.by_nps_group
    assert {name: totals.customers for name, totals in groups.items()} == {
        "promoter": 1,  # Ann: her latest NPS answer is a 10
        "passive": 1,  # Bob
        "detractor": 1,  # Cid
        "none": 1,  # Dee answered the thermometer only; Eve has no orders
    }
    promoter = groups["promoter"]
    assert promoter.repurchase_rate.value == 100.0 and promoter.churn_rate.value == 0.0
    assert promoter.average_order_value == 100.0
    assert promoter.orders_per_year == 3.0
    assert promoter.expected_lifetime_years == MAX_LIFETIME_YEARS
    assert promoter.clv == pytest.approx(100 * 3 * 10)
    assert groups["detractor"].churn_rate.value == 100.0
    assert groups["detractor"].orders_per_year is None and groups["detractor"].clv is None

    summary = await services.metrics_summary(shop, "nps", START, NOW)
    assert summary["loyalty"]["by_nps_group"]["promoter"] == {
        "customers": 1,
        "orders": 4,
        "repurchase_rate": {"score": 100.0, "ci95": [20.7, 100.0]},
        "upsell_ratio": None,
        "churn_rate": {"score": 0.0, "ci95": [0.0, 79.3]},
        "retention_rate": {"score": 100.0, "ci95": [20.7, 100.0]},
        "average_order_value": 100.0,
        "orders_per_customer": 4.0,
        "sales_per_customer": 400.0,
        "orders_per_customer_per_year": 3.0,
        "expected_lifetime_years": 10.0,
        "clv": 3000.0,
    }
    assert summary["loyalty"]["overall"]["upsell_ratio"] == 0.33


# --- API ---------------------------------------------------------------------------------


@pytest.fixture
async def metrics_api(shop_and_key: tuple[Shop, str]) -> AsyncIterator[httpx.AsyncClient]:
    # The route joins routes.py separately; this app mounts the handler alone.
    app = Starlette(
        routes=[Route("/api/v1/metrics", get_metrics)],
        exception_handlers={DomainError: domain_error},
    )
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {shop_and_key[1]}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as client:
        yield client


async def test_api_answers_the_contract_shape(
    metrics_api: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop, _ = shop_and_key
    recent = datetime.now(UTC) - timedelta(days=3)
    await answers(shop, [10, 9, 0], at=recent)
    await answer(shop, 10, at=datetime.now(UTC) - timedelta(days=100))  # outside 90 days

    reply = await metrics_api.get("/api/v1/metrics", params={"survey": "nps"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert {"n", "nps", "happiness_factor", "csat", "response_rate", "sentiment"} <= body.keys()
    assert {"by_segment", "comparison", "loyalty"} <= body.keys()
    assert body["n"] == 3 and body["nps"]["score"] == 33.3
    assert set(body["nps"]) >= {"score", "ci95", "promoters", "passives", "detractors"}
    assert body["comparison"]["nps"]["previous"] == 100.0

    # Dates are whole days in the shop's timezone (Europe/Paris, UTC+2 in May).
    dated = await metrics_api.get(
        "/api/v1/metrics", params={"from": "2024-05-01", "to": "2024-05-31", "latest_only": "no"}
    )
    assert dated.status_code == 200, dated.text
    assert dated.json()["period"] == {
        "from": "2024-04-30T22:00:00+00:00",
        "to": "2024-05-31T22:00:00+00:00",
    }
    assert dated.json()["latest_only"] is False


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"survey": "stars"}, "survey"),
        ({"segment": "vip"}, "segment"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2024-05-01T10:00:00"}, "to"),
        ({"from": "2024-05-02", "to": "2024-05-01"}, "from"),
        ({"from": "1900-01-01", "to": "1900-02-01"}, "from"),
        ({"from": "2001-01-01", "to": "2024-01-01"}, "from"),
        ({"latest_only": "maybe"}, "latest_only"),
    ],
)
async def test_api_rejects_bad_parameters(
    metrics_api: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    reply = await metrics_api.get("/api/v1/metrics", params=params)
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["code"] == "invalid"
    assert field in reply.json()["error"]["fields"]


async def test_api_needs_a_key(metrics_api: httpx.AsyncClient) -> None:
    reply = await metrics_api.get("/api/v1/metrics", headers={"Authorization": "Bearer nope"})
    assert reply.status_code == 401


def test_buckets_cover_the_period() -> None:
    period = Period(datetime(2024, 1, 31, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC))
    assert period.buckets("month") == [date(2024, 1, 1), date(2024, 2, 1)]
    assert period.buckets("week")[0] == date(2024, 1, 29)
