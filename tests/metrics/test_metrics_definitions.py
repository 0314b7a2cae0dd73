"""The fast queries of the metrics against their plain definitions, worked out in Python from
every row of a small hand-made shop: same-instant answers, several kinds, anonymous answers,
orders after the day asked about; answers the worker has chained (surveys.chain), not yet,
some of them, or unchained again after a deletion. Both engines (SQLite, or PostgreSQL's
own SQL)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from feedback_service.metrics import services
from feedback_service.metrics.values import (
    DEFAULT_SEGMENTS,
    SEGMENTS,
    Answers,
    OrderTotals,
    Period,
    nps_group,
)
from feedback_service.orders.models import Customer, Order, OrderItem, Product
from feedback_service.orders.services import refresh_order_totals
from feedback_service.shops.models import Shop
from feedback_service.surveys import chain
from feedback_service.surveys.models import Invitation, Response

NOW = datetime(2024, 6, 1, tzinfo=UTC)
# (customer or None: anonymous, kind, score, days before NOW); equal days: the same instant.
ANSWERS = [
    ("ann", "nps", 3, 70),
    ("ann", "nps", 9, 40),
    ("ann", "nps", 6, 40),  # same instant as the 9, inserted after it: Ann's latest then
    ("ann", "thermometer", 4, 40),
    ("ann", "nps", 10, 12),
    ("ann", "csat", 2, 12),
    ("ann", "csat", 5, 3),
    ("bob", "nps", 7, 33),
    ("bob", "thermometer", 1, 33),
    ("bob", "thermometer", 3, 32),
    ("bob", "nps", 0, 20),
    ("bob", "csat", 3, 25),
    ("bob", "nps", 8, 2),
    ("cid", "csat", 4, 50),
    ("cid", "nps", 2, 45),
    ("cid", "nps", 10, 45),
    ("cid", "thermometer", 2, 9),
    ("dee", "thermometer", 4, 28),
    ("dee", "thermometer", 2, 28),
    ("dee", "nps", 9, 5),
    ("eve", "nps", 1, 15),  # no orders
    (None, "nps", 10, 40),
    (None, "nps", 10, 40),
    (None, "thermometer", 1, 21),
    (None, "csat", 5, 8),
]
# (customer, days before NOW, [(sku, quantity, unit price or None)])
ORDERS = [
    ("ann", 400, [("shoes", 2, "30.00"), ("bag", 1, "40.00")]),
    ("ann", 120, [("shoes", 1, "35.50")]),
    ("ann", 41, [("bag", 1, None)]),
    ("ann", 10, [("bag", 3, "12.25"), ("tee", 1, "9.99")]),
    ("bob", 300, [("tee", 1, None)]),
    ("bob", 35, [("shoes", 1, "50.00")]),
    ("bob", 33, [("shoes", 1, "50.00"), ("bag", 1, "19.90")]),
    ("cid", 500, [("bag", 1, "80.00")]),
    ("dee", 60, [("tee", 2, "5.00")]),
    ("dee", 16, [("tee", 1, "5.00")]),
    ("dee", -3, [("shoes", 1, "70.00")]),  # after NOW
]
CATEGORIES = {"shoes": "shoes", "bag": "bags", "tee": None}
# Invitations nobody answered: (customer, days before NOW).
UNANSWERED = [("ann", 20), ("eve", 30), ("eve", 3), ("bob", 12), ("cid", 60), ("dee", 39)]


# Answers deleted after they came (a mail scanner's, undone): the other answers of their
# customer and kind are unchained again.
UNDONE = [("ann", "nps", 0, 11), ("bob", "thermometer", 4, 32), ("bob", "nps", 10, 21)]
# What the worker (surveys.chain) has chained when the metrics are read: nothing yet; every
# answer; the answers that came before it ran halfway through (then older and newer ones
# came); every answer, then some were deleted.
CHAINED = ("none", "all", "some", "again")


@pytest.fixture(params=CHAINED)
async def shop(shop_and_key: tuple[Shop, str], request: pytest.FixtureRequest) -> Shop:
    shop = shop_and_key[0]
    customers = {}
    for name in ("ann", "bob", "cid", "dee", "eve"):
        customers[name] = await Customer.create(shop=shop, email=f"{name}@x.fr")

    async def add(name: str | None, kind: str, score: int, days: float) -> Response:
        at = NOW - timedelta(days=days, hours=1)
        who = customers[name] if name else None
        invited = await Invitation.create(
            shop=shop, kind=kind, customer=who, reusable=who is None, created_at=at
        )
        return await Response.create(
            shop=shop,
            invitation=invited,
            customer=who,
            kind=kind,
            score=score,
            # As surveys.services keys them: a personal link's one answer, a reusable one's.
            dedupe_key=f"inv:{invited.id}" if who else f"link:{invited.id}:browser",
            created_at=at,
        )

    # "some": the even answers before the worker runs, the odd ones (older and newer) after.
    later = {n for n in range(len(ANSWERS)) if request.param == "some" and n % 2}
    for n, answer in enumerate(ANSWERS):
        if n not in later:
            await add(*answer)
    undone = [await add(*answer) for answer in UNDONE]
    if request.param in ("some", "again"):
        await chain.chain_answers()
    for n in sorted(later):
        await add(*ANSWERS[n])
    for row in undone:  # as undoing a scanner's burst does
        await row.delete()
        await chain.unchain(row.shop_id, row.kind, row.customer_id)
    if request.param == "all":
        await chain.chain_answers()
    unchained = await Response.filter(shop=shop, chained=False).count()
    if request.param in ("none", "all"):
        assert unchained == (len(ANSWERS) if request.param == "none" else 0)
    else:
        assert 0 < unchained < len(ANSWERS)
    if request.param == "again":  # what they say of the next answer is out of date
        assert await Response.filter(chained=False, superseded_at__not_isnull=True).exists()
    for name, days in UNANSWERED:
        at = NOW - timedelta(days=days, hours=2)
        await Invitation.create(shop=shop, kind="nps", customer=customers[name], created_at=at)
    products = {
        sku: await Product.create(
            shop=shop, sku=sku, name=sku, url=f"https://shop.test/{sku}", category=category
        )
        for sku, category in CATEGORIES.items()
    }
    for n, (name, days, items) in enumerate(ORDERS):
        placed = await Order.create(
            shop=shop,
            customer=customers[name],
            external_id=f"order-{n}",
            ordered_at=NOW - timedelta(days=days),
        )
        for sku, quantity, price in items:
            await OrderItem.create(
                order=placed,
                product=products[sku],
                quantity=quantity,
                unit_price=Decimal(price) if price else None,
            )
    await refresh_order_totals(customer.id for customer in customers.values())
    return shop


# --- The definitions, from every row -----------------------------------------------------


async def counted(shop: Shop, period: Period, survey: str | None, every: str | None) -> Counter:
    """(bucket start or None, kind, score) → answers that count: each customer's latest
    answer per kind (and bucket), by time then by id; every anonymous answer."""
    rows = await Response.filter(shop=shop, created_at__gte=period.start, created_at__lt=period.end)
    return await counted_rows(rows, survey, every)


async def counted_rows(rows: list[Response], survey: str | None, every: str | None) -> Counter:
    latest: dict[tuple[object, ...], Response] = {}
    result: Counter = Counter()
    for row in sorted(rows, key=lambda row: (row.created_at, row.id)):
        if survey is not None and row.kind != survey:
            continue
        day = row.created_at.astimezone(UTC).date()
        bucket: date | None = None
        if every == "week":
            bucket = day - timedelta(days=day.weekday())
        elif every == "month":
            bucket = day.replace(day=1)
        if row.customer_id is None:
            result[(bucket, row.kind, row.score)] += 1
        else:
            latest[(bucket, row.kind, row.customer_id)] = row  # later rows replace earlier
    for (bucket, kind, _), row in latest.items():
        result[(bucket, kind, row.score)] += 1
    return result


async def segment_at(shop: Shop, customer_id: int | None, end: datetime) -> str:
    """The segment of a customer by their orders placed before `end`; "none" without."""
    if customer_id is None:
        return "none"
    placed = await Order.filter(shop=shop, customer_id=customer_id, ordered_at__lt=end).count()
    return DEFAULT_SEGMENTS.name(placed or None)


async def counted_by_segment(shop: Shop, period: Period, survey: str | None) -> dict[str, Counter]:
    result = {segment: Counter() for segment in SEGMENTS}
    rows = await Response.filter(shop=shop, created_at__gte=period.start, created_at__lt=period.end)
    for customer_id in {row.customer_id for row in rows}:
        mine = [row for row in rows if row.customer_id == customer_id]
        segment = await segment_at(shop, customer_id, period.end)
        for key, n in (await counted_rows(mine, survey, None)).items():
            result[segment][key] += n
    return result


async def rate_by_segment(shop: Shop, period: Period, survey: str | None) -> dict[str, tuple]:
    """(answered, sent) of the invitations sent in the period, by segment at its end."""
    result = {segment: (0, 0) for segment in SEGMENTS}
    invitations = await Invitation.filter(
        shop=shop, reusable=False, created_at__gte=period.start, created_at__lt=period.end
    )
    for invitation in invitations:
        if survey is not None and invitation.kind != survey:
            continue
        answered = await Response.filter(invitation_id=invitation.id).exists()
        segment = await segment_at(shop, invitation.customer_id, period.end)
        hits, sent = result[segment]
        result[segment] = (hits + answered, sent + 1)
    return result


def as_counter(answers: Answers, bucket: date | None = None) -> Counter:
    return Counter({(bucket, kind, score): n for (kind, score), n in answers.by_score.items() if n})


async def loyalty_by_hand(shop: Shop, as_of: datetime, churn_days: int) -> dict[str, OrderTotals]:
    """OrderTotals per (segment, NPS group) name, from every order, item and NPS answer."""
    year_start = as_of - timedelta(days=365)
    totals: dict[str, OrderTotals] = {}
    for who in await Customer.filter(shop=shop):
        placed = await Order.filter(customer=who, ordered_at__lt=as_of).prefetch_related(
            "items__product"
        )
        if not placed:
            continue
        sales, priced, categories = 0.0, 0, set()
        for order in placed:
            prices = [i.quantity * float(i.unit_price) for i in order.items if i.unit_price]
            sales += sum(prices)
            priced += bool(prices)
            categories |= {i.product.category for i in order.items if i.product.category}
        last = max(order.ordered_at for order in placed)
        last_year = sum(1 for order in placed if order.ordered_at >= year_start)
        nps = await (
            Response.filter(customer=who, kind="nps", created_at__lt=as_of)
            .order_by("-created_at", "-id")
            .first()
        )
        group = nps_group("nps", nps.score) if nps else "none"
        one = OrderTotals(
            customers=1,
            repeat_customers=int(len(placed) >= 2),
            orders=len(placed),
            lapsed=int(last < as_of - timedelta(days=churn_days)),
            lapsed_a_year=int(last < year_start),
            customers_last_year=int(last_year > 0),
            orders_last_year=last_year,
            multi_category=int(len(categories) > 1),
            single_category=int(len(categories) == 1),
            sales=sales,
            priced_orders=priced,
        )
        for name in (DEFAULT_SEGMENTS.name(len(placed)), str(group), "overall"):
            totals[name] = totals.get(name, OrderTotals()) + one
    return totals


# --- The queries against them ------------------------------------------------------------

PERIODS = [
    Period(NOW - timedelta(days=90), NOW),
    Period(NOW - timedelta(days=41), NOW - timedelta(days=10)),
    Period(NOW - timedelta(days=40, hours=1), NOW - timedelta(days=12, hours=1)),
]
SURVEYS = [None, "nps", "thermometer", "csat"]


@pytest.mark.parametrize("survey", SURVEYS)
async def test_counted_answers_of_a_period(shop: Shop, survey: str | None) -> None:
    for period in PERIODS:
        expected = await counted(shop, period, survey, None)
        assert sum(expected.values()) > 0
        found = await services.answers(shop, period, survey=survey)
        assert as_counter(found) == expected
        by_segment = await services.answers_by_segment(shop, period, survey=survey)
        assert as_counter(sum(by_segment.values(), Answers())) == expected
        expected_by_segment = await counted_by_segment(shop, period, survey)
        assert {name: as_counter(found) for name, found in by_segment.items()} == {
            name: +counted for name, counted in expected_by_segment.items()
        }
        rates = await services.response_rate_by_segment(shop, period, survey=survey)
        assert {name: (rate.hits, rate.n) for name, rate in rates.items()} == await rate_by_segment(
            shop, period, survey
        )
        # The summary's query of two periods at once, for every segment.
        current, _ = await services.answers_by_segment_and_before(
            shop, period, survey=survey, segment="new"
        )
        assert as_counter(sum(current.values(), Answers())) == expected


@pytest.mark.parametrize("survey", SURVEYS)
@pytest.mark.parametrize("every", ["week", "month"])
async def test_trend_points(shop: Shop, survey: str | None, every: str) -> None:
    for period in PERIODS:
        expected = await counted(shop, period, survey, every)
        points = await services.trend_points(shop, survey, period.start, period.end, every=every)
        found: Counter = Counter()
        for point in points:
            found += as_counter(point.answers, point.period_start)
        assert found == expected


@pytest.mark.parametrize("days_ago", [0, 11, 34, 40, 100, 1000])
async def test_loyalty_as_of_a_day(shop: Shop, days_ago: int) -> None:
    as_of = NOW - timedelta(days=days_ago)
    expected = await loyalty_by_hand(shop, as_of, churn_days=30)
    loyalty = await services.loyalty_kpis(shop, as_of=as_of, churn_window_days=30)
    found = {
        "overall": loyalty.overall,
        **loyalty.by_segment,
        **{str(group): totals for group, totals in loyalty.by_nps_group.items()},
    }
    for name, totals in found.items():
        want = expected.get(name, OrderTotals())
        assert totals.sales == pytest.approx(want.sales), name
        assert replace(totals, sales=0.0) == replace(want, sales=0.0), name
