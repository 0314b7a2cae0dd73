"""Writing side effects into the outbox, in the caller's transaction."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from feedback_service.outbox.models import OutboxMessage, OutboxState, WebhookEndpoint
from feedback_service.shops.models import Shop
from feedback_service.templating import render

EVENTS = (
    "response.confirmed",
    "comment.added",
    "review.submitted",
    "review.published",
    "alert.opened",
    "alert.replied",
    "alert.followup_answered",
    "customer.unsubscribed",
    "question.asked",
    "question.answered",
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_message_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(18)}"


async def queue_email(
    shop: Shop,
    *,
    to: str,
    subject: str,
    html: str,
    text: str,
    locale: str,
    headers: dict[str, str] | None = None,
    due_at: datetime | None = None,
    about: str | None = None,
) -> OutboxMessage:
    """`about`: what the email quotes ("question_answer:7"), found by it when that goes."""
    return await OutboxMessage.create(
        shop=shop,
        kind="email",
        subject=about,
        message_id=new_message_id("email"),
        payload={
            "to": to,
            "subject": subject,
            "html": html,
            "text": text,
            "locale": locale,
            "headers": headers or {},
        },
        due_at=due_at or utcnow(),
    )


async def queue_rendered_email(
    shop: Shop,
    *,
    to: str,
    subject: str,
    locale: str,
    template: str,
    context: dict[str, Any],
    headers: dict[str, str] | None = None,
    about: str | None = None,
) -> OutboxMessage:
    """queue_email of the two templates `emails/<template>.html` and `.txt`, in `locale`."""
    return await queue_email(
        shop,
        to=to,
        subject=subject,
        html=render(f"emails/{template}.html", locale, **context),
        text=render(f"emails/{template}.txt", locale, **context),
        locale=locale,
        headers=headers,
        about=about,
    )


async def emit(
    shop: Shop | int,
    event_type: str,
    data: dict[str, Any],
    *,
    subject: str | None = None,
    delay: timedelta | None = None,
) -> int:
    """One webhook delivery per endpoint subscribed to the event; returns how many."""
    assert event_type in EVENTS, event_type
    shop_id = shop if isinstance(shop, int) else shop.id
    endpoints = await WebhookEndpoint.filter(shop_id=shop_id, disabled_at=None)
    now = utcnow()
    due_at = now + delay if delay else now
    rows = [
        OutboxMessage(
            shop_id=shop_id,
            kind="webhook",
            endpoint=endpoint,
            message_id=new_message_id("msg"),
            payload={"type": event_type, "timestamp": now.isoformat(), "data": data},
            subject=subject,
            due_at=due_at,
        )
        for endpoint in endpoints
        if event_type in endpoint.events
    ]
    if rows:
        await OutboxMessage.bulk_create(rows)
    return len(rows)


async def cancel(subject: str) -> int:
    """Drop what is still pending about a subject that was undone."""
    return await OutboxMessage.filter(subject=subject, state=OutboxState.PENDING).update(
        state=OutboxState.CANCELLED
    )


async def schedule(
    shop: Shop | int,
    kind: str,
    payload: dict[str, Any],
    due_at: datetime,
    *,
    subject: str | None = None,
) -> None:
    """Work for the worker to do later, such as sending a review request after delivery."""
    await schedule_many(
        [(shop if isinstance(shop, int) else shop.id, kind, payload, due_at, subject)]
    )


# A job for the worker: shop id, kind, payload, when it is due, what it is about.
Job = tuple[int, str, dict[str, Any], datetime, str | None]


async def schedule_many(jobs: Sequence[Job], *, using_db: BaseDBAsyncClient | None = None) -> None:
    """Several jobs in one INSERT (an order batch changes up to a thousand orders)."""
    if jobs:
        await OutboxMessage.bulk_create(
            [
                OutboxMessage(
                    shop_id=shop_id,
                    kind=kind,
                    message_id=new_message_id(kind),
                    payload=payload,
                    subject=subject,
                    due_at=due_at,
                )
                for shop_id, kind, payload, due_at, subject in jobs
            ],
            using_db=using_db,
        )
