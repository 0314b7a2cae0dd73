"""Service recovery: how fast unhappy customers get a first reply, and how many come back.

Of the alerts opened in a period (README, "Recovery"):

- **time to first reply**: hours from the alert to the first reply a person sent; the
  median (the middle one, or the mean of the two middle ones) and the 90th percentile
  (nearest rank: the ⌈0.9·n⌉-th smallest), against the shop's limit (`Shop.sla_hours`);
- **answered in time**: replied within the limit, among the alerts replied to or whose limit
  has passed (an alert still within its limit is not late yet);
- **recovery rate**: among the alerts of known customers that got a reply, those whose
  customer then answered the follow-up green or gold, or gave a better score on their next
  answer to the same survey (the follow-up is not one; a review's author has no next
  survey: the follow-up or an order tells), or ordered again within the churn window after
  the alert; with its Wilson 95 % interval (metrics.stats, as every share), by segment (their
  orders before the alert) and by aspect. The same for the alerts nobody replied to, side by
  side: an observation, not a proof of what replying does (the shop chooses whom it answers).

An alert is a row here (the inputs of a few figures, the shop's alerts of a period), not an
aggregate: the rules are clearer in Python and the rows are few.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from feedback_service import db
from feedback_service.metrics.stats import Share, compare_shares
from feedback_service.metrics.values import SEGMENTS, SegmentRule, rounded, share_json
from feedback_service.shops.models import Shop


def _subject_id(prefix: str) -> str:
    """SQL for the id in an alert's subject ("response:12") when it has this prefix and
    only digits after it (NULL otherwise): PostgreSQL refuses to cast anything else, and
    neither engine's pattern matching is the other's, so the digits are removed one by one."""
    rest = f"SUBSTR(a.subject, {len(prefix) + 1})"
    no_digits = rest
    for digit in "0123456789":
        no_digits = f"REPLACE({no_digits}, '{digit}', '')"
    return (
        f"CASE WHEN a.subject LIKE '{prefix}%' AND {rest} <> '' AND {no_digits} = ''"
        f" THEN CAST({rest} AS BIGINT) END"
    )


# The customer's next answer to the same survey after the alert (the index on (shop, kind,
# customer, created_at) finds it), never an answer to a follow-up.
_ALERTS_SQL = f"""
SELECT a.id, a.customer_id, a.aspect_tags, a.opened_at, a.first_replied_at, a.followup_score,
       base.score AS base_score,
       (SELECT COUNT(*) FROM shop_order o
         WHERE o.shop_id = :shop AND o.customer_id = a.customer_id
           AND o.ordered_at < a.opened_at) AS orders_before,
       (SELECT MIN(o.ordered_at) FROM shop_order o
         WHERE o.shop_id = :shop AND o.customer_id = a.customer_id
           AND o.ordered_at > a.opened_at) AS next_order_at,
       (SELECT r.score FROM response r
         WHERE r.shop_id = :shop AND r.kind = base.kind
           AND r.customer_id = a.customer_id AND r.created_at > a.opened_at
           AND NOT EXISTS (SELECT 1 FROM alert f WHERE f.followup_invitation_id = r.invitation_id)
         ORDER BY r.created_at, r.id LIMIT 1) AS next_score
FROM alert a
LEFT JOIN response base ON base.id = {_subject_id("response:")}
WHERE a.shop_id = :shop AND a.opened_at >= :start AND a.opened_at < :end
"""
HAPPY_FOLLOWUP = 3  # green (3) or gold (4)


def _moment(value: Any) -> datetime | None:
    """A timestamp as each engine returns it from raw SQL (SQLite: text)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


@dataclass(frozen=True)
class Case:
    """One alert, as the figures need it."""

    customer_id: int | None
    segment: str
    aspects: tuple[str, ...]
    opened_at: datetime
    first_reply_hours: float | None
    recovered: bool


@dataclass
class Pair:
    """Recovered customers among those contacted, and among those not."""

    contacted: Share = field(default_factory=Share)
    not_contacted: Share = field(default_factory=Share)

    def add(self, case: Case) -> None:
        hit = Share(1 if case.recovered else 0, 1)
        if case.first_reply_hours is not None:
            self.contacted += hit
        else:
            self.not_contacted += hit


@dataclass(frozen=True)
class Recovery:
    limit_hours: int
    alerts: int
    first_reply_hours: list[float]
    in_time: Share
    overall: Pair
    by_segment: dict[str, Pair]
    by_aspect: dict[str, Pair]

    @property
    def median_hours(self) -> float | None:
        hours = self.first_reply_hours
        return statistics.median(hours) if hours else None

    @property
    def p90_hours(self) -> float | None:
        hours = sorted(self.first_reply_hours)
        return hours[math.ceil(0.9 * len(hours)) - 1] if hours else None


def _case(row: db.Row, shop: Shop, segments: SegmentRule) -> Case:
    opened_at = _moment(row["opened_at"])
    assert opened_at is not None
    replied_at = _moment(row["first_replied_at"])
    hours = None if replied_at is None else (replied_at - opened_at).total_seconds() / 3600
    before, after = row["base_score"], row["next_score"]
    next_order_at = _moment(row["next_order_at"])
    churn_window = timedelta(days=shop.churn_days)
    recovered = (
        (row["followup_score"] or 0) >= HAPPY_FOLLOWUP
        or (before is not None and after is not None and after > before)
        or (next_order_at is not None and next_order_at <= opened_at + churn_window)
    )
    orders = db.as_int(row["orders_before"])
    return Case(
        customer_id=row["customer_id"],
        segment=segments.name(orders) if orders and row["customer_id"] else "none",
        aspects=tuple(a for a in (row["aspect_tags"] or "").split(",") if a),
        opened_at=opened_at,
        first_reply_hours=hours,
        recovered=recovered,
    )


async def recovery(
    shop: Shop, start: datetime, end: datetime, *, now: datetime, segments: SegmentRule
) -> Recovery:
    """The recovery figures of the alerts opened from `start` to `end` (excluded)."""
    rows = await db.fetch_report(_ALERTS_SQL, {"shop": shop.id, "start": start, "end": end})
    cases = [_case(row, shop, segments) for row in rows]
    limit = timedelta(hours=shop.sla_hours)
    in_time = Share()
    for case in cases:
        replied = case.first_reply_hours is not None
        if replied or case.opened_at + limit <= now:
            hours = case.first_reply_hours
            on_time = hours is not None and hours <= shop.sla_hours
            in_time += Share(1 if on_time else 0, 1)
    overall, by_segment = Pair(), {s: Pair() for s in SEGMENTS}
    by_aspect: dict[str, Pair] = {}
    for case in cases:
        if case.customer_id is None:  # nobody to win back
            continue
        overall.add(case)
        by_segment[case.segment].add(case)
        for aspect in case.aspects:
            by_aspect.setdefault(aspect, Pair()).add(case)
    return Recovery(
        limit_hours=shop.sla_hours,
        alerts=len(cases),
        first_reply_hours=[c.first_reply_hours for c in cases if c.first_reply_hours is not None],
        in_time=in_time,
        overall=overall,
        by_segment=by_segment,
        by_aspect=dict(sorted(by_aspect.items())),
    )


# --- JSON --------------------------------------------------------------------------------


def pair_json(pair: Pair) -> dict[str, Any]:
    return {
        "contacted": share_json(pair.contacted, "recovered"),
        "not_contacted": share_json(pair.not_contacted, "recovered"),
    }


def recovery_json(figures: Recovery) -> dict[str, Any]:
    change = compare_shares(figures.overall.contacted, figures.overall.not_contacted)
    return {
        "alerts": figures.alerts,
        "limit_hours": figures.limit_hours,
        "first_reply_hours": {
            "median": rounded(figures.median_hours),
            "p90": rounded(figures.p90_hours),
            "n": len(figures.first_reply_hours),
        },
        "answered_in_time": share_json(figures.in_time, "in_time"),
        "recovery_rate": share_json(figures.overall.contacted, "recovered"),
        "not_contacted": share_json(figures.overall.not_contacted, "recovered"),
        # Contacted minus not contacted, in points, with the two-proportion z-test: whether
        # the gap is more than noise, not why it is there.
        "difference": {
            "points": rounded(change.change),
            "z": rounded(change.z, 2),
            "verdict": change.verdict,
        },
        "by_segment": {name: pair_json(pair) for name, pair in figures.by_segment.items()},
        "by_aspect": {name: pair_json(pair) for name, pair in figures.by_aspect.items()},
    }
