"""Alerts: unhappy customers waiting in the triage inbox."""

from tortoise import fields
from tortoise.models import Model

from feedback_service.orders.models import Customer
from feedback_service.shops.models import Shop, StaffUser


class Alert(Model):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="alerts", on_delete=fields.CASCADE
    )
    shop_id: int
    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "feedback.Customer", related_name="alerts", null=True, on_delete=fields.SET_NULL
    )
    customer_id: int | None
    # "response:12" or "review:7": one alert per answer, updated by later comments.
    subject = fields.CharField(max_length=64, unique=True)
    # Matched rules as ",nps_detractor,mismatch,": filterable with one LIKE on both engines.
    rule_tags = fields.CharField(max_length=200, default="")
    status = fields.CharField(max_length=16, default="open")  # open, acknowledged, resolved
    assignee: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "feedback.StaffUser", related_name="alerts", null=True, on_delete=fields.SET_NULL
    )
    assignee_id: int | None
    note = fields.TextField(null=True)
    language = fields.CharField(max_length=8, null=True)
    # ",delivery,price," so one LIKE finds an aspect on both engines.
    aspect_tags = fields.CharField(max_length=200, default="")
    opened_at = fields.DatetimeField()
    acknowledged_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    contacted_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "alert"
        indexes = (("shop_id", "status", "opened_at"),)
