"""WooCommerce and Shopify webhooks posted over HTTP, signed as each platform signs them
(base64 HMAC-SHA256 of the raw body), then made into orders by the worker."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from connector_helpers import SHOPIFY_KEY, post_shopify, post_woo, sign

from feedback_service.connectors.models import ConnectorDelivery
from feedback_service.orders.models import Customer, Order
from feedback_service.outbox.models import OutboxMessage
from feedback_service.settings import Settings
from feedback_service.worker import Worker

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return data


def gmt(moment: datetime) -> str:
    """WooCommerce's *_gmt fields: UTC without an offset."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


async def connect(api: httpx.AsyncClient, platform: str, **body: str) -> dict[str, Any]:
    response = await api.post("/api/v1/connectors", json={"platform": platform, **body})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def run_worker(settings: Settings) -> None:
    await Worker(settings).run_once()


async def get_order(api: httpx.AsyncClient, order_id: str) -> dict[str, Any]:
    response = await api.get(f"/api/v1/orders/{order_id}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def woo_order(status: str = "processing", **changes: Any) -> dict[str, Any]:
    order = payload("woocommerce_order.json")
    created = datetime.now(UTC) - timedelta(days=2)
    order.update(
        status=status,
        date_created_gmt=gmt(created),
        date_modified_gmt=gmt(created + timedelta(minutes=1)),
    )
    order.update(changes)
    return order


async def test_woocommerce_ping_and_signed_orders(
    api: httpx.AsyncClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    connector = await connect(api, "woocommerce")
    assert connector["endpoint_url"].startswith(f"{settings.base_url}/hooks/woocommerce/")
    assert len(connector["secret"]) >= 32
    # Saving the webhook in WooCommerce pings the URL, form-encoded and unsigned.
    ping = await client.post(
        connector["endpoint_url"],
        content=b"webhook_id=12",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert ping.status_code == 200
    assert await ConnectorDelivery.all().count() == 0

    created = await post_woo(client, connector, woo_order(), "order.created")
    assert created.status_code == 200 and created.json() == {"status": "queued"}
    await run_worker(settings)
    order = await get_order(api, "727")
    assert order["status"] == "created" and order["source"] == "woocommerce"
    assert order["number"] == "727"
    assert order["customer"] == {
        "email": "camille.dupont@example.com",
        "name": "Camille Dupont",
        "external_id": "26",
        "locale": "fr",
    }
    # The item without a SKU is known by its product id.
    assert [(i["sku"], i["quantity"], i["unit_price"]) for i in order["items"]] == [
        ("93", 2, "3.00"),
        ("SYI-BLK-M", 1, "12.00"),
    ]
    assert order["review_request"] is None

    completed_at = datetime.now(UTC) - timedelta(days=1)
    completed = woo_order(
        "completed",
        date_completed_gmt=gmt(completed_at),
        date_modified_gmt=gmt(completed_at),
    )
    assert (await post_woo(client, connector, completed)).status_code == 200
    await run_worker(settings)
    order = await get_order(api, "727")
    assert order["status"] == "fulfilled"
    request = order["review_request"]
    # No delivery event in WooCommerce: completed + the shop's delay (5 days by default).
    expected = (completed_at + timedelta(days=5)).replace(microsecond=0)
    assert datetime.fromisoformat(request["scheduled_for"]) == expected
    assert request["sent_at"] is None and request["reminders_sent"] == 0
    assert request["review_ids"] == []

    # The same delivery again, and the older "processing" one late: nothing changes.
    outbox_before = await OutboxMessage.exclude(kind="connector_delivery").count()
    await post_woo(client, connector, completed)
    await post_woo(client, connector, woo_order(), "order.created")
    await run_worker(settings)
    assert await get_order(api, "727") == order
    assert await OutboxMessage.exclude(kind="connector_delivery").count() == outbox_before
    assert await Order.all().count() == 1


async def test_bad_signature_stores_nothing(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    woo = await connect(api, "woocommerce")
    shopify = await connect(api, "shopify", secret=SHOPIFY_KEY)
    forged = await post_woo(client, woo, woo_order(), secret="not-the-secret-of-this-shop")
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "unauthorized"
    unsigned = await client.post(
        woo["endpoint_url"], json=woo_order(), headers={"X-WC-Webhook-Topic": "order.created"}
    )
    assert unsigned.status_code == 401
    body = json.dumps(payload("shopify_order.json")).encode()
    tampered = await client.post(
        shopify["endpoint_url"],
        content=body.replace(b"jon@example.com", b"eve@example.com"),
        headers={
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Hmac-Sha256": sign(SHOPIFY_KEY, body),
        },
    )
    assert tampered.status_code == 401
    # Over the size limit: 413 before anything is read.
    huge = woo_order(customer_note="x" * 1_100_000)
    assert (await post_woo(client, woo, huge)).status_code == 413
    assert await ConnectorDelivery.all().count() == 0
    assert await OutboxMessage.all().count() == 0
    # An unknown connector, or one of the other platform.
    other = woo["endpoint_url"].replace("/woocommerce/", "/shopify/")
    assert (await client.post(other, content=b"{}")).status_code == 404


async def test_unknown_topic_is_ignored(
    api: httpx.AsyncClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    connector = await connect(api, "woocommerce")
    response = await post_woo(client, connector, {"id": 93, "name": "Woo"}, "product.updated")
    assert response.status_code == 200 and response.json() == {"status": "ignored"}
    await run_worker(settings)
    assert await Order.all().count() == 0
    [delivery] = await ConnectorDelivery.all()
    assert (delivery.topic, delivery.outcome) == ("product.updated", "ignored")


def shopify_order(**changes: Any) -> dict[str, Any]:
    order = payload("shopify_order.json")
    created = datetime.now(UTC) - timedelta(days=3)
    # The docs' sample is what "Send test notification" sends (test: true); a real order's.
    order.update(created_at=created.isoformat(), updated_at=created.isoformat(), test=False)
    order.update(changes)
    return order


async def test_shopify_order_delivered_schedules_its_request_once(
    api: httpx.AsyncClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    connector = await connect(api, "shopify", secret=SHOPIFY_KEY)
    assert connector["secret"] == SHOPIFY_KEY
    first = await post_shopify(client, connector, shopify_order(), "orders/create", webhook_id="w1")
    assert first.json() == {"status": "queued"}
    again = await post_shopify(client, connector, shopify_order(), "orders/create", webhook_id="w1")
    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    assert await ConnectorDelivery.all().count() == 1
    await run_worker(settings)
    order = await get_order(api, "820982911946154508")
    assert (order["status"], order["source"], order["number"]) == ("created", "shopify", "#9999")
    assert order["customer"]["email"] == "jon@example.com"
    assert order["customer"]["external_id"] == "115310627314723954"
    assert [(i["sku"], i["quantity"]) for i in order["items"]] == [
        ("IPOD2008PINK", 1),
        ("IPOD2008PINK", 1),
    ]

    delivered_at = datetime.now(UTC) - timedelta(days=1)
    fulfillment = payload("shopify_fulfillment.json")
    fulfillment.update(
        created_at=(delivered_at - timedelta(days=1)).isoformat(),
        updated_at=delivered_at.isoformat(),
    )
    await post_shopify(client, connector, fulfillment, "fulfillments/update")
    await run_worker(settings)
    order = await get_order(api, "820982911946154508")
    assert order["status"] == "delivered"
    request = order["review_request"]
    assert datetime.fromisoformat(request["scheduled_for"]) == delivered_at + timedelta(days=7)
    # The same fulfilment again (a new webhook id), and the order's own update: one request.
    await post_shopify(client, connector, fulfillment, "fulfillments/update")
    await post_shopify(
        client, connector, shopify_order(fulfillment_status="fulfilled"), "orders/fulfilled"
    )
    await run_worker(settings)
    assert (await get_order(api, "820982911946154508"))["review_request"] == request
    assert await OutboxMessage.filter(kind="review_request").count() == 1


async def test_shopify_out_of_order_deliveries_converge(
    api: httpx.AsyncClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    connector = await connect(api, "shopify", secret=SHOPIFY_KEY)
    older = shopify_order()
    newer = shopify_order(
        updated_at=(datetime.now(UTC) - timedelta(days=1)).isoformat(),
        fulfillment_status="fulfilled",
        customer={**older["customer"], "first_name": "Johnny"},
    )
    await post_shopify(client, connector, newer, "orders/updated")
    await post_shopify(client, connector, older, "orders/create")
    await run_worker(settings)
    order = await get_order(api, "820982911946154508")
    assert order["status"] == "fulfilled"
    assert order["customer"]["name"] == "Johnny Smith"
    assert order["review_request"] is not None
    # Both were taken by the worker at once: each applied (one after the other), none failed.
    assert [d.outcome for d in await ConnectorDelivery.all()] == ["processed", "processed"]
    # A fulfilment of an order not received yet fails, and is retried by the worker.
    early = payload("shopify_fulfillment.json") | {"order_id": 1}
    await post_shopify(client, connector, early, "fulfillments/create")
    await run_worker(settings)
    failed = await ConnectorDelivery.get(topic="fulfillments/create")
    assert failed.outcome == "failed" and "No order '1' yet" in (failed.error or "")
    row = await OutboxMessage.get(kind="connector_delivery", state="pending")
    assert row.state == "pending" and row.attempts == 1


async def test_cancelled_order_cancels_its_request(
    api: httpx.AsyncClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    shopify = await connect(api, "shopify", secret=SHOPIFY_KEY)
    await post_shopify(
        client, shopify, shopify_order(fulfillment_status="fulfilled"), "orders/fulfilled"
    )
    await run_worker(settings)
    assert (await get_order(api, "820982911946154508"))["review_request"]["sent_at"] is None
    cancelled = shopify_order(
        cancelled_at=datetime.now(UTC).isoformat(), updated_at=datetime.now(UTC).isoformat()
    )
    await post_shopify(client, shopify, cancelled, "orders/cancelled")
    await run_worker(settings)
    order = await get_order(api, "820982911946154508")
    assert order["status"] == "cancelled"
    assert order["review_request"]["status"] == "cancelled"
    # The request's due row finds it cancelled: no email, whenever it runs.
    await OutboxMessage.filter(kind="review_request").update(due_at=datetime.now(UTC))
    await run_worker(settings)
    assert await OutboxMessage.filter(kind="email").count() == 0

    woo = await connect(api, "woocommerce")
    completed = woo_order("completed", date_completed_gmt=gmt(datetime.now(UTC)))
    await post_woo(client, woo, completed)
    await run_worker(settings)
    refunded = woo_order("refunded", date_modified_gmt=gmt(datetime.now(UTC) + timedelta(hours=1)))
    await post_woo(client, woo, refunded)
    await run_worker(settings)
    order = await get_order(api, "727")
    assert (order["status"], order["review_request"]["status"]) == ("refunded", "cancelled")


async def test_shopify_customers_redact_erases_the_customer(
    api: httpx.AsyncClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    connector = await connect(api, "shopify", secret=SHOPIFY_KEY)
    await post_shopify(client, connector, shopify_order(), "orders/create")
    await run_worker(settings)
    assert await Customer.filter(email="jon@example.com").exists()
    redact = payload("shopify_customers_redact.json")
    redact["customer"]["email"] = "jon@example.com"
    await post_shopify(client, connector, redact, "customers/redact")
    await run_worker(settings)
    assert not await Customer.filter(email="jon@example.com").exists()
    delivery = await ConnectorDelivery.get(topic="customers/redact")
    assert delivery.outcome == "processed"


@pytest.mark.parametrize("platform", ["woocommerce", "shopify"])
async def test_connectors_api(
    api: httpx.AsyncClient, client: httpx.AsyncClient, platform: str
) -> None:
    body = {"secret": SHOPIFY_KEY} if platform == "shopify" else {}
    connector = await connect(api, platform, **body)
    listed = (await api.get("/api/v1/connectors")).json()["items"]
    assert [c["id"] for c in listed] == [connector["id"]]
    assert "secret" not in listed[0] and listed[0]["disabled_at"] is None
    assert (await api.delete(f"/api/v1/connectors/{connector['id']}")).status_code == 204
    assert (await api.get("/api/v1/connectors")).json()["items"][0]["disabled_at"]
    # A disabled connector's endpoint is gone.
    assert (await client.post(connector["endpoint_url"], content=b"{}")).status_code == 404
    assert (await api.delete("/api/v1/connectors/999")).status_code == 404


async def test_connectors_api_refuses_bad_input(api: httpx.AsyncClient) -> None:
    no_key = await api.post("/api/v1/connectors", json={"platform": "shopify"})
    assert no_key.status_code == 422 and "secret" in no_key.json()["error"]["fields"]
    other = await api.post("/api/v1/connectors", json={"platform": "magento"})
    assert other.status_code == 422
    short = await api.post("/api/v1/connectors", json={"platform": "woocommerce", "secret": "x"})
    assert short.status_code == 422
    assert (await api.get("/api/v1/connectors")).json()["items"] == []
    assert (await api.get("/api/v1/orders/NOPE")).status_code == 404


async def test_a_signed_body_that_cannot_be_an_order_fails_with_its_reason(
    api: httpx.AsyncClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    connector = await connect(api, "woocommerce")
    nul = woo_order(billing={**woo_order()["billing"], "first_name": "Ca\x00mille"})
    await post_woo(client, connector, nul)
    await post_woo(client, connector, woo_order(date_created_gmt="yesterday"))
    await post_woo(client, connector, woo_order(date_created_gmt="0001-01-01T00:00:00"))
    no_email = woo_order(billing={"first_name": "Camille"})
    await post_woo(client, connector, no_email)
    await run_worker(settings)
    deliveries = await ConnectorDelivery.all().order_by("id")
    assert [d.outcome for d in deliveries] == ["failed"] * 4
    assert [d.error for d in deliveries] == [
        "the body contains NUL characters",
        "not a date: 'yesterday'",
        "'0001-01-01T00:00:00': must be between 1970-01-01 and 2100-01-01 (UTC)",
        "customer.email: value is not a valid email address: An email address must have an @-sign.",
    ]
    assert await Order.all().count() == 0
    # Failed for good: the worker does not try them again.
    assert await OutboxMessage.filter(kind="connector_delivery", state="pending").count() == 0


async def test_shopify_test_notification_stores_no_order(
    api: httpx.AsyncClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    connector = await connect(api, "shopify", secret=SHOPIFY_KEY)
    sample = payload("shopify_order.json")
    assert sample["test"] is True
    assert (await post_shopify(client, connector, sample, "orders/create")).status_code == 200
    await run_worker(settings)
    assert await Order.all().count() == 0
    [delivery] = await ConnectorDelivery.all()
    assert (delivery.outcome, delivery.error) == ("ignored", "A test order: not stored.")
