"""Request bodies and answers of the webhooks API, and an email as the API shows it."""

from __future__ import annotations

from pydantic import Field

from feedback_service.http import Strict
from feedback_service.moments import Moment
from feedback_service.outbox.models import OutboxState


class WebhookIn(Strict):
    url: str = Field(min_length=8, max_length=2000)
    events: list[str] = Field(min_length=1, max_length=20)


class Email(Strict):
    """An email as it is queued: what an integrator may send through their own system."""

    subject: str
    html: str
    text: str
    headers: dict[str, str]


class Webhook(Strict):
    id: int
    url: str
    events: list[str]
    disabled: bool
    created_at: Moment


class WebhookCreated(Webhook):
    secret: str


class WebhooksPage(Strict):
    items: list[Webhook]


class Delivery(Strict):
    id: int
    webhook_id: str
    type: str | None
    status: OutboxState
    attempts: int
    last_error: str | None
    next_attempt_at: Moment | None
    delivered_at: Moment | None
    created_at: Moment | None


class DeliveriesPage(Strict):
    items: list[Delivery]
