"""What a shop learns from its answers and orders: NPS with its interval, happiness factor,
CSAT, response rate, this period against the last, trends and loyalty KPIs.

Every figure comes from SQL aggregates (a few dozen grouped rows at most), never from
answer or order rows loaded into Python: the database does the counting.
Shares are in percent (0–100), the NPS in points (−100..100).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from feedback_service import db
from feedback_service.errors import InvalidInput
from feedback_service.metrics import recovery
from feedback_service.metrics.stats import (
    Change,
    Interval,
    Nps,
    Share,
    compare_nps,
    compare_shares,
)
from feedback_service.shops.models import Shop
from feedback_service.surveys.chain import chain_answers, chained_once

SURVEYS = ("nps", "thermometer", "csat")
SEGMENTS = ("new", "occasional", "regular", "none")
# Loyalty looks at customers with orders only: none of them is in the segment "none".
ORDER_SEGMENTS = SEGMENTS[:-1]
NPS_GROUPS = ("promoter", "passive", "detractor", "none")
TREND_STEPS = ("week", "month")
SENTIMENT_LABELS = ("positive", "neutral", "negative")

DEFAULT_CHURN_WINDOW_DAYS = 180
# 1 / annual churn explodes when almost nobody leaves; no shop plans on forever.
MAX_LIFETIME_YEARS = 10.0
YEAR = timedelta(days=365)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Period:
    """From `start` (included) to `end` (excluded), aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a period needs timezone-aware datetimes")
        if self.start >= self.end:
            raise InvalidInput("The period is empty.", fields={"from": "must be before to"})

    def previous(self) -> Period:
        """The period of equal length just before this one, for comparisons."""
        return Period(self.start - (self.end - self.start), self.start)

    def as_json(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


@dataclass(frozen=True)
class SegmentRule:
    """Customers by their number of orders: new (1), occasional (2–3), regular (4 or more).

    Customers without orders, and anonymous answers, are in the segment "none".
    """

    occasional_from: int = 2
    regular_from: int = 4

    def __post_init__(self) -> None:
        if not 2 <= self.occasional_from < self.regular_from:
            raise ValueError("segments need 2 <= occasional_from < regular_from")

    def case(self, orders: str) -> str:
        """SQL naming the segment of a row whose order count is the expression `orders`."""
        return (
            f"CASE WHEN {orders} IS NULL THEN 'none' "
            f"WHEN {orders} < :occasional_from THEN 'new' "
            f"WHEN {orders} < :regular_from THEN 'occasional' ELSE 'regular' END"
        )

    def params(self) -> dict[str, int]:
        return {"occasional_from": self.occasional_from, "regular_from": self.regular_from}

    def name(self, orders: int | None) -> str:
        """The segment of a customer with this many orders (None: none), as `case` names it.

        Grouping by the number and naming it here spares the database a CASE per row."""
        if orders is None:
            return "none"
        if orders < self.occasional_from:
            return "new"
        return "occasional" if orders < self.regular_from else "regular"


DEFAULT_SEGMENTS = SegmentRule()


def shop_segments(shop: Shop) -> SegmentRule:
    """The shop's segment thresholds (/admin/settings); the defaults if stored ones clash."""
    try:
        return SegmentRule(shop.segment_occasional_from, shop.segment_regular_from)
    except ValueError:
        return DEFAULT_SEGMENTS


def check_survey(survey: str | None) -> None:
    if survey is not None and survey not in SURVEYS:
        raise InvalidInput("Unknown survey kind.", fields={"survey": "nps, thermometer or csat"})


def check_segment(segment: str | None) -> None:
    if segment is not None and segment not in SEGMENTS:
        raise InvalidInput("Unknown segment.", fields={"segment": ", ".join(SEGMENTS)})


# --- Answers -----------------------------------------------------------------------------


def nps_group(kind: str, score: int) -> str | None:
    """Promoter, passive or detractor; a thermometer answer maps gold, green, yellow/red."""
    if kind == "nps":
        return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
    if kind == "thermometer":
        return "promoter" if score >= 4 else "passive" if score == 3 else "detractor"
    return None


@dataclass
class Answers:
    """Counted answers by (survey kind, score): every survey metric is derived from them."""

    by_score: Counter[tuple[str, int]] = field(default_factory=Counter)

    @property
    def n(self) -> int:
        return sum(self.by_score.values())

    def add_row(self, row: db.Row) -> None:
        """Counts a row (kind, score, n) of a query grouped by survey kind and score."""
        self.by_score[(row["kind"], int(row["score"]))] += db.as_int(row["n"])

    def count(self, kind: str, scores: range | None = None) -> int:
        return sum(
            n
            for (k, score), n in self.by_score.items()
            if k == kind and (scores is None or score in scores)
        )

    def nps(self) -> Nps:
        """NPS answers, plus thermometer answers mapped onto the NPS groups when present."""
        groups: Counter[str] = Counter()
        for (kind, score), n in self.by_score.items():
            group = nps_group(kind, score)
            if group is not None:
                groups[group] += n
        return Nps(groups["promoter"], groups["passive"], groups["detractor"])

    def happiness_factor(self) -> Share:
        """Gold and green thermometer answers among all thermometer answers."""
        return Share(self.count("thermometer", range(3, 5)), self.count("thermometer"))

    def csat(self) -> Share:
        """Satisfied (4) and very satisfied (5) among all CSAT answers."""
        return Share(self.count("csat", range(4, 6)), self.count("csat"))

    def __add__(self, other: Answers) -> Answers:
        return Answers(self.by_score + other.by_score)


def _kinds(survey: str | None) -> tuple[str, ...]:
    return (survey,) if survey else SURVEYS


def _in_list(name: str, values: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """`IN (:name_0, :name_1)` and its parameters: the kind list stays an index range scan."""
    params = {f"{name}_{i}": value for i, value in enumerate(values)}
    return "IN (" + ", ".join(f":{key}" for key in params) + ")", params


def counted_answers_sql(
    kinds_in: str, *, latest_only: bool, bucket: Callable[[str], str] | None = None
) -> str:
    """The answers that count in a period, as a subquery (period_start?, kind, customer_id,
    score). With latest_only, only each customer's last answer per survey kind (and per
    bucket, `bucket(column)` naming the bucket of a time column) counts, so a customer asked
    twice does not weigh twice: an answer whose next one (superseded_at, see surveys.chain)
    comes after the period, or in another bucket. Anonymous answers (reusable links) cannot
    be told apart and each count."""
    bucket_column = f"{bucket('r.created_at')} AS period_start, " if bucket else ""
    latest = ""
    if latest_only:
        later = f" OR {bucket('r.superseded_at')} <> {bucket('r.created_at')}" if bucket else ""
        latest = f" AND (r.superseded_at IS NULL OR r.superseded_at >= :end{later})"
    return f"""
        SELECT {bucket_column}r.kind, r.customer_id, r.score
        FROM response r
        WHERE r.shop_id = :shop AND r.kind {kinds_in}
          AND r.created_at >= :start AND r.created_at < :end{latest}"""


def _orders_at_end_sql(customer_id: str) -> tuple[str, str]:
    """Joins on the customer of `customer_id`, and the number of orders they had placed
    before the end of the period (NULL: none), which names the segment they were in then.

    Their stored order count, less the orders placed since: few when the end is recent,
    read from the (shop_id, ordered_at, customer_id) index. Customers without orders (often
    most of those invited) are in no segment: left out of the join, which they would only
    make longer."""
    # Both joined on the answers' customer: hash joins. Nested (customer, then its later
    # orders), PostgreSQL looked each answer's customer up and joined its orders again per
    # answer, twice as slow.
    joins = f"""
        LEFT JOIN (
            SELECT customer_id, COUNT(*) AS orders
            FROM shop_order
            WHERE shop_id = :shop AND ordered_at >= :end
            GROUP BY customer_id
        ) later ON later.customer_id = {customer_id}
        LEFT JOIN customer cu ON cu.id = {customer_id} AND cu.orders_count > 0"""
    return joins, "NULLIF(cu.orders_count - COALESCE(later.orders, 0), 0)"


async def answers_by_segment(
    shop: Shop,
    period: Period,
    *,
    survey: str | None = None,
    latest_only: bool = True,
    segments: SegmentRule | None = None,
) -> dict[str, Answers]:
    """Counted answers of a period, by customer segment ("none": no orders or anonymous).
    Segments follow the shop's thresholds unless `segments` is given."""
    check_survey(survey)
    segments = segments or shop_segments(shop)
    kinds_in, kind_params = _in_list("kind", _kinds(survey))
    orders_joins, orders = _orders_at_end_sql("a.customer_id")
    query = f"""
        SELECT a.kind, a.score, {orders} AS orders, COUNT(*) AS n
        FROM ({counted_answers_sql(kinds_in, latest_only=latest_only)}) a
        {orders_joins}
        GROUP BY 1, 2, 3"""
    params = {"shop": shop.id, "start": period.start, "end": period.end, **kind_params}
    result = {segment: Answers() for segment in SEGMENTS}
    await chain_answers()
    for row in await db.fetch_report(query, params):
        result[segments.name(row["orders"])].add_row(row)
    return result


async def answers_by_segment_and_before(
    shop: Shop,
    period: Period,
    *,
    survey: str | None = None,
    latest_only: bool = True,
    segment: str | None = None,
    segments: SegmentRule | None = None,
) -> tuple[dict[str, Answers], Answers]:
    """answers_by_segment of the period, and the counted answers of `segment` (None: of
    every segment) in the period before it, for the comparison: one query, one pass over
    the answers of both periods and one over the customers."""
    check_segment(segment)
    check_survey(survey)
    segments = segments or shop_segments(shop)
    kinds_in, kind_params = _in_list("kind", _kinds(survey))

    # Latest answers per period (the bucket); each period's segments as of its own end,
    # and none for the period before when all its answers count alike.
    def in_current(column: str) -> str:
        return f"CASE WHEN {column} >= :current_start THEN 1 ELSE 0 END"

    answers = counted_answers_sql(kinds_in, latest_only=latest_only, bucket=in_current)
    later = "CASE WHEN a.period_start = 1 THEN later.since_end ELSE later.since_start END"
    orders = f"NULLIF(cu.orders_count - COALESCE({later}, 0), 0)"
    # The period before needs no segment when all its answers count: NULL keys skip the
    # customer lookup (a join condition on the period would look them up, then drop them).
    join_current = "CASE WHEN a.period_start = 1 THEN a.customer_id END"
    query = f"""
        SELECT a.period_start AS is_current, a.kind, a.score, {segments.case(orders)} AS segment,
               COUNT(*) AS n
        FROM ({answers}) a
        LEFT JOIN (
            customer cu
            LEFT JOIN (
                SELECT customer_id, COUNT(*) AS since_start,
                       SUM(CASE WHEN ordered_at >= :end THEN 1 ELSE 0 END) AS since_end
                FROM shop_order
                WHERE shop_id = :shop AND ordered_at >= :current_start
                GROUP BY customer_id
            ) later ON later.customer_id = cu.id
        ) ON cu.id = {"a.customer_id" if segment else join_current} AND cu.orders_count > 0
        GROUP BY 1, 2, 3, 4"""
    params = {
        "shop": shop.id,
        "start": period.previous().start,
        "current_start": period.start,
        "end": period.end,
        **kind_params,
        **segments.params(),
    }
    current = {name: Answers() for name in SEGMENTS}
    previous = Answers()
    await chain_answers()
    for row in await db.fetch_report(query, params):
        if db.as_int(row["is_current"]):
            current[row["segment"]].add_row(row)
        elif segment is None or row["segment"] == segment:
            previous.add_row(row)
    return current, previous


def pick_segment(by_segment: dict[str, Answers], segment: str | None) -> Answers:
    if segment is not None:
        return by_segment[segment]
    return sum(by_segment.values(), Answers())


async def answers(
    shop: Shop,
    period: Period,
    *,
    survey: str | None = None,
    latest_only: bool = True,
    segment: str | None = None,
    segments: SegmentRule | None = None,
) -> Answers:
    """Counted answers of a period, of one segment or of all (then without reading orders)."""
    check_segment(segment)
    if segment is not None:
        by_segment = await answers_by_segment(
            shop, period, survey=survey, latest_only=latest_only, segments=segments
        )
        return by_segment[segment]
    check_survey(survey)
    kinds_in, kind_params = _in_list("kind", _kinds(survey))
    query = f"""
        SELECT a.kind, a.score, COUNT(*) AS n
        FROM ({counted_answers_sql(kinds_in, latest_only=latest_only)}) a
        GROUP BY 1, 2"""
    params = {"shop": shop.id, "start": period.start, "end": period.end, **kind_params}
    counted = Answers()
    await chain_answers()
    for row in await db.fetch_report(query, params):
        counted.add_row(row)
    return counted


async def nps(
    shop: Shop,
    date_from: datetime,
    date_to: datetime,
    *,
    survey: str | None = "nps",
    latest_only: bool = True,
    segment: str | None = None,
) -> Nps:
    """NPS of a period; survey="thermometer" maps the thermometer, None combines both."""
    counted = await answers(
        shop, Period(date_from, date_to), survey=survey, latest_only=latest_only, segment=segment
    )
    return counted.nps()


async def happiness_factor(
    shop: Shop,
    date_from: datetime,
    date_to: datetime,
    *,
    latest_only: bool = True,
    segment: str | None = None,
) -> Share:
    counted = await answers(
        shop,
        Period(date_from, date_to),
        survey="thermometer",
        latest_only=latest_only,
        segment=segment,
    )
    return counted.happiness_factor()


async def csat(
    shop: Shop,
    date_from: datetime,
    date_to: datetime,
    *,
    latest_only: bool = True,
    segment: str | None = None,
) -> Share:
    counted = await answers(
        shop, Period(date_from, date_to), survey="csat", latest_only=latest_only, segment=segment
    )
    return counted.csat()


# --- Response rate -----------------------------------------------------------------------


def _response_rate_sql(kinds_in: str, *, segments: SegmentRule | None) -> str:
    """Invitations sent and answered; per number of orders at the end of the period (which
    names the segment) when `segments` are given.

    An answer never precedes its invitation: `r.created_at >= :start` changes no count but
    lets the answers come from the (shop_id, kind, created_at) index. A sent invitation has
    at most one answer (its dedupe key), so counting answers counts answered invitations.
    """
    orders_column, orders_joins = "", ""
    if segments is not None:
        orders_joins, orders = _orders_at_end_sql("i.customer_id")
        orders_column = f"{orders} AS orders, "
    return f"""
        SELECT {orders_column}COUNT(*) AS sent, COUNT(r.id) AS answered
        FROM invitation i
        LEFT JOIN response r
          ON r.invitation_id = i.id AND r.shop_id = :shop AND r.kind {kinds_in}
         AND r.created_at >= :start
        {orders_joins}
        WHERE i.shop_id = :shop AND i.kind {kinds_in} AND i.reusable = FALSE
          AND i.created_at >= :start AND i.created_at < :end
        {"GROUP BY 1" if segments is not None else ""}"""


async def response_rate_by_segment(
    shop: Shop,
    period: Period,
    *,
    survey: str | None = None,
    segments: SegmentRule | None = None,
) -> dict[str, Share]:
    """Invitations sent in the period that got a confirmed answer, by customer segment.

    Reusable links (email signatures, receipts) are not sent to anyone: left out.
    """
    check_survey(survey)
    segments = segments or shop_segments(shop)
    kinds_in, kind_params = _in_list("kind", _kinds(survey))
    query = _response_rate_sql(kinds_in, segments=segments)
    params = {"shop": shop.id, "start": period.start, "end": period.end, **kind_params}
    result = {segment: Share() for segment in SEGMENTS}
    for row in await db.fetch_report(query, params):
        rate = Share(db.as_int(row["answered"]), db.as_int(row["sent"]))
        result[segments.name(row["orders"])] += rate
    return result


def pick_rate(by_segment: dict[str, Share], segment: str | None) -> Share:
    if segment is not None:
        return by_segment[segment]
    return sum(by_segment.values(), Share())


async def response_rate(
    shop: Shop,
    date_from: datetime,
    date_to: datetime,
    *,
    survey: str | None = None,
    segment: str | None = None,
) -> Share:
    """Share of the invitations sent in the period that got a confirmed answer."""
    check_segment(segment)
    period = Period(date_from, date_to)
    if segment is not None:
        by_segment = await response_rate_by_segment(shop, period, survey=survey)
        return by_segment[segment]
    check_survey(survey)
    kinds_in, kind_params = _in_list("kind", _kinds(survey))
    params = {"shop": shop.id, "start": period.start, "end": period.end, **kind_params}
    rows = await db.fetch_report(_response_rate_sql(kinds_in, segments=None), params)
    return Share(db.as_int(rows[0]["answered"]), db.as_int(rows[0]["sent"]))


# --- This period against the previous one ------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    current: Period
    previous: Period
    nps: Change
    happiness_factor: Change
    csat: Change


def compare(current: Answers, previous: Answers, period: Period) -> Comparison:
    return Comparison(
        current=period,
        previous=period.previous(),
        nps=compare_nps(current.nps(), previous.nps()),
        happiness_factor=compare_shares(current.happiness_factor(), previous.happiness_factor()),
        csat=compare_shares(current.csat(), previous.csat()),
    )


async def compare_periods(
    shop: Shop,
    survey: str | None,
    date_from: datetime,
    date_to: datetime,
    *,
    latest_only: bool = True,
    segment: str | None = None,
) -> Comparison:
    """This period against the previous one of equal length: change and verdict per metric."""
    period = Period(date_from, date_to)
    options: dict[str, Any] = {"survey": survey, "latest_only": latest_only, "segment": segment}
    current = await answers(shop, period, **options)
    previous = await answers(shop, period.previous(), **options)
    return compare(current, previous, period)


# --- Trend -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    period_start: date
    answers: Answers


def _bucket_starts(period: Period, every: str) -> list[date]:
    """Every week (Monday) or month start from the period's start to its end, in UTC."""
    first = period.start.astimezone(UTC).date()
    last = (period.end - timedelta(microseconds=1)).astimezone(UTC).date()
    if every == "week":
        day = first - timedelta(days=first.weekday())
        starts = []
        while day <= last:
            starts.append(day)
            day += timedelta(days=7)
        return starts
    month = first.replace(day=1)
    starts = []
    while month <= last:
        starts.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return starts


async def trend_points(
    shop: Shop,
    survey: str | None,
    date_from: datetime,
    date_to: datetime,
    *,
    every: str = "week",
    latest_only: bool = True,
) -> list[TrendPoint]:
    """Answers per week or month (UTC), periods without answers included, for a chart."""
    check_survey(survey)
    if every not in TREND_STEPS:
        raise InvalidInput("Unknown trend step.", fields={"every": "week or month"})
    period = Period(date_from, date_to)
    starts = _bucket_starts(period, every)
    params: dict[str, Any] = {
        "shop": shop.id,
        "start": period.start,
        "end": period.end,
        "bucket_starts": [datetime.combine(day, time.min, tzinfo=UTC) for day in starts],
    }

    def bucket(column: str) -> str:
        return db.ops().period_bucket(column, every, ":bucket_starts")

    kinds_in, kind_params = _in_list("kind", _kinds(survey))
    params.update(kind_params)
    answers = counted_answers_sql(kinds_in, latest_only=latest_only, bucket=bucket)
    query = f"""
        SELECT a.period_start, a.kind, a.score, COUNT(*) AS n
        FROM ({answers}) a
        GROUP BY 1, 2, 3"""
    points = {start: Answers() for start in starts}
    await chain_answers()
    for row in await db.fetch_report(query, params):
        value = row["period_start"]
        start = starts[value - 1] if isinstance(value, int) else db.as_date(value)
        points.setdefault(start, Answers()).add_row(row)
    return [TrendPoint(start, points[start]) for start in sorted(points)]


async def trend(
    shop: Shop,
    survey: str | None,
    date_from: datetime,
    date_to: datetime,
    *,
    every: str = "week",
    latest_only: bool = True,
) -> list[dict[str, Any]]:
    """[{period_start, n, nps, ci95, happiness_factor, csat}] per week or month, for a chart."""
    points = await trend_points(
        shop, survey, date_from, date_to, every=every, latest_only=latest_only
    )
    return trend_json(points)


# --- Sentiment ---------------------------------------------------------------------------


async def sentiment_summary(
    shop: Shop, period: Period, *, survey: str | None = None
) -> dict[str, Any]:
    """Analysed comments of the period by sentiment label, and their average score (−1..1).

    Every analysed comment counts, whatever `latest_only`: each says something new.
    """
    check_survey(survey)
    kinds_in, kind_params = _in_list("kind", _kinds(survey))
    query = f"""
        SELECT r.sentiment_label AS label, COUNT(*) AS n, SUM(r.sentiment_score) AS total
        FROM response r
        WHERE r.shop_id = :shop AND r.kind {kinds_in} AND r.sentiment_label IS NOT NULL
          AND r.created_at >= :start AND r.created_at < :end
        GROUP BY 1"""
    params = {"shop": shop.id, "start": period.start, "end": period.end, **kind_params}
    rows = await db.fetch_report(query, params)
    counts = {label: 0 for label in SENTIMENT_LABELS}
    total = 0.0
    for row in rows:
        counts[row["label"]] = counts.get(row["label"], 0) + db.as_int(row["n"])
        total += db.as_float(row["total"]) or 0.0
    n = sum(counts.values())
    return {"n": n, "average": _round(total / n if n else None, 3), **counts}


# --- Loyalty -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderTotals:
    """Sums over a group of customers with orders; each loyalty KPI is a ratio of two."""

    customers: int = 0
    repeat_customers: int = 0  # 2 orders or more
    orders: int = 0
    lapsed: int = 0  # last order older than the churn window
    lapsed_a_year: int = 0  # last order older than a year: the annual churn
    customers_last_year: int = 0
    orders_last_year: int = 0
    multi_category: int = 0  # bought from more than one product category
    single_category: int = 0
    sales: float = 0.0
    priced_orders: int = 0  # orders with a known price, for the average order value

    def __add__(self, other: OrderTotals) -> OrderTotals:
        return OrderTotals(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def repurchase_rate(self) -> Share:
        return Share(self.repeat_customers, self.customers)

    @property
    def churn_rate(self) -> Share:
        return Share(self.lapsed, self.customers)

    @property
    def retention_rate(self) -> Share:
        return Share(self.customers - self.lapsed, self.customers)

    @property
    def upsell_ratio(self) -> float | None:
        """Customers buying more than one category per customer buying exactly one."""
        return _ratio(self.multi_category, self.single_category)

    @property
    def average_order_value(self) -> float | None:
        return _ratio(self.sales, self.priced_orders)

    @property
    def orders_per_customer(self) -> float | None:
        return _ratio(self.orders, self.customers)

    @property
    def sales_per_customer(self) -> float | None:
        # Orders sent without prices count at the average value, not at zero.
        if self.average_order_value is None or self.orders_per_customer is None:
            return None
        return self.average_order_value * self.orders_per_customer

    @property
    def orders_per_year(self) -> float | None:
        """Orders per customer per year, among customers who bought in the last year."""
        return _ratio(self.orders_last_year, self.customers_last_year)

    @property
    def expected_lifetime_years(self) -> float | None:
        """1 / annual churn, capped: a customer lost after a year without an order."""
        if self.customers == 0:
            return None
        annual_churn = self.lapsed_a_year / self.customers
        if annual_churn == 0:
            return MAX_LIFETIME_YEARS
        return min(1 / annual_churn, MAX_LIFETIME_YEARS)

    @property
    def clv(self) -> float | None:
        """Customer lifetime value: AOV × orders per year × expected lifetime in years."""
        aov, per_year, lifetime = (
            self.average_order_value,
            self.orders_per_year,
            self.expected_lifetime_years,
        )
        if aov is None or per_year is None or lifetime is None:
            return None
        return aov * per_year * lifetime


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if not denominator else numerator / denominator


@dataclass(frozen=True)
class Loyalty:
    as_of: datetime
    churn_window_days: int
    overall: OrderTotals
    by_segment: dict[str, OrderTotals]
    by_nps_group: dict[str, OrderTotals]


# Each customer's latest NPS score as of `as_of` (on `cu`, a customer row): the one kept
# with them (Customer.nps_score) when they answered it before; else (they answered since,
# few when `as_of` is recent) the answer that was their latest then and has been superseded
# since (`past`, _NPS_SUPERSEDED_SQL), from the index of superseded answers.
_NPS_AS_OF_SQL = (
    "CASE WHEN cu.nps_at IS NULL OR cu.nps_at < :as_of THEN cu.nps_score ELSE past.score END"
)
_NPS_SUPERSEDED_SQL = """
    SELECT customer_id, score FROM response
    WHERE shop_id = :shop AND kind = 'nps' AND superseded_at >= :as_of AND created_at < :as_of"""

# Each customer's order totals and NPS score as of `as_of`. A customer whose last order is
# older: the totals kept with them (Customer.orders_count …), and their NPS score too unless
# they answered since (then `past`; both few when `as_of` is recent). The customers who
# ordered since (none when `as_of` is now, the usual case): from their orders' stored
# totals (Order.amount …). The smallest and largest category name tell one category from
# several without a COUNT(DISTINCT).
_CUSTOMER_TOTALS_SQL = f"""
    SELECT id AS customer_id, orders_count AS orders, last_order_at, sales, priced_orders,
           min_category, max_category, nps_score AS nps
    FROM customer
    WHERE shop_id = :shop AND last_order_at < :as_of AND (nps_at IS NULL OR nps_at < :as_of)
    UNION ALL
    SELECT cu.id, cu.orders_count, cu.last_order_at, cu.sales, cu.priced_orders,
           cu.min_category, cu.max_category, past.score
    FROM customer cu
    LEFT JOIN past ON past.customer_id = cu.id
    WHERE cu.shop_id = :shop AND cu.nps_at >= :as_of AND cu.last_order_at < :as_of
    UNION ALL
    SELECT o.customer_id, COUNT(*), MAX(o.ordered_at), SUM(o.amount), COUNT(o.amount),
           MIN(o.min_category), MAX(o.max_category), MAX({_NPS_AS_OF_SQL})
    FROM shop_order o
    JOIN customer cu
      ON cu.id = o.customer_id AND cu.shop_id = :shop AND cu.last_order_at >= :as_of
    LEFT JOIN past ON past.customer_id = o.customer_id
    WHERE o.shop_id = :shop AND o.ordered_at < :as_of
    GROUP BY o.customer_id"""


def _loyalty_sql(segments: SegmentRule) -> str:
    return f"""
WITH past AS ({_NPS_SUPERSEDED_SQL})
SELECT {segments.case("c.orders")} AS segment,
       CASE WHEN c.nps IS NULL THEN 'none'
            WHEN c.nps >= 9 THEN 'promoter'
            WHEN c.nps >= 7 THEN 'passive'
            ELSE 'detractor' END AS nps_group,
       COUNT(*) AS customers,
       SUM(CASE WHEN c.orders >= 2 THEN 1 ELSE 0 END) AS repeat_customers,
       SUM(c.orders) AS orders,
       SUM(CASE WHEN c.last_order_at < :churn_before THEN 1 ELSE 0 END) AS lapsed,
       SUM(CASE WHEN c.last_order_at < :year_start THEN 1 ELSE 0 END) AS lapsed_a_year,
       COUNT(y.orders) AS customers_last_year,
       SUM(y.orders) AS orders_last_year,
       SUM(CASE WHEN c.min_category < c.max_category THEN 1 ELSE 0 END) AS multi_category,
       SUM(CASE WHEN c.min_category = c.max_category THEN 1 ELSE 0 END) AS single_category,
       SUM(c.sales) AS sales,
       SUM(c.priced_orders) AS priced_orders
FROM ({_CUSTOMER_TOTALS_SQL}) c
LEFT JOIN (
    SELECT customer_id, COUNT(*) AS orders
    FROM shop_order
    WHERE shop_id = :shop AND ordered_at >= :year_start AND ordered_at < :as_of
    GROUP BY customer_id
) y ON y.customer_id = c.customer_id
GROUP BY 1, 2
"""


def _order_totals(row: db.Row) -> OrderTotals:
    counts = {f.name: db.as_int(row[f.name]) for f in fields(OrderTotals) if f.name != "sales"}
    return OrderTotals(**counts, sales=db.as_float(row["sales"]) or 0.0)


async def loyalty_kpis(
    shop: Shop,
    *,
    as_of: datetime | None = None,
    churn_window_days: int | None = None,
    segments: SegmentRule | None = None,
) -> Loyalty:
    """Loyalty KPIs from the orders placed before `as_of`: overall, by segment and by the
    NPS group of each customer's latest NPS answer, so a shop sees whether promoters buy
    again. The churn window and the segments are the shop's settings unless given."""
    as_of = as_of or utcnow()
    segments = segments or shop_segments(shop)
    if churn_window_days is None:
        churn_window_days = shop.churn_days or DEFAULT_CHURN_WINDOW_DAYS
    if churn_window_days < 1:
        raise InvalidInput(
            "The churn window is at least one day.", fields={"churn_window_days": "≥ 1"}
        )
    params = {
        "shop": shop.id,
        "as_of": as_of,
        "year_start": as_of - YEAR,
        "churn_before": as_of - timedelta(days=churn_window_days),
        **segments.params(),
    }
    await chain_answers()
    rows = await db.fetch_report(_loyalty_sql(segments), params)
    by_segment = {segment: OrderTotals() for segment in ORDER_SEGMENTS}
    by_nps_group = {group: OrderTotals() for group in NPS_GROUPS}
    for row in rows:
        totals = _order_totals(row)
        by_segment[row["segment"]] += totals
        by_nps_group[row["nps_group"]] += totals
    overall = sum(by_nps_group.values(), OrderTotals())
    return Loyalty(as_of, churn_window_days, overall, by_segment, by_nps_group)


# --- The summary of GET /api/v1/metrics --------------------------------------------------


async def metrics_summary(
    shop: Shop,
    survey: str | None,
    date_from: datetime,
    date_to: datetime,
    segment: str | None = None,
    latest_only: bool = True,
    *,
    segments: SegmentRule | None = None,
    churn_window_days: int | None = None,
    include_loyalty: bool = True,
) -> dict[str, Any]:
    """Everything the metrics endpoint answers, as JSON-ready data.

    `survey` None combines the kinds: the NPS counts NPS and mapped thermometer answers.
    `segment` narrows the headline figures and the comparison; `by_segment` and `loyalty`
    always show every segment. Loyalty reads every customer with orders and every NPS
    answer, the slowest part on a big shop: `include_loyalty=False` leaves it out.
    """
    check_survey(survey)
    check_segment(segment)
    period = Period(date_from, date_to)
    segments = segments or shop_segments(shop)
    options: dict[str, Any] = {"survey": survey, "latest_only": latest_only, "segments": segments}
    loyalty_query = (
        loyalty_kpis(shop, as_of=period.end, churn_window_days=churn_window_days, segments=segments)
        if include_loyalty
        else _nothing()
    )
    # Independent queries: on PostgreSQL each takes its own pooled connection.
    async with chained_once():  # not once per query
        (current, previous), rates, sentiment, loyalty, recovered = await asyncio.gather(
            _answers_now_and_before(shop, period, segment=segment, **options),
            response_rate_by_segment(shop, period, survey=survey, segments=segments),
            sentiment_summary(shop, period, survey=survey),
            loyalty_query,
            recovery.recovery(shop, period.start, period.end, now=utcnow(), segments=segments),
        )
    headline = pick_segment(current, segment)
    summary = {
        "survey": survey,
        "period": period.as_json(),
        "segment": segment,
        "latest_only": latest_only,
        **answers_json(headline),
        "response_rate": rate_json(pick_rate(rates, segment)),
        "sentiment": sentiment,
        "by_segment": {
            name: {**answers_json(current[name]), "response_rate": rate_json(rates[name])}
            for name in SEGMENTS
        },
        "comparison": comparison_json(compare(headline, previous, period)),
        "recovery": recovery.recovery_json(recovered),
    }
    if loyalty is not None:
        summary["loyalty"] = loyalty_json(loyalty)
    return summary


async def _answers_now_and_before(
    shop: Shop, period: Period, *, segment: str | None, **options: Any
) -> tuple[dict[str, Answers], Answers]:
    """answers_by_segment_and_before; without a segment, as two queries side by side: the
    period before needs no customer, and the longest query of the summary splits in two."""
    if segment is not None:
        return await answers_by_segment_and_before(shop, period, segment=segment, **options)
    return await asyncio.gather(
        answers_by_segment(shop, period, **options), answers(shop, period.previous(), **options)
    )


async def _nothing() -> None:
    return None


# --- JSON --------------------------------------------------------------------------------


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _interval(interval: Interval | None) -> list[float | None] | None:
    if interval is None:
        return None
    return [_round(interval[0]), _round(interval[1])]


def nps_json(nps: Nps) -> dict[str, Any]:
    return {
        "score": _round(nps.score),
        "ci95": _interval(nps.ci95),
        "promoters": nps.promoters,
        "passives": nps.passives,
        "detractors": nps.detractors,
        "n": nps.n,
    }


def share_json(share: Share, hits: str, n: str = "n") -> dict[str, Any]:
    return {
        "score": _round(share.value),
        "ci95": _interval(share.ci95),
        hits: share.hits,
        n: share.n,
    }


def rate_json(share: Share) -> dict[str, Any]:
    return share_json(share, "answered", "sent")


def answers_json(counted: Answers) -> dict[str, Any]:
    return {
        "n": counted.n,
        "nps": nps_json(counted.nps()),
        "happiness_factor": share_json(counted.happiness_factor(), "happy"),
        "csat": share_json(counted.csat(), "satisfied"),
    }


def change_json(change: Change) -> dict[str, Any]:
    return {
        "current": _round(change.current),
        "previous": _round(change.previous),
        "change": _round(change.change),
        "z": _round(change.z, 2),
        "verdict": change.verdict,
    }


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    return {
        "previous_period": comparison.previous.as_json(),
        "nps": change_json(comparison.nps),
        "happiness_factor": change_json(comparison.happiness_factor),
        "csat": change_json(comparison.csat),
    }


def order_totals_json(totals: OrderTotals) -> dict[str, Any]:
    return {
        "customers": totals.customers,
        "orders": totals.orders,
        "repurchase_rate": _rate(totals.repurchase_rate),
        "upsell_ratio": _round(totals.upsell_ratio, 2),
        "churn_rate": _rate(totals.churn_rate),
        "retention_rate": _rate(totals.retention_rate),
        "average_order_value": _round(totals.average_order_value, 2),
        "orders_per_customer": _round(totals.orders_per_customer, 2),
        "sales_per_customer": _round(totals.sales_per_customer, 2),
        "orders_per_customer_per_year": _round(totals.orders_per_year, 2),
        "expected_lifetime_years": _round(totals.expected_lifetime_years, 2),
        "clv": _round(totals.clv, 2),
    }


def _rate(share: Share) -> dict[str, Any]:
    return {"score": _round(share.value), "ci95": _interval(share.ci95)}


def loyalty_json(loyalty: Loyalty) -> dict[str, Any]:
    return {
        "as_of": loyalty.as_of.isoformat(),
        "churn_window_days": loyalty.churn_window_days,
        "overall": order_totals_json(loyalty.overall),
        "by_segment": {k: order_totals_json(v) for k, v in loyalty.by_segment.items()},
        "by_nps_group": {k: order_totals_json(v) for k, v in loyalty.by_nps_group.items()},
    }


def trend_json(points: list[TrendPoint]) -> list[dict[str, Any]]:
    result = []
    for point in points:
        nps = point.answers.nps()
        result.append(
            {
                "period_start": point.period_start.isoformat(),
                "n": point.answers.n,
                "nps": _round(nps.score),
                "ci95": _interval(nps.ci95),
                "happiness_factor": _round(point.answers.happiness_factor().value),
                "csat": _round(point.answers.csat().value),
            }
        )
    return result
