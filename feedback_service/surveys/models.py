"""Invitations, the clicks on their links, and confirmed answers."""

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from feedback_service.orders.models import Customer, HoldReason, Order
from feedback_service.shops.models import Shop


class ClickOutcome(StrEnum):
    PENDING = "pending"  # provisional: no person's browser confirmed it yet
    CONFIRMED = "confirmed"
    SCANNER = "scanner"  # part of a burst of different scores


class AskOutcome(StrEnum):
    """What a rule or a campaign did with a customer: sent, or held back (HoldReason)."""

    SENT = "sent"
    THROTTLE = HoldReason.THROTTLE.value
    PREFERENCE = HoldReason.PREFERENCE.value
    UNSUBSCRIBED = HoldReason.UNSUBSCRIBED.value


class CampaignState(StrEnum):
    DRAFT = "draft"
    SENDING = "sending"  # the worker is fanning it out
    DONE = "done"


class Invitation(Model):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="invitations", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=16)  # kinds.Kind
    # None for a reusable link (email signatures, receipts): answers are anonymous.
    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "feedback.Customer", related_name="invitations", null=True, on_delete=fields.CASCADE
    )
    order: fields.ForeignKeyNullableRelation[Order] = fields.ForeignKeyField(
        "feedback.Order", related_name="invitations", null=True, on_delete=fields.SET_NULL
    )
    shop_id: int
    customer_id: int | None
    question = fields.CharField(max_length=500, null=True)
    locale = fields.CharField(max_length=8, default="en")
    reusable = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "invitation"
        indexes = (("shop_id", "created_at"),)


class Click(Model):
    """A GET of a score link: provisional until a person's browser confirms it.

    Only the first clicks of each score of an invitation are kept (mail scanners and
    reposted links open one link again and again): the last kept one stands for the later
    ones too, which it counts in `repeats` and whose time, user agent and outcome it takes,
    so that a burst of scores still shows in the recent clicks."""

    id = fields.BigIntField(primary_key=True)
    invitation: fields.ForeignKeyRelation[Invitation] = fields.ForeignKeyField(
        "feedback.Invitation", related_name="clicks", on_delete=fields.CASCADE
    )
    invitation_id: int
    score = fields.IntField()
    outcome = fields.CharField(max_length=16, default=ClickOutcome.PENDING)
    user_agent = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    # Its rank among its invitation's clicks of its score, up to CLICKS_KEPT - 1 (NULL:
    # recorded before clicks were bounded); the unique key that takes the later clicks.
    slot = fields.SmallIntField(null=True)
    repeats = fields.IntField(default=0, db_default=0)

    class Meta:
        table = "click"
        indexes = (("invitation_id", "created_at"),)
        unique_together = (("invitation_id", "score", "slot"),)


class Response(Model):
    """A confirmed answer: the only kind that counts in metrics, alerts and webhooks."""

    id = fields.BigIntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="responses", on_delete=fields.CASCADE
    )
    invitation: fields.ForeignKeyRelation[Invitation] = fields.ForeignKeyField(
        "feedback.Invitation", related_name="responses", on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "feedback.Customer", related_name="responses", null=True, on_delete=fields.CASCADE
    )
    shop_id: int
    invitation_id: int
    customer_id: int | None
    kind = fields.CharField(max_length=16)  # kinds.Kind
    score = fields.IntField()
    comment = fields.TextField(null=True)
    commented_at = fields.DatetimeField(null=True)
    # Of the comment, computed when it is stored.
    sentiment_score = fields.FloatField(null=True)
    sentiment_label = fields.CharField(max_length=8, null=True)
    language = fields.CharField(max_length=8, null=True)
    aspects: list[dict[str, Any]] = fields.JSONField(default=list)
    # One answer per invitation (or per browser for a reusable link), enforced by the database.
    dedupe_key = fields.CharField(max_length=80, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # When the same customer next answered the same kind of survey (NULL: this is their
    # latest answer, or an anonymous one). An answer is their latest of a period ending at
    # `end` when superseded_at is NULL or ≥ end: metrics count "each customer's latest
    # answer" with a filter instead of a sort. Kept by metrics.chain.chain_answers, off the
    # one-click path: a new answer is stored unchained, and so are the answers of its
    # customer and kind when one of them is deleted.
    superseded_at = fields.DatetimeField(null=True)
    # When the shop's alert rules are to be checked against this answer (NULL: done). The
    # answer is its own entry in the worker's queue (a partial index), so a click writes no
    # outbox row. Set when it is stored or its score changes, a burst window later, so that
    # a mail scanner caught meanwhile takes the answer back first.
    alert_due_at = fields.DatetimeField(null=True)
    chained = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "response"
        indexes = (
            ("shop_id", "kind", "created_at"),
            # Each customer's latest answer, read in index order without the table.
            ("shop_id", "kind", "customer_id", "created_at", "id", "score"),
        )


class SurveyRule(Model):
    """ "Send a `kind` survey `days_after_delivery` days after delivery to the customers of
    `segment`": the worker applies the active rules (surveys.rules)."""

    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="survey_rules", on_delete=fields.CASCADE
    )
    shop_id: int
    kind = fields.CharField(max_length=16)  # kinds.Kind
    days_after_delivery = fields.IntField()
    segment = fields.CharField(max_length=16)  # all, new, occasional, regular
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "survey_rule"
        indexes = (("shop_id",),)


class SurveyRuleOrder(Model):
    """An order a rule handled, and how (sent or the hold's reason): a rule asks each order
    once, whichever worker gets there first (the unique pair decides)."""

    id = fields.IntField(primary_key=True)
    rule: fields.ForeignKeyRelation[SurveyRule] = fields.ForeignKeyField(
        "feedback.SurveyRule", related_name="handled", on_delete=fields.CASCADE
    )
    rule_id: int
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "feedback.Order", related_name="survey_rules_handled", on_delete=fields.CASCADE
    )
    order_id: int
    outcome = fields.CharField(max_length=16)  # AskOutcome
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "survey_rule_order"
        unique_together = (("rule", "order"),)
        indexes = (("rule_id", "created_at"),)


class Campaign(Model):
    """A survey sent from the admin to a segment or an uploaded list: a draft until the
    shop sends it, then the worker fans it out to its recipients in chunks."""

    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="campaigns", on_delete=fields.CASCADE
    )
    shop_id: int
    kind = fields.CharField(max_length=16)  # kinds.Kind
    # segment:all|new|occasional|regular, or list (an uploaded CSV)
    audience = fields.CharField(max_length=32)
    state = fields.CharField(max_length=16, default=CampaignState.DRAFT)
    # The uploaded list's refused lines: [{"line": 3, "error": "..."}], shown with the preview.
    line_errors: list[dict[str, Any]] = fields.JSONField(default=list)
    created_by = fields.CharField(max_length=254, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "campaign"
        indexes = (("shop_id", "created_at"),)


class CampaignRecipient(Model):
    """One customer of a campaign: `outcome` stays NULL until the worker asked them."""

    id = fields.IntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "feedback.Campaign", related_name="recipients", on_delete=fields.CASCADE
    )
    campaign_id: int
    # Known customers (a segment, or a listed email the shop already has); NULL: new.
    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "feedback.Customer", related_name="campaigns", null=True, on_delete=fields.CASCADE
    )
    customer_id: int | None
    email = fields.CharField(max_length=254)
    name = fields.CharField(max_length=200, default="")
    locale = fields.CharField(max_length=8, default="")  # "": the customer's own
    outcome = fields.CharField(max_length=16, null=True)  # AskOutcome

    class Meta:
        table = "campaign_recipient"
        unique_together = (("campaign", "email"),)
        indexes = (("campaign_id", "outcome"),)
