"""The answer of GET /api/v1/metrics. Shares are in percent (0–100), the NPS in points
(−100..100); a figure without answers is null, as is its interval."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from feedback_service.http import Strict
from feedback_service.moments import Moment

Interval = tuple[float, float]  # 95% confidence interval [low, high]
Verdict = Literal["up_likely_real", "down_likely_real", "within_noise", "not_enough_data"]


class Period(Strict):
    """From `from` (included) to `to` (excluded)."""

    model_config = ConfigDict(serialize_by_alias=True)

    start: Moment = Field(alias="from")
    to: Moment


class Nps(Strict):
    score: float | None
    ci95: Interval | None
    promoters: int
    passives: int
    detractors: int
    n: int


class HappinessFactor(Strict):
    score: float | None
    ci95: Interval | None
    happy: int
    n: int


class Csat(Strict):
    score: float | None
    ci95: Interval | None
    satisfied: int
    n: int


class ResponseRate(Strict):
    score: float | None
    ci95: Interval | None
    answered: int
    sent: int


class Sentiment(Strict):
    """Analysed comments of the period by label; the average score is in −1..1."""

    n: int
    average: float | None
    positive: int
    neutral: int
    negative: int


class SegmentFigures(Strict):
    n: int
    nps: Nps
    happiness_factor: HappinessFactor
    csat: Csat
    response_rate: ResponseRate


class Change(Strict):
    """This period against the previous one: the change in points and whether it is real
    (a z-test at 95%)."""

    current: float | None
    previous: float | None
    change: float | None
    z: float | None
    verdict: Verdict


class Comparison(Strict):
    previous_period: Period
    nps: Change
    happiness_factor: Change
    csat: Change


class Recovered(Strict):
    score: float | None
    ci95: Interval | None
    recovered: int
    n: int


class InTime(Strict):
    score: float | None
    ci95: Interval | None
    in_time: int
    n: int


class RecoveryPair(Strict):
    contacted: Recovered
    not_contacted: Recovered


class ReplyHours(Strict):
    median: float | None
    p90: float | None
    n: int


class Difference(Strict):
    """Contacted minus not contacted, in points: whether the gap is more than noise, not
    why it is there."""

    points: float | None
    z: float | None
    verdict: Verdict


class Recovery(Strict):
    """What became of the customers whose answers opened an alert in the period."""

    alerts: int
    limit_hours: int
    first_reply_hours: ReplyHours
    answered_in_time: InTime
    recovery_rate: Recovered
    not_contacted: Recovered
    difference: Difference
    by_segment: dict[str, RecoveryPair]
    by_aspect: dict[str, RecoveryPair]


class Rate(Strict):
    score: float | None
    ci95: Interval | None


class OrderTotals(Strict):
    customers: int
    orders: int
    repurchase_rate: Rate
    upsell_ratio: float | None
    churn_rate: Rate
    retention_rate: Rate
    average_order_value: float | None
    orders_per_customer: float | None
    sales_per_customer: float | None
    orders_per_customer_per_year: float | None
    expected_lifetime_years: float | None
    clv: float | None


class Loyalty(Strict):
    as_of: Moment
    churn_window_days: int
    overall: OrderTotals
    by_segment: dict[str, OrderTotals]
    by_nps_group: dict[str, OrderTotals]


class Metrics(Strict):
    """The headline figures are the segment's when one is asked for; `by_segment` and
    `loyalty` always show every segment."""

    survey: Literal["nps", "thermometer", "csat"] | None
    period: Period
    segment: Literal["new", "occasional", "regular", "none"] | None
    latest_only: bool
    n: int
    nps: Nps
    happiness_factor: HappinessFactor
    csat: Csat
    response_rate: ResponseRate
    sentiment: Sentiment
    by_segment: dict[str, SegmentFigures]
    comparison: Comparison
    recovery: Recovery
    loyalty: Loyalty
