"""Contact preferences and the throttle: who may be asked for feedback now, who was held back,
and the contact pressure a shop puts on each segment of its customers.

The window between two invitations (surveys and review requests alike) is the longer of the
shop's, for the customer's segment, and the customer's own choice. "after_order" means: only
when the customer placed an order after both their last invitation and the moment they chose
the option (so choosing it never lets an older order trigger an invitation the next day).
"never" is a full unsubscribe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from feedback_service import db
from feedback_service.i18n import N_
from feedback_service.orders.models import Customer, HeldInvitation, HoldReason, Order
from feedback_service.shops.models import Shop

# "" is the shop's window; the months are counted in days, like the shop's window.
CHOICES = ("", "1m", "3m", "6m", "after_order", "never")
CHOICE_DAYS = {"1m": 30, "3m": 90, "6m": 180}
CHOICE_LABELS = {
    "1m": N_("At most once a month"),
    "3m": N_("At most every 3 months"),
    "6m": N_("At most every 6 months"),
    "after_order": N_("Only after I place an order"),
    "never": N_("Never: unsubscribe me"),
}
SEGMENTS = ("new", "occasional", "regular")
REASONS: tuple[str, ...] = tuple(HoldReason)
PRESSURE_DAYS = 30


def utcnow() -> datetime:
    return datetime.now(UTC)


def segment_of(shop: Shop, orders: int) -> str:
    """new (no order or one), occasional, regular, by the shop's thresholds."""
    if orders >= shop.segment_regular_from:
        return "regular"
    if orders >= shop.segment_occasional_from:
        return "occasional"
    return "new"


def segment_window(shop: Shop, segment: str) -> int:
    days: int | None = getattr(shop, f"throttle_days_{segment}")
    return shop.throttle_days if days is None else days


def has_segment_windows(shop: Shop) -> bool:
    return any(getattr(shop, f"throttle_days_{s}") is not None for s in SEGMENTS)


def shop_window(shop: Shop, customer: Customer) -> int:
    """The shop's window in days for this customer's segment (by their stored order count)."""
    if not has_segment_windows(shop):
        return shop.throttle_days
    return segment_window(shop, segment_of(shop, customer.orders_count))


def current_choice(customer: Customer) -> str:
    """What the preference page shows as chosen: an unsubscribed customer chose "never"."""
    return "never" if customer.unsubscribed_at is not None else customer.contact_preference


@dataclass(frozen=True)
class Hold:
    """Why an invitation is not made now."""

    reason: HoldReason
    next_allowed_at: datetime | None = None

    @property
    def status(self) -> str:
        """The API's word for it (POST /api/v1/invitations)."""
        return "unsubscribed" if self.reason == HoldReason.UNSUBSCRIBED else "throttled"


async def check(shop: Shop, customer: Customer, now: datetime) -> tuple[Hold | None, int]:
    """Why the customer may not be asked now (None: they may), and the window in days."""
    if customer.unsubscribed_at is not None or customer.contact_preference == "never":
        return Hold(HoldReason.UNSUBSCRIBED), 0
    shop_days = shop_window(shop, customer)
    own_days = CHOICE_DAYS.get(customer.contact_preference, 0)
    window = max(shop_days, own_days)
    last = customer.last_invited_at
    if last is not None and last > now - timedelta(days=shop_days):
        return Hold(HoldReason.THROTTLE, last + timedelta(days=window)), window
    if last is not None and last > now - timedelta(days=own_days):
        return Hold(HoldReason.PREFERENCE, last + timedelta(days=own_days)), window
    if customer.contact_preference == "after_order" and not await _ordered_since_asked(customer):
        return Hold(HoldReason.PREFERENCE), window
    return None, window


async def _ordered_since_asked(customer: Customer) -> bool:
    moments = [m for m in (customer.last_invited_at, customer.contact_preference_at) if m]
    orders = Order.filter(shop_id=customer.shop_id, customer_id=customer.id)
    if moments:
        orders = orders.filter(ordered_at__gt=max(moments))
    return await orders.exists()


async def claim(shop: Shop, customer: Customer, kind: str, now: datetime) -> Hold | None:
    """Take the customer's turn for an invitation of `kind` (None), or record why not.

    Run it in the transaction that creates the invitation."""
    hold, window = await check(shop, customer, now)
    if hold is None:
        # One conditional UPDATE decides, so two concurrent requests cannot both invite.
        claimed = await Customer.filter(
            Q(last_invited_at=None) | Q(last_invited_at__lte=now - timedelta(days=window)),
            id=customer.id,
        ).update(last_invited_at=now)
        if claimed:
            customer.last_invited_at = now
            return None
        await customer.refresh_from_db(fields=["last_invited_at"])
        last = customer.last_invited_at
        hold = Hold(HoldReason.THROTTLE, last + timedelta(days=window) if last else None)
    await HeldInvitation.create(
        shop_id=shop.id, customer_id=customer.id, kind=kind, reason=hold.reason
    )
    return hold


# --- contact pressure (admin) ------------------------------------------------------------


@dataclass
class SegmentPressure:
    window_days: int
    customers: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHOICES, 0))
    held: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))

    @property
    def held_total(self) -> int:
        return sum(self.held.values())


def _segment_case(orders: str) -> str:
    return (
        f"CASE WHEN COALESCE({orders}, 0) >= :regular_from THEN 'regular' "
        f"WHEN COALESCE({orders}, 0) >= :occasional_from THEN 'occasional' ELSE 'new' END"
    )


async def contact_pressure(shop: Shop, now: datetime | None = None) -> dict[str, SegmentPressure]:
    """Per segment (by today's order count): customers by choice, invitations held back in
    the last PRESSURE_DAYS days by reason. Two grouped queries, whatever the shop's size."""
    since = (now or utcnow()) - timedelta(days=PRESSURE_DAYS)
    params = {
        "shop": shop.id,
        "since": since,
        "occasional_from": shop.segment_occasional_from,
        "regular_from": shop.segment_regular_from,
    }
    choices = await db.fetch_report(
        f"""
        SELECT {_segment_case("c.orders_count")} AS segment,
               CASE WHEN c.unsubscribed_at IS NOT NULL THEN 'never'
                    ELSE c.contact_preference END AS choice,
               COUNT(*) AS n
        FROM customer c
        WHERE c.shop_id = :shop
        GROUP BY 1, 2""",
        params,
    )
    held = await db.fetch_report(
        f"""
        SELECT {_segment_case("c.orders_count")} AS segment, h.reason, COUNT(*) AS n
        FROM held_invitation h LEFT JOIN customer c ON c.id = h.customer_id
        WHERE h.shop_id = :shop AND h.created_at >= :since
        GROUP BY 1, 2""",
        params,
    )
    result = {s: SegmentPressure(segment_window(shop, s)) for s in SEGMENTS}
    for row in choices:
        counts = result[row["segment"]].customers
        choice = row["choice"] if row["choice"] in counts else ""
        counts[choice] += db.as_int(row["n"])
    for row in held:
        if row["reason"] in REASONS:
            result[row["segment"]].held[row["reason"]] += db.as_int(row["n"])
    return result
