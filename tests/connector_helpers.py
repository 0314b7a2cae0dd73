"""WooCommerce's and Shopify's webhooks as each platform posts them: JSON body, the same
headers, signed with a base64 HMAC-SHA256 of the raw body."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

# The app's client secret, as Shopify shows it: Shopify signs every webhook with it.
SHOPIFY_KEY = "shpss_0123456789abcdef0123456789abcdef"


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


async def post_woo(
    client: httpx.AsyncClient,
    connector: dict[str, Any],
    order: dict[str, Any],
    topic: str = "order.updated",
    *,
    secret: str | None = None,
) -> httpx.Response:
    # As WooCommerce's WC_Webhook::deliver() sends it: JSON body, these headers.
    body = json.dumps(order).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "WooCommerce/8.3.1 Hookshot (WordPress/6.4.2)",
        "X-WC-Webhook-Source": "https://boutique.example/",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": topic.split(".")[0],
        "X-WC-Webhook-Event": topic.split(".")[1],
        "X-WC-Webhook-Signature": sign(secret or connector["secret"], body),
        "X-WC-Webhook-ID": "12",
        "X-WC-Webhook-Delivery-ID": uuid.uuid4().hex,
    }
    return await client.post(connector["endpoint_url"], content=body, headers=headers)


async def post_shopify(
    client: httpx.AsyncClient,
    connector: dict[str, Any],
    data: dict[str, Any],
    topic: str,
    *,
    webhook_id: str | None = None,
) -> httpx.Response:
    body = json.dumps(data).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(SHOPIFY_KEY, body),
        "X-Shopify-Shop-Domain": "jsmith.myshopify.com",
        "X-Shopify-API-Version": "2025-10",
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
    }
    return await client.post(connector["endpoint_url"], content=body, headers=headers)
