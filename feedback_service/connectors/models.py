"""A shop's platform connectors and the webhook deliveries they received."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from feedback_service.shops.models import Shop


class Connector(Model):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="connectors", on_delete=fields.CASCADE
    )
    shop_id: int
    platform = fields.CharField(max_length=16)  # woocommerce, shopify
    # The last part of the endpoint URL (/hooks/{platform}/{key}): random, so endpoints
    # cannot be listed by counting; the signature is what authenticates a delivery.
    key = fields.CharField(max_length=32, unique=True)
    # Kept in clear, like our own webhook secrets: verifying an HMAC needs the secret itself,
    # and encrypting it with SECRET_KEY would only move the secret next to its key.
    secret = fields.CharField(max_length=200)
    disabled_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "connector"
        indexes = (("shop_id",),)


class DeliveryOutcome(StrEnum):
    PENDING = "pending"  # received, not made into an order yet
    PROCESSED = "processed"
    IGNORED = "ignored"
    FAILED = "failed"


class ConnectorDelivery(Model):
    """One webhook call as the platform sent it, made into an order by the worker."""

    id = fields.BigIntField(primary_key=True)
    connector: fields.ForeignKeyRelation[Connector] = fields.ForeignKeyField(
        "feedback.Connector", related_name="deliveries", on_delete=fields.CASCADE
    )
    connector_id: int
    topic = fields.CharField(max_length=64)
    # Shopify's X-Shopify-Webhook-Id: the same event delivered again is stored once.
    webhook_id = fields.CharField(max_length=100, null=True)
    # The platform's headers a delivery needs later (shop address, API version).
    headers: dict[str, str] = fields.JSONField(default=dict)
    body = fields.TextField()
    received_at = fields.DatetimeField(auto_now_add=True)
    processed_at = fields.DatetimeField(null=True)
    outcome = fields.CharField(max_length=16, default=DeliveryOutcome.PENDING)
    error = fields.CharField(max_length=500, null=True)

    class Meta:
        table = "connector_delivery"
        unique_together = (("connector", "webhook_id"),)
        # The last deliveries of a connector (admin page).
        indexes = (("connector_id", "id"),)
