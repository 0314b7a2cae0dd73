"""Webhooks carry what a CRM needs to match a contact: the customer's email and external id,
the order's id and, for reviews, the SKU; the fields they had stay."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
from peers import WebhookReceiver
from review_helpers import order_with_request, product_ids

from feedback_service.outbox.models import OutboxMessage
from feedback_service.settings import Settings
from feedback_service.worker import Worker


async def deliver(settings: Settings) -> None:
    await OutboxMessage.filter(state="pending").update(due_at=datetime.now(UTC))
    await Worker(settings).run_once()


async def test_answer_events_name_the_customer_and_the_order(
    api: httpx.AsyncClient, receiver: WebhookReceiver, settings: Settings
) -> None:
    await receiver.subscribe(api, ["response.confirmed", "comment.added"])
    await api.post(
        "/api/v1/products", json={"sku": "MUG", "name": "Mug", "url": "https://shop.example/m"}
    )
    customer = {"email": "crm@example.fr", "external_id": "crm-42"}
    await api.post(
        "/api/v1/orders",
        json={
            "id": "O-9",
            "customer": customer,
            "items": [{"sku": "MUG"}],
            "ordered_at": "2026-11-01T10:00:00Z",
        },
    )
    created = await api.post(
        "/api/v1/invitations",
        json={"survey": "thermometer", "customer": customer, "order_id": "O-9"},
    )
    url = created.json()["links"]["green"]
    await api.get(url)
    assert (await api.post(url, headers={"Accept": "application/json"})).status_code == 200
    await deliver(settings)
    [event] = [r["json"] for r in receiver.received]
    assert event["type"] == "response.confirmed"
    data = event["data"]
    assert data["customer"] == customer and data["order_id"] == "O-9"
    assert data["label"] == "green" and data["customer_id"] and data["invitation_id"]


async def test_review_events_name_the_customer_the_order_and_the_sku(
    api: httpx.AsyncClient, client: httpx.AsyncClient, receiver: WebhookReceiver, settings: Settings
) -> None:
    await receiver.subscribe(api, ["review.submitted"])
    created = await order_with_request(api)
    form = await client.get(created["url"])
    first, _ = product_ids(form.text)
    posted = await client.post(
        created["url"], data={f"{first}_rating": "4", "display_name": "Marie", "consent": "yes"}
    )
    assert posted.status_code == 303
    await deliver(settings)
    [event] = [r["json"] for r in receiver.received]
    data = event["data"]
    assert data["sku"] == "KETTLE" and data["order_id"] == "O-1"
    assert data["customer"] == {"email": "o-1@example.fr", "external_id": None}
    assert data["rating"] == 4 and data["product_id"] and re.match(r"\d{4}-", data["submitted_at"])
