"""Survey rules: "send an NPS survey 7 days after delivery to regular customers". The worker
applies the active rules every few minutes; each order is asked at most once per rule, through
the invitation service (throttle, preferences and unsubscribe apply, holds are recorded)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from feedback_service.errors import InvalidInput, NotFound
from feedback_service.i18n import N_
from feedback_service.links import Links
from feedback_service.orders import preferences
from feedback_service.orders.models import Order, OrderStatus
from feedback_service.shops.models import Shop
from feedback_service.surveys.kinds import KINDS
from feedback_service.surveys.models import AskOutcome, SurveyRule, SurveyRuleOrder
from feedback_service.surveys.services import Held, invite

log = logging.getLogger("feedback_service.worker")

SEGMENTS = ("all", *preferences.SEGMENTS)
MAX_DAYS = 365  # as the refusal says
MAX_RULES = 20  # as the refusal says
# Orders delivered up to this long before their rule's day are still asked: a worker that
# was stopped for a while catches up, and a new rule does not reach back to old orders.
CATCH_UP = timedelta(days=3)
BATCH = 200
STATS_DAYS = 30
OUTCOMES: tuple[str, ...] = tuple(AskOutcome)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _days(raw: str) -> int:
    value = raw.strip()
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_DAYS:
        raise InvalidInput(
            N_("Days after delivery is a whole number from 0 to 365."),
            fields={"days_after_delivery": "invalid"},
        )
    return int(value)


async def add_rule(shop: Shop, *, kind: str, days: str, segment: str) -> SurveyRule:
    if kind not in KINDS:
        raise InvalidInput(N_("Choose a survey."), fields={"kind": "invalid"})
    if segment not in SEGMENTS:
        raise InvalidInput(N_("Choose a segment."), fields={"segment": "invalid"})
    after = _days(days)
    if await SurveyRule.filter(shop=shop).count() >= MAX_RULES:
        raise InvalidInput(N_("A shop has at most 20 rules."), fields={"rule": "too_many"})
    return await SurveyRule.create(shop=shop, kind=kind, days_after_delivery=after, segment=segment)


async def change_rule(shop: Shop, rule_id: int, action: str) -> None:
    """on, off or delete (the orders it handled go with it)."""
    rule = await SurveyRule.filter(shop=shop, id=rule_id).first()
    if rule is None:
        raise NotFound("No such rule.")
    if action == "delete":
        await rule.delete()
    elif action in ("on", "off"):
        await SurveyRule.filter(id=rule.id).update(active=action == "on")
    else:
        raise InvalidInput("Unknown action.", fields={"action": "invalid"})


@dataclass
class RuleStats:
    rule: SurveyRule
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))

    @property
    def held(self) -> int:
        return sum(n for outcome, n in self.counts.items() if outcome != AskOutcome.SENT)


async def rules_with_stats(shop: Shop, now: datetime | None = None) -> list[RuleStats]:
    """The shop's rules with what each did in the last STATS_DAYS days (one grouped query)."""
    rules = await SurveyRule.filter(shop=shop).order_by("id")
    stats = {rule.id: RuleStats(rule) for rule in rules}
    if not rules:
        return []
    since = (now or utcnow()) - timedelta(days=STATS_DAYS)
    rows = (
        await SurveyRuleOrder.filter(rule_id__in=list(stats), created_at__gte=since)
        .annotate(n=Count("id"))
        .group_by("rule_id", "outcome")
        .values("rule_id", "outcome", "n")
    )
    for row in rows:
        counts = stats[row["rule_id"]].counts
        if row["outcome"] in counts:
            counts[row["outcome"]] += int(row["n"])
    return list(stats.values())


async def apply_rules(links: Links, now: datetime | None = None) -> int:
    """Every active rule of every shop, once: how many orders were handled (sent or held)."""
    now = now or utcnow()
    handled = 0
    for rule in await SurveyRule.filter(active=True).select_related("shop").order_by("id"):
        try:
            handled += await apply_rule(rule, links, now)
        except Exception:  # the next pass tries again; the other rules go on
            log.exception("survey rule %s failed", rule.id)
    return handled


def _due_orders(rule: SurveyRule, shop: Shop, now: datetime) -> QuerySet[Order]:
    due_until = now - timedelta(days=rule.days_after_delivery)
    orders = Order.filter(
        shop_id=shop.id,
        delivered_at__lte=due_until,
        delivered_at__gt=due_until - CATCH_UP,
        status__not_in=(OrderStatus.CANCELLED, OrderStatus.REFUNDED),
    ).exclude(id__in=Subquery(SurveyRuleOrder.filter(rule_id=rule.id).values("order_id")))
    # The customer's segment by their stored order count, as the contact pressure counts it.
    if rule.segment == "new":
        orders = orders.filter(customer__orders_count__lt=shop.segment_occasional_from)
    elif rule.segment == "occasional":
        orders = orders.filter(
            customer__orders_count__gte=shop.segment_occasional_from,
            customer__orders_count__lt=shop.segment_regular_from,
        )
    elif rule.segment == "regular":
        orders = orders.filter(customer__orders_count__gte=shop.segment_regular_from)
    return orders.order_by("delivered_at", "id").limit(BATCH).select_related("customer")


async def apply_rule(rule: SurveyRule, links: Links, now: datetime) -> int:
    handled = 0
    while True:
        orders = await _due_orders(rule, rule.shop, now)
        for order in orders:
            handled += await _ask(rule, order, links)
        if len(orders) < BATCH:
            return handled


async def _ask(rule: SurveyRule, order: Order, links: Links) -> int:
    """The order's invitation and the rule's note that it handled it, together; 0 when
    another worker got there first."""
    try:
        async with in_transaction():
            note = await SurveyRuleOrder.create(
                rule_id=rule.id, order_id=order.id, outcome=AskOutcome.SENT
            )
            result = await invite(rule.shop, order.customer, rule.kind, links, order=order)
            if isinstance(result, Held):
                await SurveyRuleOrder.filter(id=note.id).update(outcome=result.reason)
    except IntegrityError:
        return 0
    return 1
