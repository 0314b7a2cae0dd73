"""Which unhappy customer to answer first, and what the agent should know about them.

The rule (README, "Inbox priority"), for the inbox and `GET /api/v1/alerts?order=priority`:

1. **Late** first: open longer than the shop's limit (`Shop.sla_hours`): the shop's own
   promise is already broken, whoever the customer is.
2. Then **valuable** customers: a regular one (the shop's segment thresholds) or one whose
   spending so far (their historic CLV, `Customer.sales`) is in the shop's top fifth.
3. Then the **oldest** first (then the lowest id, so the order is stable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Case, Q, RawSQL, When
from tortoise.queryset import QuerySet

from feedback_service import db
from feedback_service.alerts import schemas
from feedback_service.alerts.models import Alert, AlertStatus
from feedback_service.orders.models import Customer
from feedback_service.orders.preferences import segment_of
from feedback_service.shops.models import Shop

# The smallest spending among the top fifth of the shop's paying customers (ties included).
_TOP_FIFTH_SQL = """
SELECT MIN(sales) AS threshold FROM (
    SELECT sales, ROW_NUMBER() OVER (ORDER BY sales DESC) AS place, COUNT(*) OVER () AS n
    FROM customer WHERE shop_id = :shop AND orders_count > 0 AND sales > 0
) ranked WHERE place * 5 <= n + 4"""


async def top_fifth_spending(shop: Shop) -> float | None:
    """What a customer must have spent to be in the shop's top fifth (None: nobody paid)."""
    row = await db.fetch_one(_TOP_FIFTH_SQL, {"shop": shop.id})
    value = row["threshold"] if row else None
    return None if value is None else float(value)


def is_valuable(shop: Shop, customer: Customer | None, top_fifth: float | None) -> bool:
    if customer is None:
        return False
    if segment_of(shop, customer.orders_count) == "regular":
        return True
    return top_fifth is not None and customer.sales > 0 and customer.sales >= top_fifth


def in_priority_order(
    query: QuerySet[Alert], shop: Shop, now: datetime, top_fifth: float | None
) -> QuerySet[Alert]:
    """`query` ordered by the rule above, in the database (so a page of it is the right one).

    The thresholds are numbers from our own database, written into the SQL as numbers."""
    cutoff = now - timedelta(hours=shop.sla_hours)
    spending = f" OR c.sales >= {float(top_fifth)!r}" if top_fifth is not None else ""
    valuable = RawSQL(
        "COALESCE((SELECT CASE WHEN c.orders_count >= "
        f"{int(shop.segment_regular_from)}{spending} THEN 0 ELSE 1 END"
        " FROM customer c WHERE c.id = alert.customer_id), 1)"
    )
    late = Case(
        When(Q(opened_at__lte=cutoff) & ~Q(status=AlertStatus.RESOLVED), then="0"), default="1"
    )
    return query.annotate(late_rank=late, value_rank=valuable).order_by(
        "late_rank", "value_rank", "opened_at", "id"
    )


@dataclass(frozen=True)
class CustomerFacts:
    """What the inbox row and the API show about the customer at a glance."""

    segment: str
    orders_count: int
    last_order_at: datetime | None
    clv: float  # spent so far
    valuable: bool

    def out(self) -> schemas.CustomerFacts:
        facts = {
            "segment": self.segment,
            "orders_count": self.orders_count,
            "last_order_at": self.last_order_at,
            "clv": round(self.clv, 2),
            "valuable": self.valuable,
        }
        return schemas.CustomerFacts.model_validate(facts)


def facts_of(shop: Shop, customer: Customer | None, top_fifth: float | None) -> CustomerFacts:
    if customer is None:
        return CustomerFacts("none", 0, None, 0.0, False)
    segment = segment_of(shop, customer.orders_count) if customer.orders_count else "none"
    return CustomerFacts(
        segment,
        customer.orders_count,
        customer.last_order_at,
        customer.sales,
        is_valuable(shop, customer, top_fifth),
    )


async def customers_of(alerts: list[Alert]) -> dict[int, Customer]:
    """The customers of a page of alerts, in one query."""
    ids = {a.customer_id for a in alerts if a.customer_id}
    return {c.id: c for c in await Customer.filter(id__in=ids)} if ids else {}
