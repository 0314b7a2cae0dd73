"""Questions shoppers ask about a product, the answers of the shop and of its buyers, and
the buyers asked to answer."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from feedback_service.orders.models import Customer, Product
from feedback_service.shops.models import Shop


class QuestionStatus(StrEnum):
    UNCONFIRMED = "unconfirmed"  # the asker has not clicked the emailed link yet
    PENDING = "pending"  # to moderate
    PUBLISHED = "published"
    REJECTED = "rejected"


class AnswerStatus(StrEnum):
    """A buyer's answer is moderated; the shop's is published as written."""

    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"


class Question(Model):
    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "feedback.Shop", related_name="questions", on_delete=fields.CASCADE
    )
    shop_id: int
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "feedback.Product", related_name="questions", on_delete=fields.CASCADE
    )
    product_id: int
    body = fields.TextField()
    author_name = fields.CharField(max_length=100)
    author_email = fields.CharField(max_length=254)
    language = fields.CharField(max_length=8, default="en")  # of the page it was asked on
    status = fields.CharField(max_length=16, default=QuestionStatus.UNCONFIRMED)
    rejection_reason = fields.CharField(max_length=32, null=True)
    moderated_by = fields.CharField(max_length=254, null=True)
    asked_at = fields.DatetimeField()
    confirmed_at = fields.DatetimeField(null=True)
    published_at = fields.DatetimeField(null=True)
    # Its first published answer: blocks show published questions that have one.
    answered_at = fields.DatetimeField(null=True)
    buyers_asked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "question"
        indexes = (("product_id", "status", "answered_at"), ("shop_id", "status", "id"))


class Answer(Model):
    """The shop's answer (one per question, published as written) or a buyer's (moderated)."""

    id = fields.IntField(primary_key=True)
    question: fields.ForeignKeyRelation[Question] = fields.ForeignKeyField(
        "feedback.Question", related_name="answers", on_delete=fields.CASCADE
    )
    question_id: int
    by_shop = fields.BooleanField(default=False)
    # A buyer's answer: who wrote it (found again by their email for export and erasure).
    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "feedback.Customer", related_name="question_answers", null=True, on_delete=fields.SET_NULL
    )
    customer_id: int | None
    author_name = fields.CharField(max_length=100, default="")
    author_email = fields.CharField(max_length=254, null=True)
    body = fields.TextField()
    status = fields.CharField(max_length=16, default=AnswerStatus.PENDING)
    rejection_reason = fields.CharField(max_length=32, null=True)
    # Staff email or "api": who wrote the shop's answer or moderated a buyer's.
    moderated_by = fields.CharField(max_length=254, null=True)
    created_at = fields.DatetimeField()
    published_at = fields.DatetimeField(null=True)

    class Meta:
        table = "question_answer"
        indexes = (("question_id", "status"),)


class BuyerInvite(Model):
    """A recent buyer of the product asked by email to answer a question (once each)."""

    id = fields.IntField(primary_key=True)
    question: fields.ForeignKeyRelation[Question] = fields.ForeignKeyField(
        "feedback.Question", related_name="buyer_invites", on_delete=fields.CASCADE
    )
    question_id: int
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "feedback.Customer", related_name="question_invites", on_delete=fields.CASCADE
    )
    customer_id: int
    sent_at = fields.DatetimeField()
    answered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "question_invite"
        unique_together = (("question", "customer"),)
