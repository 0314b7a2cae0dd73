"""Review requests, reviews, the shop's questions, helpful votes and the moderation trail."""

import secrets
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from feedback_service.orders.models import Customer, Order, Product
from feedback_service.shops.models import Shop


def new_draw_nonce() -> str:
    return secrets.token_hex(16)


class ReviewStatus(StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"


class RequestOutcome(StrEnum):
    """What became of a review request (NULL while it waits)."""

    SENT = "sent"
    SKIPPED_UNSUBSCRIBED = "skipped_unsubscribed"
    SKIPPED_THROTTLED = "skipped_throttled"
    CANCELLED = "cancelled"  # the order was


class ReviewQuestion(Model):
    """A shop's multiple-choice question, e.g. "Fit: too small / right / too large"."""

    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="review_questions", on_delete=fields.CASCADE
    )
    label = fields.CharField(max_length=200)
    choices: list[str] = fields.JSONField(default=list)
    multiple = fields.BooleanField(default=False)
    position = fields.IntField(default=0)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "review_question"


class ReviewRequest(Model):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="review_requests", on_delete=fields.CASCADE
    )
    shop_id: int
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "feedback.Order", related_name="review_requests", on_delete=fields.CASCADE, unique=True
    )
    order_id: int
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "feedback.Customer", related_name="review_requests", on_delete=fields.CASCADE
    )
    customer_id: int
    send_at = fields.DatetimeField()
    outcome = fields.CharField(max_length=32, null=True)  # RequestOutcome
    sent_at = fields.DatetimeField(null=True)
    reminders_sent = fields.IntField(default=0, db_default=0)
    submitted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "review_request"


# A review of a product, or of the shop itself when `product` is None (then with its
# criteria): one table, so both share moderation, replies, webhooks, erasure and draws.
class Review(Model):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="reviews", on_delete=fields.CASCADE
    )
    shop_id: int
    product: fields.ForeignKeyNullableRelation[Product] = fields.ForeignKeyField(
        "feedback.Product", related_name="reviews", null=True, on_delete=fields.CASCADE
    )
    product_id: int | None
    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "feedback.Customer", related_name="reviews", null=True, on_delete=fields.SET_NULL
    )
    customer_id: int | None
    request: fields.ForeignKeyNullableRelation[ReviewRequest] = fields.ForeignKeyField(
        "feedback.ReviewRequest", related_name="reviews", null=True, on_delete=fields.SET_NULL
    )
    request_id: int | None
    rating = fields.IntField()
    # A review of the shop: its criteria, 1 to 5 each, None where the customer skipped one.
    rating_delivery = fields.IntField(null=True)
    rating_as_described = fields.IntField(null=True)
    rating_service = fields.IntField(null=True)
    title = fields.CharField(max_length=200, default="")
    body = fields.TextField(default="")
    author_name = fields.CharField(max_length=100)
    author_email = fields.CharField(max_length=254, null=True)
    language = fields.CharField(max_length=8, default="en")
    answers: list[list[str]] = fields.JSONField(default=list)
    photos: list[str] = fields.JSONField(default=list)
    consent = fields.BooleanField(default=True)
    sentiment_score = fields.FloatField(null=True)
    sentiment_label = fields.CharField(max_length=8, null=True)
    aspects: list[dict[str, Any]] = fields.JSONField(default=list)
    status = fields.CharField(max_length=16, default=ReviewStatus.PENDING)
    rejection_reason = fields.CharField(max_length=32, null=True)
    # A purchase we can prove: the review came through the order's own request link.
    verified = fields.BooleanField(default=False)
    source = fields.CharField(max_length=40, default="request")
    source_id = fields.CharField(max_length=100, null=True)
    experienced_at = fields.DatetimeField(null=True)
    submitted_at = fields.DatetimeField()
    published_at = fields.DatetimeField(null=True)
    # The author's last edit of the rating or text (reviews.authors); the blocks say so.
    edited_at = fields.DatetimeField(null=True)
    helpful_count = fields.IntField(default=0)
    # Written while a prize draw was announced: shown on the review and in the feed.
    incentivised = fields.BooleanField(default=False, db_default=False)
    # Secret to the author: their prize draw receipt is sha256("draw:review:nonce").
    draw_nonce = fields.CharField(max_length=32, null=True, default=new_draw_nonce)
    reply_body = fields.TextField(null=True)
    reply_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "review"
        unique_together = (("request", "product"), ("shop", "source", "source_id"))
        indexes = (
            ("product_id", "status", "published_at"),
            ("shop_id", "status", "id"),
            # The shop's own reviews (product_id NULL), newest first: certificate and feed.
            ("shop_id", "product_id", "status", "published_at"),
        )


class ModerationEvent(Model):
    """The audit trail: who published, rejected or replied, and why."""

    id = fields.IntField(primary_key=True)
    review: fields.ForeignKeyRelation[Review] = fields.ForeignKeyField(
        "feedback.Review", related_name="moderation_events", on_delete=fields.CASCADE
    )
    # publish, reject, reply, auto_publish, author_edit
    action = fields.CharField(max_length=16)
    reason = fields.CharField(max_length=32, null=True)
    actor = fields.CharField(max_length=254)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "moderation_event"


class HelpfulVote(Model):
    id = fields.IntField(primary_key=True)
    review: fields.ForeignKeyRelation[Review] = fields.ForeignKeyField(
        "feedback.Review", related_name="helpful_votes", on_delete=fields.CASCADE
    )
    voter = fields.CharField(max_length=64)  # a hash of the browser's cookie
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "helpful_vote"
        unique_together = (("review", "voter"),)


class PrizeDraw(Model):
    """A draw among the customers who left a review in a period, verifiable by anyone:
    sha256(seed) is published when the draw is created, the entries' receipts as they come,
    and when it runs the seed and the frozen receipts, from which the winner is derived."""

    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="prize_draws", on_delete=fields.CASCADE
    )
    shop_id: int
    period_start = fields.DatetimeField()
    period_end = fields.DatetimeField()
    prize = fields.CharField(max_length=300)
    rules_url = fields.CharField(max_length=2000, default="")
    seed = fields.CharField(max_length=64)
    entries: list[int] = fields.JSONField(default=list)  # review ids, for the shop only
    # The published list: the entries' receipts in ascending order, frozen at the run.
    receipts: list[str] = fields.JSONField(default=list, db_default="[]")
    entries_sha256 = fields.CharField(max_length=64, null=True)
    winner_review: fields.ForeignKeyNullableRelation[Review] = fields.ForeignKeyField(
        "feedback.Review", related_name="won_draws", null=True, on_delete=fields.SET_NULL
    )
    winner_review_id: int | None
    ran_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "prize_draw"
        indexes = (("shop_id", "period_start"),)
