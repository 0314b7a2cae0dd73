"""What the comments of a period complain about: aspects (delivery, price...) by the number
of negative mentions, counted by the database from each answer's JSON list of aspects."""

from __future__ import annotations

from dataclasses import dataclass

from feedback_service import db
from feedback_service.metrics.queries import kinds_in
from feedback_service.metrics.values import Period, check_survey
from feedback_service.shops.models import Shop


@dataclass(frozen=True)
class AspectCount:
    name: str
    negative: int  # mentions in a negative clause
    mentions: int  # every mention, whatever its polarity

    @property
    def negative_share(self) -> float:
        return self.negative / self.mentions * 100 if self.mentions else 0.0


async def negative_aspects(
    shop: Shop, period: Period, *, survey: str | None = None, limit: int = 5
) -> list[AspectCount]:
    """The aspects with the most negative mentions in the period's comments, most first."""
    check_survey(survey)
    kinds, kind_params = kinds_in(survey)
    ops = db.ops()
    # One row per aspect of each answer.
    query = f"""
        SELECT x.name, COUNT(*) AS mentions,
               SUM(CASE WHEN x.label = 'negative' THEN 1 ELSE 0 END) AS negative
        FROM (SELECT {ops.json_text("a.value", "name")} AS name,
                     {ops.json_text("a.value", "label")} AS label
              FROM response r CROSS JOIN {ops.json_items("r.aspects")} a
              WHERE r.shop_id = :shop AND r.kind {kinds} AND r.sentiment_label IS NOT NULL
                AND r.created_at >= :start AND r.created_at < :end) x
        WHERE x.name IS NOT NULL
        GROUP BY x.name
        HAVING SUM(CASE WHEN x.label = 'negative' THEN 1 ELSE 0 END) > 0
        ORDER BY negative DESC, mentions DESC, x.name
        LIMIT :limit"""
    params = {
        "shop": shop.id,
        "start": period.start,
        "end": period.end,
        "limit": limit,
        **kind_params,
    }
    return [
        AspectCount(str(row["name"]), db.as_int(row["negative"]), db.as_int(row["mentions"]))
        for row in await db.fetch_report(query, params)
    ]
