"""Tenants (shops), their API keys and their staff."""

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Shop(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    locale = fields.CharField(max_length=8, default="en")
    timezone = fields.CharField(max_length=64, default="Europe/Paris")
    # One invitation per customer per window, across survey kinds.
    throttle_days = fields.IntField(default=30)
    # A longer or shorter window per segment (None: throttle_days); customers may ask
    # for a longer one themselves (Customer.contact_preference).
    throttle_days_new = fields.IntField(null=True)
    throttle_days_occasional = fields.IntField(null=True)
    throttle_days_regular = fields.IntField(null=True)
    # Segments by number of orders: new (1), occasional (from .. ), regular (from ..).
    segment_occasional_from = fields.IntField(default=2, db_default=2)
    segment_regular_from = fields.IntField(default=4, db_default=4)
    # A customer without an order for this many days counts as churned.
    churn_days = fields.IntField(default=180, db_default=180)
    # Origins allowed to show the full review pages in a frame ("https://shop.example ...");
    # empty: none may (frame-ancestors 'none'). Fragments are embedded, not framed.
    frame_ancestors = fields.CharField(max_length=1000, default="", db_default="")
    sender_name = fields.CharField(max_length=200, default="")
    sender_email = fields.CharField(max_length=254, default="")
    brand_color = fields.CharField(max_length=7, default="#2563eb")
    # Shown at the top of every email (an https image URL; empty: the shop's name).
    logo_url = fields.CharField(max_length=500, default="", db_default="")
    # NPS buttons all in the brand colour: red-to-green buttons can bias the answers.
    neutral_nps_buttons = fields.BooleanField(default=True, db_default=True)
    # Days after delivery before the review request goes out.
    review_delay_days = fields.IntField(default=7)
    # Where the platform never says "delivered": days after fulfilment (shipping) instead.
    review_delay_after_fulfilled_days = fields.IntField(default=5, db_default=5)
    # Reminders of an unanswered review request (0-2), each this many days after the last.
    review_reminders = fields.IntField(default=1, db_default=1)
    review_reminder_days = fields.IntField(default=7, db_default=7)
    # Publish without a person unless the text check flags it (same rule for every rating).
    reviews_auto_publish = fields.BooleanField(default=False)
    # The review policy's promises (L111-7-2, D111-18): a review is published or refused
    # within this many days, and a published one stays online this many years.
    review_publication_days = fields.IntField(default=7, db_default=7)
    review_retention_years = fields.IntField(default=5, db_default=5)
    # Which answers open an alert; missing keys take the defaults of alerts.rules.
    alert_rules: dict[str, Any] = fields.JSONField(default=dict)
    # How fast an alert should be handled before it shows as late.
    sla_hours = fields.IntField(default=24)
    # Days after an alert is resolved (following a reply) before "did we make it right?".
    followup_delay_days = fields.IntField(default=3, db_default=3)
    # The feed's secret URL is derived from this (tokens.feed_token): +1 gives a new URL.
    feed_token_version = fields.IntField(default=0, db_default=0)
    # When a review block (fragment) of the shop was last fetched, at most once a day: the
    # dashboard's "embed the review block" step is done once it is set.
    block_seen_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "shop"


class ApiKey(Model):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="api_keys", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100, default="default")
    # Shown in lists so a key can be recognised without storing it.
    prefix = fields.CharField(max_length=12)
    # Keys are long random strings, so a plain SHA-256 is enough and keeps lookups indexed.
    key_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"


class StaffUser(Model):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="staff", on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharField(max_length=16, default="agent")
    created_at = fields.DatetimeField(auto_now_add=True)
    # In the signed session cookie, checked on each request: logging out or a new password
    # moves it on, so that every session signed before is refused.
    session_version = fields.IntField(default=0, db_default=0)

    class Meta:
        table = "staff_user"
