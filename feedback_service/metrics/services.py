"""What a shop learns from its answers and orders, as the API and the dashboard read it:
NPS with its interval, happiness factor, CSAT, response rate, this period against the last,
trends and loyalty KPIs.

Each read runs one aggregate of `metrics.queries` and folds its few rows into the values of
`metrics.values`. Reads only: each customer's latest answer comes from the rows as they
are, chained by the worker or not yet (see metrics.queries).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from typing import Any

from feedback_service import db
from feedback_service.errors import InvalidInput
from feedback_service.metrics import queries, recovery
from feedback_service.metrics.stats import Share
from feedback_service.metrics.values import (
    DEFAULT_CHURN_WINDOW_DAYS,
    NPS_GROUPS,
    ORDER_SEGMENTS,
    SEGMENTS,
    SENTIMENT_LABELS,
    TREND_STEPS,
    Answers,
    Loyalty,
    OrderTotals,
    Period,
    SegmentRule,
    TrendPoint,
    answers_json,
    check_segment,
    check_survey,
    compare,
    comparison_json,
    loyalty_json,
    pick_rate,
    pick_segment,
    rate_json,
    rounded,
    shop_segments,
)
from feedback_service.shops.models import Shop

YEAR = timedelta(days=365)


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- Answers -----------------------------------------------------------------------------


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
    kinds, kind_params = queries.kinds_in(survey)
    params = {"shop": shop.id, "start": period.start, "end": period.end, **kind_params}
    counted = Answers()
    for row in await db.fetch_report(queries.answers_sql(kinds, latest_only=latest_only), params):
        counted.add_row(row)
    return counted


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
    kinds, kind_params = queries.kinds_in(survey)
    query = queries.answers_by_orders_sql(kinds, latest_only=latest_only)
    params = {"shop": shop.id, "start": period.start, "end": period.end, **kind_params}
    result = {segment: Answers() for segment in SEGMENTS}
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
    kinds, kind_params = queries.kinds_in(survey)
    query = queries.answers_now_and_before_sql(
        kinds, latest_only=latest_only, segments=segments, segment=segment
    )
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
    for row in await db.fetch_report(query, params):
        if db.as_int(row["is_current"]):
            current[row["segment"]].add_row(row)
        elif segment is None or row["segment"] == segment:
            previous.add_row(row)
    return current, previous


# --- Response rate -----------------------------------------------------------------------


async def response_rate_by_segment(
    shop: Shop,
    period: Period,
    *,
    survey: str | None = None,
    segments: SegmentRule | None = None,
) -> dict[str, Share]:
    """Invitations sent in the period that got a confirmed answer, by customer segment."""
    check_survey(survey)
    segments = segments or shop_segments(shop)
    kinds, kind_params = queries.kinds_in(survey)
    query = queries.response_rate_sql(kinds, by_orders=True)
    params = {"shop": shop.id, "start": period.start, "end": period.end, **kind_params}
    result = {segment: Share() for segment in SEGMENTS}
    for row in await db.fetch_report(query, params):
        rate = Share(db.as_int(row["answered"]), db.as_int(row["sent"]))
        result[segments.name(row["orders"])] += rate
    return result


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
    kinds, kind_params = queries.kinds_in(survey)
    params = {"shop": shop.id, "start": period.start, "end": period.end, **kind_params}
    rows = await db.fetch_report(queries.response_rate_sql(kinds, by_orders=False), params)
    return Share(db.as_int(rows[0]["answered"]), db.as_int(rows[0]["sent"]))


# --- Trend and sentiment -----------------------------------------------------------------


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
    starts = period.buckets(every)
    kinds, kind_params = queries.kinds_in(survey)
    params: dict[str, Any] = {
        "shop": shop.id,
        "start": period.start,
        "end": period.end,
        "bucket_starts": [datetime.combine(day, time.min, tzinfo=UTC) for day in starts],
        **kind_params,
    }

    def bucket(column: str) -> str:
        return db.ops().period_bucket(column, every, ":bucket_starts")

    query = queries.trend_sql(kinds, latest_only=latest_only, bucket=bucket)
    points = {start: Answers() for start in starts}
    for row in await db.fetch_report(query, params):
        value = row["period_start"]
        start = starts[value - 1] if isinstance(value, int) else db.as_date(value)
        points.setdefault(start, Answers()).add_row(row)
    return [TrendPoint(start, points[start]) for start in sorted(points)]


async def sentiment_summary(
    shop: Shop, period: Period, *, survey: str | None = None
) -> dict[str, Any]:
    """Analysed comments of the period by sentiment label, and their average score (−1..1).

    Every analysed comment counts, whatever `latest_only`: each says something new.
    """
    check_survey(survey)
    kinds, kind_params = queries.kinds_in(survey)
    params = {"shop": shop.id, "start": period.start, "end": period.end, **kind_params}
    rows = await db.fetch_report(queries.sentiment_sql(kinds), params)
    counts = {label: 0 for label in SENTIMENT_LABELS}
    total = 0.0
    for row in rows:
        counts[row["label"]] = counts.get(row["label"], 0) + db.as_int(row["n"])
        total += db.as_float(row["total"]) or 0.0
    n = sum(counts.values())
    return {"n": n, "average": rounded(total / n if n else None, 3), **counts}


# --- Loyalty -----------------------------------------------------------------------------


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
    by_segment = {segment: OrderTotals() for segment in ORDER_SEGMENTS}
    by_nps_group = {group: OrderTotals() for group in NPS_GROUPS}
    for row in await db.fetch_report(queries.loyalty_sql(segments), params):
        totals = OrderTotals.from_row(row)
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
