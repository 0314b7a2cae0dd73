"""The transactional outbox, and the webhook endpoints it delivers to."""

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from feedback_service.shops.models import Shop


class WebhookEndpoint(Model):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="webhooks", on_delete=fields.CASCADE
    )
    shop_id: int
    url = fields.CharField(max_length=2000)
    events: list[str] = fields.JSONField(default=list)
    secret = fields.CharField(max_length=100)
    # Set when the receiver answers 410 Gone: it asked never to be called again.
    disabled_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webhook_endpoint"
        # Each confirm asks whether its shop has an active endpoint (surveys.queries).
        indexes = (("shop_id",),)


class OutboxState(StrEnum):
    PENDING = "pending"  # to deliver, now or at its due time
    DONE = "done"
    FAILED = "failed"  # out of retries, or the receiver asked never to be called again
    CANCELLED = "cancelled"  # what it was about was undone


class OutboxMessage(Model):
    """One side effect to deliver at least once: an email, a webhook call, a scheduled task."""

    id = fields.BigIntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="outbox", on_delete=fields.CASCADE
    )
    shop_id: int
    kind = fields.CharField(max_length=32)  # email, webhook, review_request
    endpoint: fields.ForeignKeyNullableRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "feedback.WebhookEndpoint", related_name="deliveries", null=True, on_delete=fields.CASCADE
    )
    endpoint_id: int | None
    # Stable across retries and replays, so receivers can drop duplicates (webhook-id, Message-ID).
    message_id = fields.CharField(max_length=100, unique=True)
    payload: dict[str, Any] = fields.JSONField()
    # What the row is about ("response:42"), so it can be cancelled if that is undone.
    subject = fields.CharField(max_length=64, null=True, db_index=True)
    state = fields.CharField(max_length=16, default=OutboxState.PENDING)
    due_at = fields.DatetimeField()
    # A worker's claim: until then no other worker takes the row; a crashed worker's lapses.
    locked_until = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    last_error = fields.CharField(max_length=500, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("state", "due_at"), ("endpoint_id", "id"))
