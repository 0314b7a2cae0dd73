"""Each customer's latest answer, kept in the answers themselves.

`Response.superseded_at` is when the same customer next answered the same kind of survey
(NULL: none since). An answer is the customer's latest of a period ending at `end` exactly
when `superseded_at IS NULL OR superseded_at >= end`, and their latest of its week or month
when the next one falls in another: the metrics count "each customer's latest answer" with
a filter on the rows they read, instead of sorting every answer of the period by customer.

The one-click answer stores its row unchained and does nothing more; `chain_answers`, a
chore of the worker, fills in the rows not chained yet (a partial index finds them) and the
other answers of their customers. Deleting answers unchains the others of their customer
and kind (`unchain`). The metrics never write: they take the answers not chained yet as
they are (metrics.queries), so they are right before the worker has run.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from feedback_service import db

# Rows whose customers are chained per statement; each customer has a few answers.
BATCH = 2000

# The customers of a batch of unchained answers (the partial index on NOT chained).
_UNCHAINED_CUSTOMERS = f"""
    (shop_id, kind, customer_id) IN (
        SELECT shop_id, kind, customer_id FROM response
        WHERE NOT chained AND customer_id IS NOT NULL
        LIMIT {BATCH}
    )"""

# Chains the answers of a batch of customers: each answer's superseded_at is the time of
# the next one of its customer and kind. Both engines know window functions and UPDATE …
# FROM (SQLite since 3.33).
_CHAIN = f"""
UPDATE response SET superseded_at = next.at, chained = TRUE
FROM (
    SELECT id, LEAD(created_at) OVER (
        PARTITION BY shop_id, kind, customer_id ORDER BY created_at, id
    ) AS at
    FROM response
    WHERE customer_id IS NOT NULL AND {_UNCHAINED_CUSTOMERS}
) next
WHERE response.id = next.id
RETURNING response.id, response.kind, response.superseded_at"""


def _latest_nps_sql(answers: str) -> str:
    """Customers take the score and time of their latest NPS answer among `answers` (a
    condition on `r`)."""
    return f"""
UPDATE customer SET nps_score = r.score, nps_at = r.created_at
FROM response r
WHERE customer.id = r.customer_id AND r.kind = 'nps' AND r.superseded_at IS NULL
  AND {answers}"""


# For answers stored already chained (a bulk load).
EVERY_LATEST_NPS = _latest_nps_sql("TRUE")

# Two chain_answers at once would lock the same rows in their own orders: one waits.
_LOCK_KEY = 7_316_042_001


async def chain_answers() -> int:
    """Chains the answers stored since the last call; how many rows it changed. One indexed
    probe when there are none."""
    if not await db.fetch("SELECT 1 FROM response WHERE NOT chained LIMIT 1"):
        return 0
    changed = 0
    while True:
        async with in_transaction():
            await db.lock_transaction(_LOCK_KEY)
            chained = await db.fetch(_CHAIN)
            latest_nps = [
                row["id"] for row in chained if row["kind"] == "nps" and not row["superseded_at"]
            ]
            if latest_nps:
                of_answers = _latest_nps_sql(db.ops().in_list("r.id", ":ids"))
                await db.execute(of_answers, {"ids": latest_nps})
            # Anonymous answers (reusable links) are never superseded.
            anonymous = await db.execute(
                "UPDATE response SET chained = TRUE WHERE NOT chained AND customer_id IS NULL"
            )
        changed += len(chained) + anonymous
        # Fewer rows than a batch: every unchained answer was in this one.
        if len(chained) < BATCH:
            return changed


async def unchain(shop_id: int, kind: str, customer_id: int | None) -> None:
    """After answers of this customer and kind were deleted: the others get chained again
    (and give the customer their latest NPS answer back, if any is left)."""
    if customer_id is None:
        return
    if kind == "nps":
        await db.execute(
            "UPDATE customer SET nps_score = NULL, nps_at = NULL WHERE id = :customer",
            {"customer": customer_id},
        )
    await db.execute(
        "UPDATE response SET chained = FALSE"
        " WHERE shop_id = :shop AND kind = :kind AND customer_id = :customer",
        {"shop": shop_id, "kind": kind, "customer": customer_id},
    )
