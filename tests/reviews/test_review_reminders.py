"""Automatic review requests from an order's state, and their reminders, as the worker runs
them: one request per order, one reminder by default (the email says it is one), none after
the customer reviewed, unsubscribed or chose "never"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import httpx
from review_helpers import PRODUCTS, product_ids

from feedback_service.outbox.models import OutboxMessage
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.worker import Worker


async def delivered_order(api: httpx.AsyncClient, days_ago: int = 8) -> None:
    for product in PRODUCTS:
        assert (await api.post("/api/v1/products", json=product)).status_code in (200, 201)
    delivered = datetime.now(UTC) - timedelta(days=days_ago)
    order = {
        "id": "A-1",
        "customer": {"email": "marie@example.fr", "name": "Marie Curie"},
        "items": [{"sku": "KETTLE"}, {"sku": "MUG", "quantity": 2}],
        "ordered_at": (delivered - timedelta(days=2)).isoformat(),
        "delivered_at": delivered.isoformat(),
    }
    assert (await api.post("/api/v1/orders", json=order)).status_code in (200, 201)


async def review_request(api: httpx.AsyncClient) -> dict[str, Any]:
    response = await api.get("/api/v1/orders/A-1")
    assert response.status_code == 200
    request: dict[str, Any] = response.json()["review_request"]
    return request


async def emails() -> list[dict[str, Any]]:
    return [row.payload for row in await OutboxMessage.filter(kind="email").order_by("id")]


async def reminders_due_now(settings: Settings) -> None:
    await OutboxMessage.filter(kind="review_reminder", state="pending").update(
        due_at=datetime.now(UTC)
    )
    await Worker(settings).run_once()


async def test_delivered_order_is_asked_once_then_reminded_once(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    await delivered_order(api)
    assert await review_request(api) is None  # the worker schedules it
    await Worker(settings).run_once()
    # Delivered 8 days ago, asked 7 days after delivery: sent at once.
    request = await review_request(api)
    assert request["sent_at"] is not None and request["reminders_sent"] == 0
    [first] = await emails()
    assert first["subject"].startswith("Que pensez-vous de votre commande")
    reminder = await OutboxMessage.get(kind="review_reminder")
    sent_at = datetime.fromisoformat(request["sent_at"])
    assert abs(reminder.due_at - (sent_at + timedelta(days=7))) < timedelta(seconds=1)

    await reminders_due_now(settings)
    assert (await review_request(api))["reminders_sent"] == 1
    first, second = await emails()
    assert second["subject"] == "Rappel\u202f: " + first["subject"]
    assert "Petit rappel" in second["text"] and "Petit rappel" in second["html"]
    assert "Petit rappel" not in first["text"]
    # One reminder by default: nothing else is scheduled, a replayed row sends nothing.
    await OutboxMessage.filter(kind="review_reminder").update(
        state="pending", due_at=datetime.now(UTC)
    )
    await Worker(settings).run_once()
    assert len(await emails()) == 2 and (await review_request(api))["reminders_sent"] == 1
    # The order posted again changes nothing: one request per order.
    await delivered_order(api)
    await Worker(settings).run_once()
    assert await OutboxMessage.filter(kind="review_request").count() == 1


async def test_no_reminder_after_a_review(
    api: httpx.AsyncClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    await Shop.all().update(review_reminders=2)
    await delivered_order(api)
    await Worker(settings).run_once()
    [email] = await emails()
    found = re.search(r'href="([^"]+/r/[^"]+)"', email["html"])  # the first star link
    link = unescape(found.group(1))  # type: ignore[union-attr]
    first, _ = product_ids((await client.get(link)).text)
    posted = await client.post(
        link,
        data={f"{first}_rating": "5", "display_name": "Marie C.", "consent": "yes"},
    )
    assert posted.status_code == 303
    await reminders_due_now(settings)
    request = await review_request(api)
    assert request["reminders_sent"] == 0 and len(request["review_ids"]) == 1
    # No reminder: the review's confirmation only.
    assert [e["subject"] for e in await emails()][1:] == ["Votre avis pour Boutique Test : merci"]


async def test_no_reminder_after_unsubscribe_and_two_when_asked(
    api: httpx.AsyncClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    await Shop.all().update(review_reminders=2, review_reminder_days=3)
    await delivered_order(api)
    await Worker(settings).run_once()
    await reminders_due_now(settings)
    await reminders_due_now(settings)
    assert (await review_request(api))["reminders_sent"] == 2
    assert len(await emails()) == 3
    await reminders_due_now(settings)  # the shop asked for two: no third
    assert len(await emails()) == 3

    await api.post(
        "/api/v1/orders",
        json={
            "id": "B-1",
            "customer": {"email": "paul@example.fr"},
            "items": [{"sku": "MUG"}],
            "ordered_at": (datetime.now(UTC) - timedelta(days=12)).isoformat(),
            "delivered_at": (datetime.now(UTC) - timedelta(days=10)).isoformat(),
        },
    )
    await Worker(settings).run_once()
    asked = (await emails())[-1]
    assert asked["to"] == "paul@example.fr"
    unsubscribe = asked["headers"]["List-Unsubscribe"].strip("<>")
    assert (await client.post(unsubscribe)).status_code in (200, 303)
    await reminders_due_now(settings)
    assert (await emails())[-1] == asked  # no reminder
    order = (await api.get("/api/v1/orders/B-1")).json()
    assert order["review_request"]["reminders_sent"] == 0


async def test_order_status_only_moves_forward_through_the_api(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    await delivered_order(api, days_ago=1)
    await Worker(settings).run_once()
    order = (await api.get("/api/v1/orders/A-1")).json()
    assert (order["status"], order["source"]) == ("delivered", "api")
    request = order["review_request"]
    assert request["sent_at"] is None and request["status"] == "scheduled"
    # Posted again without a delivery date: still delivered, same request.
    again = {
        **order,
        "items": [{"sku": i["sku"], "quantity": i["quantity"]} for i in order["items"]],
    }
    for name in ("status", "source", "review_request", "number", "fulfilled_at", "delivered_at"):
        again.pop(name)
    again["customer"] = {"email": "marie@example.fr"}
    assert (await api.post("/api/v1/orders", json=again)).status_code == 200
    assert (await api.get("/api/v1/orders/A-1")).json()["status"] == "delivered"
    cancelled = await api.post("/api/v1/orders", json={**again, "status": "cancelled"})
    assert cancelled.json()["status"] == "cancelled"
    await Worker(settings).run_once()
    assert (await review_request(api))["status"] == "cancelled"
    bad = await api.post("/api/v1/orders", json={**again, "status": "lost"})
    assert bad.status_code == 422


async def test_old_orders_are_not_asked(api: httpx.AsyncClient, settings: Settings) -> None:
    # An import of last year's orders: their requests would be months late; none is made.
    await delivered_order(api, days_ago=60)
    await Worker(settings).run_once()
    assert await review_request(api) is None
    assert await OutboxMessage.filter(kind="email").count() == 0
