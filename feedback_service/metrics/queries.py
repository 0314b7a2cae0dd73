"""The SQL of the metrics, for both engines: aggregates that return a few dozen grouped rows
at most, never the answer or order rows themselves (the database does the counting).

Parameters: `:shop`, the period (`:start`, `:end`), the survey kinds (`kinds_in`), the
segment thresholds (SegmentRule.params) where a query names segments.

Each customer's latest answer (surveys.chain): an answer the worker has chained knows when
its customer next answered the same kind (`superseded_at`). The answers it has not chained
yet (`NOT chained`: a partial index finds the few there are) are taken as they are, and
the figures they change corrected in the same statement: nothing here writes.
"""

from __future__ import annotations

from collections.abc import Callable

from feedback_service import db
from feedback_service.metrics.values import SURVEYS, SegmentRule


def kinds_in(survey: str | None, name: str = "kind") -> tuple[str, dict[str, str]]:
    """`IN (:kind_0, :kind_1)` of the survey's kind (None: every kind), and its parameters:
    the kind list stays an index range scan."""
    kinds = (survey,) if survey else SURVEYS
    params = {f"{name}_{i}": kind for i, kind in enumerate(kinds)}
    return "IN (" + ", ".join(f":{key}" for key in params) + ")", params


Bucket = Callable[[str], str]  # the SQL of the week or month of a time column

# The customers (and survey kinds) of the shop's answers not chained yet: few, since the
# worker chains them when it is idle. `shop_id + 0` is no column an index starts with: both
# engines take the partial index of the answers not chained yet (SQLite, without statistics,
# would otherwise read every answer of the shop for the few).
_UNCHAINED = """
    SELECT DISTINCT u.kind, u.customer_id FROM response u
    WHERE NOT u.chained AND u.shop_id + 0 = :shop AND u.customer_id IS NOT NULL"""


def counted_answers_sql(kinds: str, *, latest_only: bool, bucket: Bucket | None = None) -> str:
    """The answers that count in a period, as a subquery (period_start?, kind, customer_id,
    score, weight) that SUM(weight) counts. With latest_only, only each customer's last
    answer per survey kind (and per bucket, `bucket(column)` naming the bucket of a time
    column) counts, so a customer asked twice does not weigh twice. Anonymous answers
    (reusable links) cannot be told apart and each count.

    An answer is its customer's last of the period when none of theirs comes later (by
    time, then id) before the end, or in the same bucket. The chain keeps the time of the
    next one in `superseded_at`, which the first part reads. For the customers with answers
    the chain has not seen (new ones, older ones stored late, the others of a deleted one),
    `superseded_at` may be wrong either way: their answers of the period are checked
    against the later ones, and each the first part got wrong comes again, weighing −1
    (counted, not their last) or +1 (left out, their last). Without such customers (the
    worker keeps them few), the second part reads nothing."""
    bucket_column = f"{bucket('r.created_at')} AS period_start, " if bucket else ""
    in_period = f"""r.shop_id = :shop AND r.kind {kinds}
          AND r.created_at >= :start AND r.created_at < :end"""
    if not latest_only:
        return f"""
        SELECT {bucket_column}r.kind, r.customer_id, r.score, 1 AS weight
        FROM response r
        WHERE {in_period}"""
    same_bucket, next_elsewhere = "", ""
    if bucket:
        same_bucket = f" AND {bucket('l.created_at')} = {bucket('r.created_at')}"
        next_elsewhere = f" OR {bucket('r.superseded_at')} <> {bucket('r.created_at')}"
    chained_latest = f"(r.superseded_at IS NULL OR r.superseded_at >= :end{next_elsewhere})"
    later = f"""EXISTS (
                SELECT 1 FROM response l
                WHERE l.shop_id = :shop AND l.kind = r.kind AND l.customer_id = r.customer_id
                  AND (l.created_at > r.created_at OR l.created_at = r.created_at AND l.id > r.id)
                  AND l.created_at < :end{same_bucket})"""
    # CROSS JOIN: SQLite loops over the few customers, not over the answers of the period.
    return f"""
        SELECT {bucket_column}r.kind, r.customer_id, r.score, 1 AS weight
        FROM response r
        WHERE {in_period} AND {chained_latest}
        UNION ALL
        SELECT {bucket_column}r.kind, r.customer_id, r.score,
               CASE WHEN {chained_latest} THEN -1 ELSE 1 END AS weight
        FROM ({_UNCHAINED}) u
        CROSS JOIN response r
        WHERE r.kind = u.kind AND r.customer_id = u.customer_id AND {in_period}
          AND (CASE WHEN {chained_latest} THEN 1 ELSE 0 END)
            = (CASE WHEN {later} THEN 1 ELSE 0 END)"""


def orders_at_end_sql(customer_id: str) -> tuple[str, str]:
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


def answers_sql(kinds: str, *, latest_only: bool) -> str:
    """Counted answers of a period: (kind, score, n)."""
    return f"""
        SELECT a.kind, a.score, SUM(a.weight) AS n
        FROM ({counted_answers_sql(kinds, latest_only=latest_only)}) a
        GROUP BY 1, 2"""


def answers_by_orders_sql(kinds: str, *, latest_only: bool) -> str:
    """Counted answers of a period by the customer's orders at its end: (kind, score,
    orders, n), `orders` NULL for no orders or anonymous (SegmentRule.name names them)."""
    orders_joins, orders = orders_at_end_sql("a.customer_id")
    return f"""
        SELECT a.kind, a.score, {orders} AS orders, SUM(a.weight) AS n
        FROM ({counted_answers_sql(kinds, latest_only=latest_only)}) a
        {orders_joins}
        GROUP BY 1, 2, 3"""


def _in_current(column: str) -> str:
    return f"CASE WHEN {column} >= :current_start THEN 1 ELSE 0 END"


def answers_now_and_before_sql(
    kinds: str, *, latest_only: bool, segments: SegmentRule, segment: str | None
) -> str:
    """Counted answers of the period (`:current_start` to `:end`) and of the one before it
    (`:start` to `:current_start`) in one pass: (is_current, kind, score, segment, n).

    Latest answers per period (the bucket); each period's segments as of its own end, and
    none for the period before when all its answers count alike (`segment` None)."""
    answers = counted_answers_sql(kinds, latest_only=latest_only, bucket=_in_current)
    later = "CASE WHEN a.period_start = 1 THEN later.since_end ELSE later.since_start END"
    orders = f"NULLIF(cu.orders_count - COALESCE({later}, 0), 0)"
    # The period before needs no segment when all its answers count: NULL keys skip the
    # customer lookup (a join condition on the period would look them up, then drop them).
    join_current = "CASE WHEN a.period_start = 1 THEN a.customer_id END"
    return f"""
        SELECT a.period_start AS is_current, a.kind, a.score, {segments.case(orders)} AS segment,
               SUM(a.weight) AS n
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


def trend_sql(kinds: str, *, latest_only: bool, bucket: Bucket) -> str:
    """Counted answers per week or month: (period_start, kind, score, n)."""
    return f"""
        SELECT a.period_start, a.kind, a.score, SUM(a.weight) AS n
        FROM ({counted_answers_sql(kinds, latest_only=latest_only, bucket=bucket)}) a
        GROUP BY 1, 2, 3"""


def response_rate_sql(kinds: str, *, by_orders: bool) -> str:
    """Invitations sent and answered: (sent, answered); per number of orders at the end of
    the period (which names the segment) when `by_orders`: (orders, sent, answered).

    An answer never precedes its invitation: `r.created_at >= :start` changes no count but
    lets the answers come from the (shop_id, kind, created_at) index (PostgreSQL: a hash
    join). A sent invitation has at most one answer (its dedupe key): counting answers counts
    answered invitations; each engine joins them its fastest way (answer_of_invitation).
    Reusable links (email signatures, receipts) are not sent to anyone: left out.
    """
    orders_column, orders_joins = "", ""
    if by_orders:
        orders_joins, orders = orders_at_end_sql("i.customer_id")
        orders_column = f"{orders} AS orders, "
    return f"""
        SELECT {orders_column}COUNT(*) AS sent, COUNT(r.id) AS answered
        FROM invitation i
        LEFT JOIN response r
          ON {db.ops().answer_of_invitation("r", "i")} AND r.shop_id = :shop
         AND r.kind {kinds} AND r.created_at >= :start
        {orders_joins}
        WHERE i.shop_id = :shop AND i.kind {kinds} AND i.reusable = FALSE
          AND i.created_at >= :start AND i.created_at < :end
        {"GROUP BY 1" if by_orders else ""}"""


def sentiment_sql(kinds: str) -> str:
    """Analysed comments of the period by label: (label, n, total of their scores)."""
    return f"""
        SELECT r.sentiment_label AS label, COUNT(*) AS n, SUM(r.sentiment_score) AS total
        FROM response r
        WHERE r.shop_id = :shop AND r.kind {kinds} AND r.sentiment_label IS NOT NULL
          AND r.created_at >= :start AND r.created_at < :end
        GROUP BY 1"""


# --- Loyalty: parameters :shop, :as_of, :year_start, :churn_before, the segments' ----------

# Each customer's latest NPS score as of `as_of`: the one kept with them (Customer.nps_score,
# by the chain) when they answered it before; else (they answered since, few when `as_of` is
# recent) the answer that was their latest then and has been superseded since (`past`), from
# the index of superseded answers. A customer with NPS answers the chain has not seen yet
# (`fresh`, few; see _UNCHAINED) has neither up to date: their latest answer before `as_of`
# is looked up in the index of each customer's answers.
_NPS_CTES = """
past AS (
    SELECT customer_id, score FROM response
    WHERE shop_id = :shop AND kind = 'nps' AND superseded_at >= :as_of AND created_at < :as_of
),
fresh AS (
    SELECT u.customer_id, (
        SELECT r.score FROM response r
        WHERE r.shop_id = :shop AND r.kind = 'nps' AND r.customer_id = u.customer_id
          AND r.created_at < :as_of
        ORDER BY r.created_at DESC, r.id DESC LIMIT 1
    ) AS score
    FROM (
        SELECT DISTINCT customer_id FROM response
        WHERE NOT chained AND shop_id + 0 = :shop AND kind = 'nps' AND customer_id IS NOT NULL
    ) u
)"""
_NOT_FRESH = "cu.id NOT IN (SELECT customer_id FROM fresh)"

# Each customer's order totals and NPS score as of `as_of`. A customer whose last order is
# older: the totals kept with them (Customer.orders_count …), and their NPS score too unless
# they answered since (then `past`; both few when `as_of` is recent). The customers who
# ordered since (none when `as_of` is now, the usual case): from their orders' stored
# totals (Order.amount …). The smallest and largest category name tell one category from
# several without a COUNT(DISTINCT).
_CUSTOMER_TOTALS_SQL = f"""
    SELECT cu.id AS customer_id, cu.orders_count AS orders, cu.last_order_at, cu.sales,
           cu.priced_orders, cu.min_category, cu.max_category, cu.nps_score AS nps
    FROM customer cu
    WHERE cu.shop_id = :shop AND cu.last_order_at < :as_of
      AND (cu.nps_at IS NULL OR cu.nps_at < :as_of) AND {_NOT_FRESH}
    UNION ALL
    SELECT cu.id, cu.orders_count, cu.last_order_at, cu.sales, cu.priced_orders,
           cu.min_category, cu.max_category, past.score
    FROM customer cu
    LEFT JOIN past ON past.customer_id = cu.id
    WHERE cu.shop_id = :shop AND cu.nps_at >= :as_of AND cu.last_order_at < :as_of
      AND {_NOT_FRESH}
    UNION ALL
    SELECT cu.id, cu.orders_count, cu.last_order_at, cu.sales, cu.priced_orders,
           cu.min_category, cu.max_category, fresh.score
    FROM fresh
    CROSS JOIN customer cu
    WHERE cu.id = fresh.customer_id AND cu.shop_id = :shop AND cu.last_order_at < :as_of
    UNION ALL
    SELECT o.customer_id, COUNT(*), MAX(o.ordered_at), SUM(o.amount), COUNT(o.amount),
           MIN(o.min_category), MAX(o.max_category),
           MAX(CASE WHEN fresh.customer_id IS NOT NULL THEN fresh.score
                    WHEN cu.nps_at IS NULL OR cu.nps_at < :as_of THEN cu.nps_score
                    ELSE past.score END)
    FROM shop_order o
    JOIN customer cu
      ON cu.id = o.customer_id AND cu.shop_id = :shop AND cu.last_order_at >= :as_of
    LEFT JOIN fresh ON fresh.customer_id = cu.id
    LEFT JOIN past ON past.customer_id = cu.id AND fresh.customer_id IS NULL
    WHERE o.shop_id = :shop AND o.ordered_at < :as_of
    GROUP BY o.customer_id"""


def loyalty_sql(segments: SegmentRule) -> str:
    """OrderTotals of the customers with orders before `:as_of`, by segment and NPS group:
    (segment, nps_group, and a column per OrderTotals field)."""
    return f"""
WITH {_NPS_CTES}
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
