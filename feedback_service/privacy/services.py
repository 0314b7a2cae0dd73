"""GDPR: everything held about one person, and erasing it (scores kept, everything personal
removed).

A person is found by their email: as a customer (orders, answers, reviews written through
the form, alerts, emails) and as the author of imported reviews, which name no customer,
of product questions and of answers to them.
The export lists exactly what erasure removes, found by the same lookups.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from feedback_service import db
from feedback_service.alerts import schemas as alert_schemas
from feedback_service.alerts.models import Alert, AlertReply, AlertSubject, SubjectKind
from feedback_service.alerts.services import alert_out, reply_out
from feedback_service.errors import NotFound
from feedback_service.http import Strict
from feedback_service.moments import Moment
from feedback_service.orders.models import Customer, HeldInvitation, Order, OrderItem
from feedback_service.outbox.models import OutboxMessage
from feedback_service.questions import reading as question_reading
from feedback_service.questions import schemas as question_schemas
from feedback_service.questions import services as questions
from feedback_service.questions.models import Answer, Question
from feedback_service.reviews import draws
from feedback_service.reviews import schemas as review_schemas
from feedback_service.reviews.models import PrizeDraw, Review
from feedback_service.reviews.services import (
    refresh_product_rating,
    remove_unreferenced_photos,
    review_out,
)
from feedback_service.shops.models import Shop
from feedback_service.surveys import schemas as survey_schemas
from feedback_service.surveys.models import CampaignRecipient, Click, Invitation, Response
from feedback_service.surveys.services import response_out

# In a webhook about their answer or review, what they (or the shop about them) wrote goes;
# scores and ids stay, so the shop's integrations keep their statistics.
WRITTEN_FIELDS = {"comment": None, "note": None, "title": "", "body": "", "question": ""}
# The fields of a webhook's data that name a customer, an answer, a review or an alert.
DATA_IDS = ("customer_id", "id", "review_id", "response_id", "answer_id")
# What the "id" of a webhook's data names, by the first part of its type.
EVENT_SUBJECTS = {
    "review": "review",
    "response": "response",
    "comment": "response",
    "alert": "alert",
    "question": "question",
}


@dataclass
class Person:
    address: str
    customer: Customer | None
    reviews: list[Review]
    responses: list[Response]
    alerts: list[Alert]
    questions: list[Question]  # they asked
    question_answers: list[Answer]  # they wrote, as buyers

    @cached_property
    def ids(self) -> dict[str, set[int]]:
        """Their reviews, answers, alerts and questions, by the name webhooks give each."""
        return {
            "review": {r.id for r in self.reviews},
            "response": {r.id for r in self.responses},
            "alert": {a.id for a in self.alerts},
            "question": {q.id for q in self.questions},
            "answer": {a.id for a in self.question_answers},
        }


async def find_person(shop: Shop, email: str) -> Person:
    address = email.strip().lower()
    if len(address) > 254:  # longer than any stored address (and than a lookup may be)
        raise NotFound("No customer with this email.")
    customer = await Customer.filter(shop=shop, email=address).first()
    written = Q(author_email__iexact=address)  # imported reviews carry only the email
    mine = written | Q(customer=customer) if customer else written
    reviews = await Review.filter(mine, shop=shop).select_related("product").order_by("id")
    asked = (
        await Question.filter(shop=shop, author_email__iexact=address)
        .select_related("product")
        .order_by("id")
    )
    answers = await Answer.filter(mine, question__shop=shop, by_shop=False).order_by("id")
    if customer is None and (not (reviews or asked or answers) or not address):
        raise NotFound("No customer with this email.")
    responses = (
        await Response.filter(customer=customer)
        .select_related("customer", "invitation__order")
        .order_by("id")
        if customer
        else []
    )
    about = Q(subject__in=[AlertSubject(SubjectKind.REVIEW, r.id).format() for r in reviews])
    alerts = await Alert.filter(about | Q(customer=customer) if customer else about, shop=shop)
    return Person(address, customer, reviews, list(responses), alerts, asked, answers)


# --- export ------------------------------------------------------------------------------


class ExportedCustomer(Strict):
    email: str
    name: str
    external_id: str | None
    locale: str
    created_at: Moment
    last_invited_at: Moment | None
    unsubscribed_at: Moment | None
    contact_preference: str
    contact_preference_at: Moment | None


class ExportedItem(Strict):
    sku: str
    quantity: int


class ExportedOrder(Strict):
    id: str
    ordered_at: Moment
    delivered_at: Moment | None
    items: list[ExportedItem]


class ExportedClick(Strict):
    invitation_id: int
    score: int
    outcome: str
    user_agent: str
    created_at: Moment


class ExportedHold(Strict):
    kind: str
    reason: str
    created_at: Moment


class ExportedResponse(survey_schemas.SurveyResponse):
    aspects: list[dict[str, Any]]


class ExportedReview(review_schemas.Review):
    author_email: str | None
    aspects: list[dict[str, Any]]


class ExportedQuestion(question_schemas.Question):
    author_email: str


class ExportedQuestionAnswer(question_schemas.QuestionAnswer):
    question_id: int
    author_email: str | None


class DrawEntry(Strict):
    id: int
    prize: str
    entry: int  # the review that entered
    receipt: str  # the entry as the draw's public page lists it
    won: bool


class ExportedMessage(Strict):
    id: str
    kind: str
    about: str | None
    state: str
    last_error: str | None
    created_at: Moment
    delivered_at: Moment | None
    payload: dict[str, Any]


class CustomerExport(Strict):
    """Everything held about one person (GDPR), found by their email."""

    email: str
    customer: ExportedCustomer | None
    orders: list[ExportedOrder]
    invitations: int
    clicks: list[ExportedClick]
    held_invitations: list[ExportedHold]
    responses: list[ExportedResponse]
    reviews: list[ExportedReview]
    alerts: list[alert_schemas.Alert]
    alert_replies: list[alert_schemas.AlertReply]
    questions: list[ExportedQuestion]  # they asked, with the answers they received
    question_answers: list[ExportedQuestionAnswer]  # they wrote, as buyers
    prize_draws: list[DrawEntry]
    messages: list[ExportedMessage]


async def export_customer(shop: Shop, email: str) -> CustomerExport:
    person = await find_person(shop, email)
    customer = person.customer
    replies = await AlertReply.filter(alert_id__in=[a.id for a in person.alerts])
    return CustomerExport(
        email=person.address,
        customer=_customer_out(customer) if customer else None,
        **(await _customer_records(customer) if customer else _NO_RECORDS),
        responses=[
            ExportedResponse(**dict(response_out(r)), aspects=r.aspects) for r in person.responses
        ],
        reviews=[
            ExportedReview(**dict(review_out(r)), author_email=r.author_email, aspects=r.aspects)
            for r in person.reviews
        ],
        alerts=[alert_out(a) for a in person.alerts],
        alert_replies=[reply_out(r) for r in replies],
        **await _question_records(person),
        prize_draws=await _draw_entries(shop, person),
        messages=[_message_out(row) for row in await _messages(shop, person)],
    )


async def _question_records(person: Person) -> dict[str, Any]:
    """The questions they asked (with the answers they received) and the answers they wrote."""
    answers = await question_reading.answers_of(person.questions)
    return {
        "questions": [
            ExportedQuestion(
                **dict(question_reading.question_out(q, answers[q.id])), author_email=q.author_email
            )
            for q in person.questions
        ],
        "question_answers": [
            ExportedQuestionAnswer(
                **dict(question_reading.answer_out(a)),
                question_id=a.question_id,
                author_email=a.author_email,
            )
            for a in person.question_answers
        ],
    }


def _customer_out(customer: Customer) -> ExportedCustomer:
    return ExportedCustomer(
        email=customer.email,
        name=customer.name,
        external_id=customer.external_id,
        locale=customer.locale,
        created_at=customer.created_at,
        last_invited_at=customer.last_invited_at,
        unsubscribed_at=customer.unsubscribed_at,
        contact_preference=customer.contact_preference,
        contact_preference_at=customer.contact_preference_at,
    )


_NO_RECORDS: dict[str, Any] = {"orders": [], "invitations": 0, "clicks": [], "held_invitations": []}


async def _customer_records(customer: Customer) -> dict[str, Any]:
    orders = await Order.filter(customer=customer).order_by("ordered_at")
    items = await OrderItem.filter(order__customer=customer).select_related("order", "product")
    clicks = await Click.filter(invitation__customer=customer).order_by("id")
    held = await HeldInvitation.filter(customer=customer).order_by("id")
    return {
        "orders": [
            ExportedOrder(
                id=order.external_id,
                ordered_at=order.ordered_at,
                delivered_at=order.delivered_at,
                items=[
                    ExportedItem(sku=i.product.sku, quantity=i.quantity)
                    for i in items
                    if i.order.id == order.id
                ],
            )
            for order in orders
        ],
        "invitations": await Invitation.filter(customer=customer).count(),
        "clicks": [
            ExportedClick(
                invitation_id=c.invitation_id,
                score=c.score,
                outcome=c.outcome,
                user_agent=c.user_agent,
                created_at=c.created_at,
            )
            for c in clicks
        ],
        "held_invitations": [
            ExportedHold(kind=h.kind, reason=h.reason, created_at=h.created_at) for h in held
        ],
    }


async def _draw_entries(shop: Shop, person: Person) -> list[DrawEntry]:
    """The prize draws one of their reviews entered (the draw keeps only review ids)."""
    mine = person.ids["review"]
    return [
        DrawEntry(
            id=draw.id,
            prize=draw.prize,
            entry=entry,
            receipt=receipt,
            won=draw.winner_review_id == entry,
        )
        for draw in await PrizeDraw.filter(shop=shop, ran_at__isnull=False).order_by("id")
        for entry, receipt in zip(draw.entries, draws.published_entries(draw), strict=True)
        if entry in mine
    ]


def _message_out(row: OutboxMessage) -> ExportedMessage:
    return ExportedMessage(
        id=row.message_id,
        kind=row.kind,
        about=row.subject,
        state=row.state,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        payload=row.payload,
    )


# --- erasure -----------------------------------------------------------------------------


async def erase_customer(shop: Shop, email: str, photo_dir: Path) -> set[int]:
    """Keep the scores (the shop's statistics), drop every trace of the person; returns the
    products whose review blocks changed."""
    person = await find_person(shop, email)
    review_ids = person.ids["review"]
    products = {r.product_id for r in person.reviews if r.product_id is not None}
    async with in_transaction():
        if person.customer is not None:
            await _anonymise_customer(person.customer)
        # A rating without its text, author or photos; the shop's reply to it goes too.
        # No consent to publish any more: the shop's certificate and feed drop the review.
        await Review.filter(id__in=review_ids).update(
            consent=False,
            author_name="—",
            author_email=None,
            title="",
            body="",
            photos=[],
            answers=[],
            aspects=[],
            reply_body=None,
            reply_at=None,
        )
        # Highlights without their words, and new versions, so that no block (cached or
        # revalidated) shows the old text.
        for product_id in sorted(products):
            await refresh_product_rating(product_id)
        alert_ids = [a.id for a in person.alerts]
        await Alert.filter(id__in=alert_ids).update(note=None)
        # The replies quote them and name them; when and with what gesture stays (recovery).
        await AlertReply.filter(alert_id__in=alert_ids).update(
            subject="", body="", gesture_detail=""
        )
        # Their questions and their answers go: a question is nothing without its text.
        products |= await questions.forget(person.questions, person.question_answers)
        for row in await _messages(shop, person):
            await _erase_message(row, person)
    await remove_unreferenced_photos({n for r in person.reviews for n in r.photos}, photo_dir)
    return products


async def _anonymise_customer(customer: Customer) -> None:
    await Response.filter(customer=customer).update(comment=None, aspects=[])
    await Click.filter(invitation__customer=customer).update(user_agent="")
    erased = f"erased-{customer.id}@invalid"
    # The shop's campaign lists named them too (the counts stay).
    await CampaignRecipient.filter(campaign__shop_id=customer.shop_id, email=customer.email).update(
        email=erased, name=""
    )
    customer.email = erased
    customer.name = ""
    customer.external_id = None
    customer.unsubscribed_at = customer.unsubscribed_at or customer.created_at
    # Only these: the order totals stored with the customer may have changed meanwhile.
    await customer.save(update_fields=["email", "name", "external_id", "unsubscribed_at"])


async def _erase_message(row: OutboxMessage, person: Person) -> None:
    """Emails to them and events about them as a person (which carry their email) go; a
    webhook about their answer or review stays without what they wrote."""
    data = row.payload.get("data")
    if row.kind == "email" or not isinstance(data, dict) or "email" in data:
        await row.delete()
        return
    scrubbed = {**data, **{k: v for k, v in WRITTEN_FIELDS.items() if k in data}}
    row.payload = {**row.payload, "data": scrubbed}
    if person.address in json.dumps(row.payload, ensure_ascii=False).lower():
        await row.delete()
    else:
        await row.save(update_fields=["payload"])


async def _messages(shop: Shop, person: Person) -> list[OutboxMessage]:
    """The shop's outbox rows about the person: emails to them, webhooks about them or
    their answers, reviews and alerts, anything else that names their address."""
    sql, params = _candidates_query(shop, person)
    candidates = [row["id"] for row in await db.fetch(sql, params)]
    found: list[OutboxMessage] = []
    for start in range(0, len(candidates), 500):
        rows = await OutboxMessage.filter(id__in=candidates[start : start + 500]).order_by("id")
        found += [row for row in rows if _concerns(row.payload, person)]
    return found


def _candidates_query(shop: Shop, person: Person) -> tuple[str, dict[str, Any]]:
    """The rows that may be about the person (`_concerns` decides), picked by the database
    (an outbox holds every message ever sent: decoding each in Python took 8 s per 100,000):
    their address anywhere, or one of their ids in a field of the data that names one."""
    ids = sorted({str(i) for kind in person.ids.values() for i in kind})
    if person.customer is not None:
        ids.append(str(person.customer.id))
    escaped = person.address.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    ops = db.ops()
    matches = ["lower(CAST(payload AS TEXT)) LIKE :address ESCAPE '\\'"]
    if ids:
        matches += [
            ops.in_list(ops.json_text("payload", "data", name), ":ids") for name in DATA_IDS
        ]
    sql = f"SELECT id FROM outbox_message WHERE shop_id = :shop AND ({' OR '.join(matches)})"
    return sql, {"shop": shop.id, "address": f"%{escaped}%", "ids": ids}


def _concerns(payload: dict[str, Any], person: Person) -> bool:
    if person.address in json.dumps(payload, ensure_ascii=False).lower():
        return True
    data = payload.get("data")
    if not isinstance(data, dict):
        return False
    ids = person.ids
    about = EVENT_SUBJECTS.get(str(payload.get("type")).split(".")[0])
    return (
        (person.customer is not None and data.get("customer_id") == person.customer.id)
        or (about is not None and data.get("id") in ids[about])
        or data.get("review_id") in ids["review"]
        or data.get("response_id") in ids["response"]
        or data.get("answer_id") in ids["answer"]
    )
