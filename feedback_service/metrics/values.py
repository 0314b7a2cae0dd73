"""The values the metrics are made of, and their JSON: periods, customer segments, counted
answers and what they give (NPS, happiness factor, CSAT), a period against the one before,
trend points, order totals and the loyalty KPIs they give. Plain data: no database.

Shares are in percent (0–100), the NPS in points (−100..100).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any

from feedback_service import db
from feedback_service.errors import InvalidInput
from feedback_service.metrics.stats import (
    Change,
    Interval,
    Nps,
    Share,
    compare_nps,
    compare_shares,
)
from feedback_service.shops.models import Shop

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


def check_survey(survey: str | None) -> None:
    if survey is not None and survey not in SURVEYS:
        raise InvalidInput("Unknown survey kind.", fields={"survey": "nps, thermometer or csat"})


def check_segment(segment: str | None) -> None:
    if segment is not None and segment not in SEGMENTS:
        raise InvalidInput("Unknown segment.", fields={"segment": ", ".join(SEGMENTS)})


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

    def buckets(self, every: str) -> list[date]:
        """Every week (Monday) or month start from the period's start to its end, in UTC."""
        first = self.start.astimezone(UTC).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(UTC).date()
        starts = []
        if every == "week":
            day = first - timedelta(days=first.weekday())
            while day <= last:
                starts.append(day)
                day += timedelta(days=7)
            return starts
        month = first.replace(day=1)
        while month <= last:
            starts.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return starts

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


def pick_segment(by_segment: dict[str, Answers], segment: str | None) -> Answers:
    if segment is not None:
        return by_segment[segment]
    return sum(by_segment.values(), Answers())


def pick_rate(by_segment: dict[str, Share], segment: str | None) -> Share:
    if segment is not None:
        return by_segment[segment]
    return sum(by_segment.values(), Share())


@dataclass(frozen=True)
class Comparison:
    """This period against the previous one of equal length: change and verdict per metric."""

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


@dataclass(frozen=True)
class TrendPoint:
    period_start: date
    answers: Answers


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

    @classmethod
    def from_row(cls, row: db.Row) -> OrderTotals:
        """The totals of a row whose columns are named as the fields (SUMs: see db.as_int)."""
        counts = {f.name: db.as_int(row[f.name]) for f in fields(cls) if f.name != "sales"}
        return cls(**counts, sales=db.as_float(row["sales"]) or 0.0)

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


# --- JSON --------------------------------------------------------------------------------


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def interval_json(interval: Interval | None) -> list[float | None] | None:
    if interval is None:
        return None
    return [rounded(interval[0]), rounded(interval[1])]


def nps_json(nps: Nps) -> dict[str, Any]:
    return {
        "score": rounded(nps.score),
        "ci95": interval_json(nps.ci95),
        "promoters": nps.promoters,
        "passives": nps.passives,
        "detractors": nps.detractors,
        "n": nps.n,
    }


def share_json(share: Share, hits: str, n: str = "n") -> dict[str, Any]:
    return {
        "score": rounded(share.value),
        "ci95": interval_json(share.ci95),
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
        "current": rounded(change.current),
        "previous": rounded(change.previous),
        "change": rounded(change.change),
        "z": rounded(change.z, 2),
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
        "repurchase_rate": _rate_json(totals.repurchase_rate),
        "upsell_ratio": rounded(totals.upsell_ratio, 2),
        "churn_rate": _rate_json(totals.churn_rate),
        "retention_rate": _rate_json(totals.retention_rate),
        "average_order_value": rounded(totals.average_order_value, 2),
        "orders_per_customer": rounded(totals.orders_per_customer, 2),
        "sales_per_customer": rounded(totals.sales_per_customer, 2),
        "orders_per_customer_per_year": rounded(totals.orders_per_year, 2),
        "expected_lifetime_years": rounded(totals.expected_lifetime_years, 2),
        "clv": rounded(totals.clv, 2),
    }


def _rate_json(share: Share) -> dict[str, Any]:
    return {"score": rounded(share.value), "ci95": interval_json(share.ci95)}


def loyalty_json(loyalty: Loyalty) -> dict[str, Any]:
    return {
        "as_of": loyalty.as_of.isoformat(),
        "churn_window_days": loyalty.churn_window_days,
        "overall": order_totals_json(loyalty.overall),
        "by_segment": {k: order_totals_json(v) for k, v in loyalty.by_segment.items()},
        "by_nps_group": {k: order_totals_json(v) for k, v in loyalty.by_nps_group.items()},
    }
