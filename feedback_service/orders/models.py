"""Products, customers and their orders."""

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from feedback_service.shops.models import Shop


class Product(Model):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="products", on_delete=fields.CASCADE
    )
    sku = fields.CharField(max_length=100)
    name = fields.CharField(max_length=300)
    url = fields.CharField(max_length=2000)
    image_url = fields.CharField(max_length=2000, null=True)
    brand = fields.CharField(max_length=200, null=True)
    gtin = fields.CharField(max_length=14, null=True)
    # Product type, for the upsell ratio (customers buying more than one type).
    category = fields.CharField(max_length=100, null=True)
    # Published reviews, kept with the product so a block needs no aggregate query;
    # the version changes with every published change and makes the blocks' ETag.
    rating_counts: dict[str, int] = fields.JSONField(default=dict)
    # What customers say (reviews.highlights), computed with rating_counts.
    highlights: list[dict[str, Any]] = fields.JSONField(default=list)
    reviews_version = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "product"
        unique_together = (("shop", "sku"),)


class Customer(Model):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="customers", on_delete=fields.CASCADE
    )
    shop_id: int
    email = fields.CharField(max_length=254)
    name = fields.CharField(max_length=200, default="")
    external_id = fields.CharField(max_length=100, null=True)
    locale = fields.CharField(max_length=8, default="en")
    last_invited_at = fields.DatetimeField(null=True)
    unsubscribed_at = fields.DatetimeField(null=True)
    # The customer's own choice on the preference page: "" (the shop's window),
    # "1m", "3m", "6m" (at most every 1 / 3 / 6 months), "after_order", "never".
    contact_preference = fields.CharField(max_length=16, default="", db_default="")
    contact_preference_at = fields.DatetimeField(null=True)
    # Totals of all their orders, kept by orders.services.refresh_order_totals in the
    # transaction that writes an order: loyalty KPIs read one row per customer instead of
    # every order and item. Never set them anywhere else.
    orders_count = fields.IntField(default=0, db_default=0)
    last_order_at = fields.DatetimeField(null=True)
    sales = fields.FloatField(default=0.0, db_default=0.0)  # Σ quantity × unit price
    priced_orders = fields.IntField(default=0, db_default=0)  # orders with a known price
    # Smallest and largest category bought: equal when they bought from one category only.
    min_category = fields.CharField(max_length=100, null=True)
    max_category = fields.CharField(max_length=100, null=True)
    # Their latest NPS answer (score and time), kept by surveys.chain with the answers'
    # superseded_at: loyalty KPIs by NPS group read it here instead of every NPS answer.
    nps_score = fields.IntField(null=True)
    nps_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "customer"
        unique_together = (("shop", "email"),)
        # Customers with an order, or an NPS answer, after a date: their totals, or their
        # NPS score, on that date need their orders, or their answers.
        indexes = (("shop_id", "last_order_at"), ("shop_id", "nps_at"))


class OrderStatus(StrEnum):
    """In the order of its life (contract: GET /api/v1/orders/{id})."""

    CREATED = "created"
    FULFILLED = "fulfilled"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class HoldReason(StrEnum):
    """Why an invitation was held back (contact pressure)."""

    THROTTLE = "throttle"  # the shop's window
    PREFERENCE = "preference"  # the customer's own
    UNSUBSCRIBED = "unsubscribed"


class Order(Model):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="orders", on_delete=fields.CASCADE
    )
    external_id = fields.CharField(max_length=100)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "feedback.Customer", related_name="orders", on_delete=fields.CASCADE
    )
    customer_id: int
    ordered_at = fields.DatetimeField()
    delivered_at = fields.DatetimeField(null=True)
    # Of its items, kept by orders.services.refresh_order_totals with the customer's totals:
    # Σ quantity × unit price (NULL: no item has a price), smallest and largest category.
    # Loyalty as of a past day sums orders without reading their items.
    amount = fields.FloatField(null=True)
    min_category = fields.CharField(max_length=100, null=True)
    max_category = fields.CharField(max_length=100, null=True)
    status = fields.CharField(
        max_length=16, default=OrderStatus.CREATED, db_default=OrderStatus.CREATED
    )
    # Where it came from: api | woocommerce | shopify | csv
    source = fields.CharField(max_length=16, default="api", db_default="api")
    # The number the shop shows ("#1001"), when it differs from the id.
    number = fields.CharField(max_length=32, null=True)
    fulfilled_at = fields.DatetimeField(null=True)
    # The platform's own updated_at of the version stored: an older delivery arriving
    # late changes no customer, item or date (orders.services.upsert_order).
    source_updated_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "shop_order"
        unique_together = (("shop", "external_id"),)
        indexes = (
            ("shop_id", "customer_id", "ordered_at"),
            # Orders of a time window (last year, after a period) without the table.
            ("shop_id", "ordered_at", "customer_id"),
            # Orders delivered in a window: what the survey rules look for (surveys.rules).
            ("shop_id", "delivered_at"),
        )


class OrderItem(Model):
    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "feedback.Order", related_name="items", on_delete=fields.CASCADE
    )
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "feedback.Product", related_name="order_items", on_delete=fields.CASCADE
    )
    quantity = fields.IntField(default=1)
    unit_price = fields.DecimalField(max_digits=12, decimal_places=2, null=True)

    class Meta:
        table = "order_item"
        # PostgreSQL does not index foreign keys: the items of an order.
        indexes = (("order_id",),)


class HeldInvitation(Model):
    """An invitation the throttle or the customer's preference held back (contact pressure)."""

    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="held_invitations", on_delete=fields.CASCADE
    )
    shop_id: int
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "feedback.Customer", related_name="held_invitations", on_delete=fields.CASCADE
    )
    customer_id: int
    kind = fields.CharField(max_length=16)  # survey kind or "review"
    reason = fields.CharField(max_length=16)  # HoldReason
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "held_invitation"
        indexes = (("shop_id", "created_at"),)
