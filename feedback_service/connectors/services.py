"""Platform connectors: signed webhook deliveries in, the same orders as the API's out.

A delivery is verified and stored as it came (the platform gets its 200 at once); the worker
then maps it to an order (connectors.tasks). Deliveries that arrive twice or out of order
end in the same order: orders.services.upsert_order only moves a status forward and ignores
the customer and items of a version older than the stored one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from feedback_service.connectors import schemas
from feedback_service.connectors.models import Connector, ConnectorDelivery, DeliveryOutcome
from feedback_service.errors import InvalidInput, NotFound, Unauthorized
from feedback_service.links import HOOK, Links
from feedback_service.moments import in_range
from feedback_service.orders.models import OrderStatus
from feedback_service.orders.schemas import OrderIn, ProductIn
from feedback_service.outbox import services as outbox
from feedback_service.shops.models import Shop

PLATFORMS = ("woocommerce", "shopify")
TOPICS = {
    "woocommerce": frozenset({"order.created", "order.updated"}),
    "shopify": frozenset(
        {
            "orders/create",
            "orders/updated",
            "orders/fulfilled",
            "orders/cancelled",
            "fulfillments/create",
            "fulfillments/update",
            "customers/redact",
        }
    ),
}
# The header that signs a delivery, and the one that names its topic, per platform.
SIGNATURE_HEADER = {"woocommerce": "x-wc-webhook-signature", "shopify": "x-shopify-hmac-sha256"}
TOPIC_HEADER = {"woocommerce": "x-wc-webhook-topic", "shopify": "x-shopify-topic"}
# Kept with a delivery: where the shop is (for product links) and the platform's version.
KEPT_HEADERS = (
    "x-wc-webhook-source",
    "x-wc-webhook-delivery-id",
    "x-shopify-shop-domain",
    "x-shopify-api-version",
)
# WooCommerce's ping when a webhook is saved: form-encoded, unsigned, no topic.
WOO_PING = re.compile(rb"webhook_id=\d{1,20}")
LAST_DELIVERIES = 50


def utcnow() -> datetime:
    return datetime.now(UTC)


class PayloadError(ValueError):
    """A signed delivery whose content cannot make an order; recorded, never retried."""


# --- connectors ------------------------------------------------------------------------------


def endpoint_url(links: Links, connector: Connector) -> str:
    return links.url(HOOK, platform=connector.platform, connector=connector.key)


def connector_out(links: Links, connector: Connector) -> schemas.Connector:
    return schemas.Connector.model_validate(
        {
            "id": connector.id,
            "platform": connector.platform,
            "endpoint_url": endpoint_url(links, connector),
            "created_at": connector.created_at,
            "disabled_at": connector.disabled_at,
        }
    )


async def create_connector(shop: Shop, platform: str, secret: str | None) -> Connector:
    if platform == "shopify" and not secret:
        raise InvalidInput(
            "Give the signing key shown under Settings > Notifications > Webhooks in Shopify.",
            fields={"secret": "required for shopify"},
        )
    return await Connector.create(
        shop=shop,
        platform=platform,
        key=secrets.token_urlsafe(16),
        secret=secret or secrets.token_urlsafe(32),
    )


async def disable_connector(shop: Shop, connector_id: int) -> Connector:
    connector = await Connector.filter(shop=shop, id=connector_id).first()
    if connector is None:
        raise NotFound("No such connector.")
    if connector.disabled_at is None:
        connector.disabled_at = utcnow()
        await connector.save(update_fields=["disabled_at"])
    return connector


async def last_deliveries(connector: Connector) -> list[ConnectorDelivery]:
    return (
        await ConnectorDelivery.filter(connector=connector)
        .order_by("-id")
        .limit(LAST_DELIVERIES)
        .only("id", "connector_id", "topic", "received_at", "processed_at", "outcome", "error")
    )


# --- deliveries in ---------------------------------------------------------------------------


def signature(secret: str, body: bytes) -> str:
    """How both platforms sign: base64 of the HMAC-SHA256 of the raw body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def is_woocommerce_ping(connector: Connector, headers: dict[str, str], body: bytes) -> bool:
    return (
        connector.platform == "woocommerce"
        and SIGNATURE_HEADER["woocommerce"] not in headers
        and WOO_PING.fullmatch(body.strip()) is not None
    )


async def active_connector(platform: str, key: str) -> Connector:
    connector = await Connector.filter(platform=platform, key=key, disabled_at=None).first()
    if connector is None:
        raise NotFound("No such connector.")
    return connector


async def receive(connector: Connector, headers: dict[str, str], body: bytes) -> str:
    """Verify and store one delivery for the worker: "queued", "duplicate" or "ignored".
    `headers` have lower-case names. A bad or missing signature stores nothing."""
    sent = headers.get(SIGNATURE_HEADER[connector.platform], "")
    if not hmac.compare_digest(sent.encode(), signature(connector.secret, body).encode()):
        raise Unauthorized("The signature does not match this connector's secret.")
    topic = headers.get(TOPIC_HEADER[connector.platform], "")[:64]
    known = topic in TOPICS[connector.platform]
    webhook_id = headers.get("x-shopify-webhook-id") if connector.platform == "shopify" else None
    try:
        async with in_transaction():
            delivery = await ConnectorDelivery.create(
                connector=connector,
                topic=topic,
                webhook_id=webhook_id[:100] if webhook_id else None,
                headers={name: headers[name][:300] for name in KEPT_HEADERS if name in headers},
                body=body.decode("utf-8", "replace").replace("\x00", "\ufffd") if known else "",
                outcome=DeliveryOutcome.PENDING if known else DeliveryOutcome.IGNORED,
                processed_at=None if known else utcnow(),
            )
            if known:
                await outbox.schedule(
                    connector.shop_id,
                    "connector_delivery",
                    {"delivery_id": delivery.id},
                    utcnow(),
                )
    except IntegrityError:  # Shopify sent this event before: it is stored already
        return "duplicate"
    return "queued" if known else "ignored"


# --- payloads to orders ----------------------------------------------------------------------


def _when(value: object, *, naive_is_utc: bool = False) -> datetime | None:
    """A platform's timestamp: ISO 8601 with an offset (Shopify), or without one in UTC
    (WooCommerce's *_gmt fields)."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(f"not a date: {value[:40]!r}") from None
    if moment.tzinfo is None:
        if not naive_is_utc:
            raise PayloadError(f"a date without a timezone: {value[:40]!r}")
        moment = moment.replace(tzinfo=UTC)
    try:
        return in_range(moment)
    except ValueError as exc:
        raise PayloadError(f"{value[:40]!r}: {exc}") from None


def _price(value: object) -> Decimal | None:
    try:
        price = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return price if price.is_finite() and price >= 0 else None


def text_of(value: object) -> str:
    return str(value).strip() if value is not None else ""


def _sku(item: dict[str, Any]) -> str:
    """The item's SKU; an item without one (common in small shops) is known by its
    platform's product id."""
    sku = text_of(item.get("sku"))
    if sku:
        return sku[:100]
    product_id = text_of(item.get("product_id")) or text_of(item.get("variant_id"))
    if not product_id:
        raise PayloadError("an item has neither a SKU nor a product id")
    return product_id[:100]


def _order(data: dict[str, Any], products: list[ProductIn]) -> tuple[OrderIn, list[ProductIn]]:
    try:
        return OrderIn.model_validate(data), products
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise PayloadError(problems) from None


def _products(items: list[dict[str, Any]], url_of: Any) -> list[ProductIn]:
    products = {}
    for item in items:
        sku = _sku(item)
        name = text_of(item.get("name") or item.get("title")) or sku
        try:
            products[sku] = ProductIn(sku=sku, name=name[:300], url=url_of(item))
        except ValidationError:
            raise PayloadError(f"item {sku!r} cannot be a product") from None
    return list(products.values())


WOO_STATUS = {
    "completed": OrderStatus.FULFILLED,  # WooCommerce has no delivery event: completed = shipped
    "cancelled": OrderStatus.CANCELLED,
    "refunded": OrderStatus.REFUNDED,
    "failed": OrderStatus.CANCELLED,  # the payment failed: nothing was sent
}


def woocommerce_order(
    payload: dict[str, Any], source: str
) -> tuple[OrderIn, list[ProductIn], datetime | None]:
    """A WooCommerce order webhook (REST API v3 order) as our order and its products."""
    items = [i for i in payload.get("line_items") or [] if isinstance(i, dict)]
    billing = payload.get("billing") or {}
    site = source.rstrip("/") if source.startswith(("http://", "https://")) else ""
    if not site:
        raise PayloadError("the delivery has no X-WC-Webhook-Source (the shop's address)")
    customer_id = text_of(payload.get("customer_id"))
    data = {
        "id": text_of(payload.get("id")),
        "number": text_of(payload.get("number"))[:32] or None,
        "customer": {
            "email": text_of(billing.get("email")),
            "name": f"{text_of(billing.get('first_name'))} {text_of(billing.get('last_name'))}",
            "external_id": customer_id if customer_id not in ("", "0") else None,  # 0: a guest
        },
        "items": [
            {
                "sku": _sku(i),
                "quantity": max(1, int(i.get("quantity") or 1)),
                "unit_price": _price(i.get("price")),
            }
            for i in items
        ],
        "ordered_at": _when(payload.get("date_created_gmt"), naive_is_utc=True),
        "status": WOO_STATUS.get(text_of(payload.get("status")), OrderStatus.CREATED),
        "fulfilled_at": _when(payload.get("date_completed_gmt"), naive_is_utc=True),
    }
    order, products = _order(
        data, _products(items, lambda i: f"{site}/?p={text_of(i.get('product_id'))}")
    )
    return order, products, _when(payload.get("date_modified_gmt"), naive_is_utc=True)


def _shopify_state(
    payload: dict[str, Any],
) -> tuple[OrderStatus, datetime | None, datetime | None]:
    """Status, fulfilled_at and delivered_at of a Shopify order."""
    fulfillments = [f for f in payload.get("fulfillments") or [] if isinstance(f, dict)]
    delivered = [f for f in fulfillments if f.get("shipment_status") == "delivered"]
    shipped = [f for f in fulfillments if f.get("status") == "success"]
    fulfilled_at = _first([_when(f.get("created_at")) for f in shipped])
    delivered_at = _first([_when(f.get("updated_at")) for f in delivered])
    if payload.get("cancelled_at"):
        status = OrderStatus.CANCELLED
    elif payload.get("financial_status") == "refunded":
        status = OrderStatus.REFUNDED
    elif delivered_at is not None:
        status = OrderStatus.DELIVERED
    elif payload.get("fulfillment_status") == "fulfilled" or fulfilled_at is not None:
        status = OrderStatus.FULFILLED
    else:
        status = OrderStatus.CREATED
    return status, fulfilled_at, delivered_at


def _first(moments: list[datetime | None]) -> datetime | None:
    return min((m for m in moments if m is not None), default=None)


def shopify_order(
    payload: dict[str, Any], shop_domain: str
) -> tuple[OrderIn, list[ProductIn], datetime | None]:
    """A Shopify order webhook (Admin REST "order" resource) as our order and its products."""
    items = [i for i in payload.get("line_items") or [] if isinstance(i, dict)]
    customer = payload.get("customer") or {}
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{0,250}", shop_domain):
        raise PayloadError("the delivery has no X-Shopify-Shop-Domain")
    status, fulfilled_at, delivered_at = _shopify_state(payload)
    name = f"{text_of(customer.get('first_name'))} {text_of(customer.get('last_name'))}".strip()
    data = {
        "id": text_of(payload.get("id")),
        "number": text_of(payload.get("name"))[:32] or None,
        "customer": {
            "email": text_of(payload.get("email") or payload.get("contact_email"))
            or text_of(customer.get("email")),
            "name": name,
            "external_id": text_of(customer.get("id")) or None,
            "locale": text_of(payload.get("customer_locale"))[:16] or None,
        },
        "items": [
            {
                "sku": _sku(i),
                "quantity": max(1, int(i.get("quantity") or 1)),
                "unit_price": _price(i.get("price")),
            }
            for i in items
        ],
        "ordered_at": _when(payload.get("created_at")),
        "status": status,
        "fulfilled_at": fulfilled_at,
        "delivered_at": delivered_at,
    }
    # Shopify's order carries no product address; the shop's own, until the API sets one.
    order, products = _order(data, _products(items, lambda i: f"https://{shop_domain}/"))
    return order, products, _when(payload.get("updated_at"))


def shopify_fulfillment(
    payload: dict[str, Any],
) -> tuple[str, OrderStatus, datetime | None] | None:
    """A fulfilment event as (order id, status, when), or None when it changes nothing."""
    order_id = text_of(payload.get("order_id"))
    if not order_id:
        raise PayloadError("the fulfilment names no order_id")
    if payload.get("shipment_status") == "delivered":
        return order_id, OrderStatus.DELIVERED, _when(payload.get("updated_at"))
    if payload.get("status") == "success":
        return order_id, OrderStatus.FULFILLED, _when(payload.get("created_at"))
    return None
