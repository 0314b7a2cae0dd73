"""The worker's job for a stored delivery: make it an order, or the event it says."""

from __future__ import annotations

import json
from typing import Any

from feedback_service.connectors import services
from feedback_service.connectors.models import ConnectorDelivery, DeliveryOutcome
from feedback_service.connectors.services import PayloadError
from feedback_service.errors import DomainError, NotFound
from feedback_service.i18n import N_
from feedback_service.orders import services as orders
from feedback_service.orders.models import Product
from feedback_service.outbox import services as outbox
from feedback_service.outbox.jobs import Context, job
from feedback_service.outbox.models import OutboxMessage
from feedback_service.shops.models import Shop


async def process_delivery(delivery_id: int) -> str:
    """Apply one delivery and record its outcome. A payload that cannot make an order fails
    for good; a fulfilment of an order not received yet fails and is retried (the outbox)."""
    delivery = (
        await ConnectorDelivery.filter(id=delivery_id).select_related("connector__shop").first()
    )
    if delivery is None or delivery.outcome in (DeliveryOutcome.PROCESSED, DeliveryOutcome.IGNORED):
        return "gone"
    try:
        outcome, note = await _apply(delivery)
    except NotFound as exc:
        await _record(delivery, DeliveryOutcome.FAILED, exc.message)
        raise  # the order may arrive later: the worker tries again
    except (PayloadError, DomainError) as exc:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        await _record(delivery, DeliveryOutcome.FAILED, message)
        return DeliveryOutcome.FAILED
    except Exception as exc:  # the database, say: shown, and tried again by the worker
        await _record(delivery, DeliveryOutcome.FAILED, f"{exc.__class__.__name__}: {exc}")
        raise
    await _record(delivery, outcome, note)
    return outcome


async def _record(delivery: ConnectorDelivery, outcome: DeliveryOutcome, error: str | None) -> None:
    await ConnectorDelivery.filter(id=delivery.id).update(
        outcome=outcome, error=error[:500] if error else None, processed_at=services.utcnow()
    )


def _payload(delivery: ConnectorDelivery) -> dict[str, Any]:
    if "\\u0000" in delivery.body or "\x00" in delivery.body:
        # PostgreSQL cannot store NUL in text; no real order carries one.
        raise PayloadError("the body contains NUL characters")
    try:
        payload = json.loads(delivery.body)
    except ValueError:
        raise PayloadError("the body is not JSON") from None
    if not isinstance(payload, dict):
        raise PayloadError("the body is not a JSON object")
    return payload


async def _apply(delivery: ConnectorDelivery) -> tuple[DeliveryOutcome, str | None]:
    """What the delivery did ("processed" or "ignored"), and why when ignored."""
    connector = delivery.connector
    shop: Shop = connector.shop
    payload = _payload(delivery)
    topic = delivery.topic
    if topic == "customers/redact":
        email = services.text_of((payload.get("customer") or {}).get("email"))
        if not email:
            return DeliveryOutcome.IGNORED, N_("No customer email.")
        # Erasing reaches every domain: privacy's job does it (privacy is above us).
        await outbox.schedule(shop, "customer_erase", {"email": email}, services.utcnow())
        return DeliveryOutcome.PROCESSED, None
    if topic.startswith("fulfillments/"):
        event = services.shopify_fulfillment(payload)
        if event is None:
            return DeliveryOutcome.IGNORED, N_("Neither shipped nor delivered.")
        order_id, status, at = event
        await orders.advance_order(shop, order_id, status, at)
        return DeliveryOutcome.PROCESSED, None
    if connector.platform == "woocommerce":
        source = delivery.headers.get("x-wc-webhook-source", "")
        order, products, updated_at = services.woocommerce_order(payload, source)
    else:
        if payload.get("test") is True:
            # Shopify's "Send test notification" and test-mode payments: no real customer.
            return DeliveryOutcome.IGNORED, N_("A test order: not stored.")
        domain = delivery.headers.get("x-shopify-shop-domain", "")
        order, products, updated_at = services.shopify_order(payload, domain)
    for product in products:  # new products only: the shop's own data (API) stands
        if not await Product.exists(shop=shop, sku=product.sku):
            await orders.upsert_product(shop, product)
    await orders.upsert_order(shop, order, source=connector.platform, updated_at=updated_at)
    return DeliveryOutcome.PROCESSED, None


@job("connector_delivery")
async def deliver(row: OutboxMessage, context: Context) -> None:
    await process_delivery(row.payload["delivery_id"])
