"""Alerts: unhappy customers waiting in the triage inbox."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Self

from tortoise import fields
from tortoise.models import Model

from feedback_service.orders.models import Customer
from feedback_service.shops.models import Shop, StaffUser
from feedback_service.surveys.models import Invitation


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class SubjectKind(StrEnum):
    RESPONSE = "response"
    REVIEW = "review"


@dataclass(frozen=True)
class AlertSubject:
    """What an alert is about, stored in Alert.subject as "response:12" or "review:7"."""

    kind: SubjectKind
    id: int

    @classmethod
    def parse(cls, stored: str) -> Self:
        kind, _, raw_id = stored.partition(":")
        return cls(SubjectKind(kind), int(raw_id))

    def format(self) -> str:
        return f"{self.kind}:{self.id}"


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
    # AlertSubject.format(): one alert per answer, updated by later comments.
    subject = fields.CharField(max_length=64, unique=True)
    # Matched rules as ",nps_detractor,mismatch,": filterable with one LIKE on both engines.
    rule_tags = fields.CharField(max_length=200, default="")
    status = fields.CharField(max_length=16, default=AlertStatus.OPEN)
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
    # The first reply a person sent (time to first reply, /admin recovery panel).
    first_replied_at = fields.DatetimeField(null=True)
    # "Did we make it right?": the thermometer sent after it was resolved, and its answer.
    followup_invitation: fields.ForeignKeyNullableRelation[Invitation] = fields.ForeignKeyField(
        "feedback.Invitation", related_name="followed_alerts", null=True, on_delete=fields.SET_NULL
    )
    followup_invitation_id: int | None
    followup_score = fields.IntField(null=True)
    followup_answered_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "alert"
        # The alert a follow-up answer belongs to (PostgreSQL does not index foreign keys).
        indexes = (("shop_id", "status", "opened_at"), ("followup_invitation_id",))


class AlertReply(Model):
    """A reply a person sent to the customer from the inbox, with the gesture offered."""

    id = fields.IntField(primary_key=True)
    alert: fields.ForeignKeyRelation[Alert] = fields.ForeignKeyField(
        "feedback.Alert", related_name="replies", on_delete=fields.CASCADE
    )
    alert_id: int
    author: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "feedback.StaffUser", related_name="alert_replies", null=True, on_delete=fields.SET_NULL
    )
    # Kept as written: who sent it stays known after their account is deleted.
    author_email = fields.CharField(max_length=254)
    aspect = fields.CharField(max_length=32)  # the template picked
    language = fields.CharField(max_length=8)
    subject = fields.CharField(max_length=200)
    body = fields.TextField()
    gesture = fields.CharField(max_length=16, default="")  # "", refund, voucher, replacement
    gesture_detail = fields.CharField(max_length=500, default="")
    sent_at = fields.DatetimeField()

    class Meta:
        table = "alert_reply"
        indexes = (("alert_id", "sent_at"),)


class ReplyTemplate(Model):
    """A shop's own wording of the reply for an aspect and a language (else our default)."""

    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="reply_templates", on_delete=fields.CASCADE
    )
    shop_id: int
    aspect = fields.CharField(max_length=32)
    language = fields.CharField(max_length=8)
    subject = fields.CharField(max_length=200)
    body = fields.TextField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "reply_template"
        unique_together = (("shop", "aspect", "language"),)
