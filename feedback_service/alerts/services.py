"""Opening alerts from answers and reviews; the triage actions on them."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from feedback_service import db
from feedback_service.alerts import replies, schemas
from feedback_service.alerts import rules as alert_rules
from feedback_service.alerts.models import Alert, AlertReply, AlertStatus, AlertSubject, SubjectKind
from feedback_service.errors import InvalidInput, NotFound
from feedback_service.i18n import LOCALES, N_, gettext
from feedback_service.links import Links
from feedback_service.orders.models import Customer
from feedback_service.orders.services import webhook_contact
from feedback_service.outbox import services as outbox
from feedback_service.reviews.models import Review
from feedback_service.shops.models import Shop, StaffUser
from feedback_service.surveys.followups import create_followup
from feedback_service.surveys.models import Invitation, Response
from feedback_service.templating import render

STATUSES = tuple(AlertStatus)

log = logging.getLogger("feedback_service.alerts")


def utcnow() -> datetime:
    return datetime.now(UTC)


def tags(names: set[str]) -> str:
    return "," + ",".join(sorted(names)) + "," if names else ""


def untag(value: str) -> list[str]:
    return [name for name in value.split(",") if name]


def _aspect_tags(aspects: list[dict[str, Any]]) -> str:
    return tags({a["name"] for a in aspects})


async def _open(
    shop_id: int,
    about: AlertSubject,
    matched: list[str],
    *,
    customer_id: int | None,
    language: str | None,
    aspects: list[dict[str, Any]],
    data: dict[str, Any],
) -> Alert | None:
    """One alert per subject: a new match updates it (and reopens it), never duplicates it."""
    if not matched:
        return None
    now = utcnow()
    subject = about.format()
    alert = await Alert.filter(subject=subject).first()
    if alert is None:
        try:
            async with in_transaction():
                alert = await Alert.create(
                    shop_id=shop_id,
                    customer_id=customer_id,
                    subject=subject,
                    rule_tags=tags(set(matched)),
                    language=language,
                    aspect_tags=_aspect_tags(aspects),
                    opened_at=now,
                )
                contact = {"customer": await webhook_contact(customer_id)}
                await outbox.emit(shop_id, "alert.opened", {**_event(alert), **data, **contact})
            return alert
        except IntegrityError:
            alert = await Alert.get(subject=subject)
    alert.rule_tags = tags(set(untag(alert.rule_tags)) | set(matched))
    alert.aspect_tags = _aspect_tags(aspects) or alert.aspect_tags
    alert.language = language if language is not None else alert.language
    if alert.status == AlertStatus.RESOLVED:
        alert.status, alert.resolved_at = AlertStatus.OPEN, None
        await outbox.cancel(_followup_subject(alert))
    await alert.save(
        update_fields=["rule_tags", "aspect_tags", "language", "status", "resolved_at"]
    )
    return alert


# The answer whose alert check is due first, locked (PostgreSQL: one a worker, others skip
# it); a score change waits for its check to commit, then sets it due again.
_DUE_ANSWER = (
    "SELECT id FROM response WHERE alert_due_at IS NOT NULL AND alert_due_at <= :now"
    " ORDER BY alert_due_at LIMIT 1"
)
RETRY_FAILED_CHECK = timedelta(minutes=2)


async def check_due_answer() -> bool:
    """The alert check of one answer whose burst window has passed (Response.alert_due_at),
    in its own transaction; False when none is due. A check that fails is logged and tried
    again RETRY_FAILED_CHECK later."""
    response_id = None
    try:
        async with in_transaction():
            row = await db.fetch_one(_DUE_ANSWER + db.ops().skip_locked, {"now": utcnow()})
            if row is None:
                return False
            response_id = row["id"]
            await check_response(response_id)
            await db.execute(
                "UPDATE response SET alert_due_at = NULL WHERE id = :id", {"id": response_id}
            )
    except Exception:
        if response_id is None:
            raise
        log.exception("alert check of answer %s failed", response_id)
        await db.execute(
            "UPDATE response SET alert_due_at = :due WHERE id = :id",
            {"id": response_id, "due": utcnow() + RETRY_FAILED_CHECK},
        )
    return True


async def check_response(response_id: int) -> Alert | None:
    """Run once an answer is confirmed for good (after the scanner window) or commented."""
    response = await Response.filter(id=response_id).select_related("shop").first()
    if response is None:  # undone as a scanner burst
        return None
    rules = alert_rules.rules_of(response.shop.alert_rules)
    matched = alert_rules.matching(rules, response.kind, response.score, response.sentiment_score)
    followed = await Alert.filter(followup_invitation_id=response.invitation_id).first()
    if followed is not None:
        return await record_followup(followed, response, matched)
    return await _open(
        response.shop_id,
        AlertSubject(SubjectKind.RESPONSE, response.id),
        matched,
        customer_id=response.customer_id,
        language=response.language,
        aspects=response.aspects,
        data={"response_id": response.id, "survey": response.kind, "score": response.score},
    )


async def check_review(review_id: int) -> Alert | None:
    """Run once a review is submitted (its job, written by reviews)."""
    review = await Review.filter(id=review_id).select_related("shop").first()
    if review is None:  # erased meanwhile
        return None
    shop = review.shop
    rules = alert_rules.rules_of(shop.alert_rules)
    matched = alert_rules.matching(rules, "review", review.rating, review.sentiment_score)
    return await _open(
        shop.id,
        AlertSubject(SubjectKind.REVIEW, review.id),
        matched,
        customer_id=review.customer_id,
        language=review.language,
        aspects=review.aspects,
        data={"review_id": review.id, "rating": review.rating},
    )


# --- triage ------------------------------------------------------------------------------


async def get_alert(shop: Shop, alert_id: int) -> Alert:
    alert = await Alert.filter(shop=shop, id=alert_id).first()
    if alert is None:
        raise NotFound("No such alert.")
    return alert


async def staff_of(shop: Shop, email: str) -> StaffUser:
    user = await StaffUser.filter(shop=shop, email=email.strip().lower()).first()
    if user is None:
        raise InvalidInput("No staff member with this email.", fields={"assignee": "unknown"})
    return user


async def update(
    shop: Shop,
    alert_id: int,
    *,
    status: str | None = None,
    assignee: StaffUser | None | bool = False,
    note: str | None = None,
) -> Alert:
    """Acknowledge, resolve, (re)assign; `assignee=None` unassigns, False leaves it."""
    alert = await get_alert(shop, alert_id)
    now = utcnow()
    if status is not None:
        if status not in STATUSES:
            raise InvalidInput("Unknown status.", fields={"status": ", ".join(STATUSES)})
        alert.status = status
        if status == AlertStatus.ACKNOWLEDGED:
            alert.acknowledged_at = alert.acknowledged_at or now
        if status == AlertStatus.RESOLVED:
            alert.resolved_at = now
            alert.acknowledged_at = alert.acknowledged_at or now
        if status == AlertStatus.OPEN:
            alert.resolved_at = None
    if assignee is not False:
        alert.assignee = assignee if isinstance(assignee, StaffUser) else None
    if note is not None:
        # Tortoise types a TextField as str even when it is null=True.
        alert.note = note.strip()[:5000] or None  # type: ignore[assignment]
    async with in_transaction():
        await alert.save()
        if status is not None:
            await _plan_followup(shop, alert)
    return alert


# --- "did we make it right?" ---------------------------------------------------------------

FOLLOWUP_QUESTION = N_("Are you satisfied with how we handled your request?")


def _followup_subject(alert: Alert) -> str:
    return f"alert:{alert.id}:followup"


async def _plan_followup(shop: Shop, alert: Alert) -> None:
    """Resolved after a reply: ask the customer, once, `followup_delay_days` later. Any other
    status drops a follow-up still waiting (the complaint is being handled again)."""
    await outbox.cancel(_followup_subject(alert))
    wanted = (
        alert.status == AlertStatus.RESOLVED
        and alert.first_replied_at is not None
        and alert.customer_id is not None
        and alert.followup_invitation_id is None
    )
    if wanted:
        due_at = utcnow() + timedelta(days=shop.followup_delay_days)
        payload = {"alert_id": alert.id}
        await outbox.schedule(
            shop, "alert_followup", payload, due_at, subject=_followup_subject(alert)
        )


async def send_followup(alert_id: int, links: Links) -> Invitation | None:
    """The worker's job: the one-click thermometer, if the alert is still resolved, was not
    asked yet and the customer still hears from the shop."""
    async with in_transaction():
        alert = await Alert.filter(id=alert_id).select_related("shop", "customer").first()
        if alert is None or alert.status != AlertStatus.RESOLVED or alert.followup_invitation_id:
            return None
        if alert.customer is None:
            return None
        question = gettext(alert.customer.locale, FOLLOWUP_QUESTION)
        invitation = await create_followup(alert.shop, alert.customer, question, links)
        if invitation is not None:
            alert.followup_invitation = invitation
            await alert.save(update_fields=["followup_invitation_id"])
        return invitation


async def record_followup(alert: Alert, response: Response, matched: list[str]) -> Alert:
    """A confirmed answer to the follow-up: kept on its alert (never a new alert); an unhappy
    one opens the alert again, since the complaint is not settled."""
    changed = alert.followup_score != response.score or alert.followup_answered_at is None
    alert.followup_score = response.score
    alert.followup_answered_at = response.updated_at or utcnow()
    if matched and alert.status == AlertStatus.RESOLVED:
        alert.status, alert.resolved_at = AlertStatus.OPEN, None
    await alert.save()
    if changed:
        contact = {"customer": await webhook_contact(alert.customer_id)}
        data = {**_event(alert), "response_id": response.id, **contact}
        await outbox.emit(alert.shop_id, "alert.followup_answered", data)
    return alert


async def reply(
    shop: Shop,
    author: StaffUser,
    alert_id: int,
    *,
    aspect: str,
    language: str,
    subject: str,
    body: str,
    gesture: str = "",
    gesture_detail: str = "",
) -> AlertReply:
    """Send a person's (edited) reply through the outbox with the shop's sender, in the
    language they chose; record it, and the gesture offered, on the alert."""
    alert = await get_alert(shop, alert_id)
    customer = await Customer.get_or_none(id=alert.customer_id) if alert.customer_id else None
    if customer is None:
        raise InvalidInput("This answer is anonymous: there is nobody to write to.")
    if aspect not in replies.REPLY_ASPECTS:
        raise InvalidInput("Unknown reply template.", fields={"aspect": "unknown"})
    if language not in LOCALES:
        raise InvalidInput("Unknown language.", fields={"language": ", ".join(LOCALES)})
    if gesture and gesture not in replies.GESTURES:
        raise InvalidInput("Unknown gesture.", fields={"gesture": ", ".join(replies.GESTURES)})
    subject, body = subject.strip(), body.replace("\r\n", "\n").strip()  # a browser's CRLF
    gesture_detail = gesture_detail.strip() if gesture else ""
    if not subject or not body:
        raise InvalidInput("Write a subject and a message.", fields={"body": "required"})
    if len(subject) > replies.MAX_SUBJECT or len(body) > replies.MAX_BODY:
        raise InvalidInput("The reply is too long.", fields={"body": "too long"})
    if len(gesture_detail) > 500:
        raise InvalidInput("The gesture's detail is too long.", fields={"gesture_detail": "long"})
    text = (
        _with_gesture(body, replies.gesture_line(language, gesture, gesture_detail))
        if (gesture)
        else body
    )
    now = utcnow()
    async with in_transaction():
        await outbox.queue_email(
            shop,
            to=customer.email,
            locale=language,
            subject=subject,
            text=text,
            html=render("emails/contact.html", language, shop=shop, subject=subject, body=text),
        )
        sent = await AlertReply.create(
            alert=alert,
            author=author,
            author_email=author.email,
            aspect=aspect,
            language=language,
            subject=subject,
            body=text,
            gesture=gesture,
            gesture_detail=gesture_detail,
            sent_at=now,
        )
        alert.contacted_at = now
        alert.first_replied_at = alert.first_replied_at or now
        if alert.status == AlertStatus.OPEN:
            alert.status, alert.acknowledged_at = AlertStatus.ACKNOWLEDGED, now
        await alert.save()
        contact = {"customer": await webhook_contact(customer.id)}
        event = {**_event(alert), "reply": reply_out(sent).model_dump(mode="json"), **contact}
        await outbox.emit(shop, "alert.replied", event)
    return sent


def _with_gesture(body: str, line: str) -> str:
    """The gesture's line just before the sign-off (the last paragraph), else at the end."""
    paragraphs = body.split("\n\n")
    at = len(paragraphs) - 1 if len(paragraphs) > 1 else len(paragraphs)
    return "\n\n".join([*paragraphs[:at], line, *paragraphs[at:]])


def reply_out(sent: AlertReply) -> schemas.AlertReply:
    return schemas.AlertReply.model_validate(
        {
            "id": sent.id,
            "author": sent.author_email,
            "aspect": sent.aspect,
            "language": sent.language,
            "subject": sent.subject,
            "body": sent.body,
            "gesture": sent.gesture or None,
            "gesture_detail": sent.gesture_detail or None,
            "sent_at": sent.sent_at,
        }
    )


def alert_out(alert: Alert) -> schemas.Alert:
    about = AlertSubject.parse(alert.subject)
    return schemas.Alert.model_validate(
        {
            "id": alert.id,
            "status": alert.status,
            "rules": untag(alert.rule_tags),
            "subject": {"type": about.kind, "id": about.id},
            "customer_id": alert.customer_id,
            "assignee_id": alert.assignee_id,
            "note": alert.note,
            "language": alert.language,
            "aspects": untag(alert.aspect_tags),
            "opened_at": alert.opened_at,
            "acknowledged_at": alert.acknowledged_at,
            "resolved_at": alert.resolved_at,
            "contacted_at": alert.contacted_at,
            "first_replied_at": alert.first_replied_at,
            "followup": {
                "score": alert.followup_score,
                "answered_at": alert.followup_answered_at,
            },
        }
    )


def _event(alert: Alert) -> dict[str, Any]:
    """The alert in a webhook's data, as the API shows it."""
    return alert_out(alert).model_dump(mode="json")
