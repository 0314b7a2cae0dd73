"""Webhook endpoints and signed deliveries (Standard Webhooks), behind an SSRF guard."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import json
import secrets
import socket
from urllib.parse import urlsplit, urlunsplit

import httpx
from standardwebhooks.webhooks import Webhook

from feedback_service.errors import InvalidInput, NotFound
from feedback_service.outbox import schemas
from feedback_service.outbox.models import OutboxMessage, OutboxState, WebhookEndpoint
from feedback_service.outbox.services import EVENTS, utcnow
from feedback_service.shops.models import Shop

TIMEOUT = 10.0


class UnsafeUrl(Exception):
    """The URL is not http(s), or its host resolves to an address we must not call."""


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


async def resolve_safe(url: str, *, allow_private: bool) -> tuple[str, str]:
    """(host, the address to connect to); refuses loopback, private, link-local, metadata…"""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise UnsafeUrl("the URL is malformed") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("the URL must be http:// or https:// with a host")
    if parts.username or parts.password:
        raise UnsafeUrl("the URL must not carry credentials")
    host = parts.hostname
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        raise UnsafeUrl(f"the host does not resolve ({exc.__class__.__name__})") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not allow_private:
        for address in addresses:
            if not _public(address):
                raise UnsafeUrl(f"the host resolves to a non-public address ({address})")
    return host, str(addresses[0])


# IPv6 prefixes whose last 32 bits are an IPv4 address that the packets reach: IPv4-mapped,
# IPv4-translated (RFC 2765), IPv4-compatible (deprecated, still routed by some stacks) and
# NAT64's well-known prefix (RFC 6052).
_EMBEDDING_96 = [
    ipaddress.IPv6Network(prefix)
    for prefix in ("::ffff:0:0/96", "::ffff:0:0:0/96", "::/96", "64:ff9b::/96")
]
# NAT64 for local use (RFC 8215): where the IPv4 address sits depends on the network's own
# prefix length, which cannot be told from outside.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A global unicast address, and so is any IPv4 address it carries (6to4, NAT64...)."""
    if not address.is_global or address.is_multicast:
        return False
    if isinstance(address, ipaddress.IPv4Address):
        return True
    if address in _LOCAL_NAT64:
        return False
    if address.sixtofour is not None:
        return _public(address.sixtofour)
    if any(address in prefix for prefix in _EMBEDDING_96):
        return _public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return True


async def register(
    shop: Shop, url: str, events: list[str], *, allow_private: bool
) -> tuple[WebhookEndpoint, str]:
    unknown = sorted(set(events) - set(EVENTS))
    if not events or unknown:
        raise InvalidInput(
            "Choose events among: " + ", ".join(EVENTS),
            fields={"events": f"unknown: {', '.join(unknown)}" if unknown else "required"},
        )
    if len(url) > 2000:
        raise InvalidInput("The URL is too long.", fields={"url": "too_long"})
    try:
        await resolve_safe(url, allow_private=allow_private)
    except UnsafeUrl as exc:
        raise InvalidInput(
            f"This webhook URL is refused: {exc}.", fields={"url": str(exc)}
        ) from None
    secret = new_secret()
    endpoint = await WebhookEndpoint.create(
        shop=shop, url=url, events=sorted(set(events)), secret=secret
    )
    return endpoint, secret


async def endpoint_of(shop: Shop, endpoint_id: int) -> WebhookEndpoint:
    endpoint = await WebhookEndpoint.filter(shop=shop, id=endpoint_id).first()
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    return endpoint


async def deliveries(shop: Shop, endpoint_id: int, limit: int = 100) -> list[schemas.Delivery]:
    endpoint = await endpoint_of(shop, endpoint_id)
    rows = await OutboxMessage.filter(endpoint=endpoint).order_by("-id").limit(limit)
    return [delivery_out(row) for row in rows]


async def replay(shop: Shop, endpoint_id: int, delivery_id: int) -> OutboxMessage:
    """Deliver again now, with the same webhook-id so the receiver can recognise it."""
    endpoint = await endpoint_of(shop, endpoint_id)
    row = await OutboxMessage.filter(endpoint=endpoint, id=delivery_id).first()
    if row is None:
        raise NotFound("No such delivery.")
    await OutboxMessage.filter(id=row.id).update(
        state=OutboxState.PENDING, due_at=utcnow(), locked_until=None, attempts=0, last_error=None
    )
    await row.refresh_from_db()
    return row


def endpoint_out(endpoint: WebhookEndpoint) -> schemas.Webhook:
    return schemas.Webhook(
        id=endpoint.id,
        url=endpoint.url,
        events=endpoint.events,
        disabled=endpoint.disabled_at is not None,
        created_at=endpoint.created_at,
    )


def delivery_out(row: OutboxMessage) -> schemas.Delivery:
    return schemas.Delivery.model_validate(
        {
            "id": row.id,
            "webhook_id": row.message_id,
            "type": row.payload.get("type"),
            "status": row.state,
            "attempts": row.attempts,
            "last_error": row.last_error,
            "next_attempt_at": row.due_at if row.state == OutboxState.PENDING else None,
            "delivered_at": row.delivered_at,
            "created_at": row.created_at,
        }
    )


class DeliveryFailed(Exception):
    def __init__(self, message: str, *, gone: bool = False) -> None:
        super().__init__(message)
        self.gone = gone


async def send(
    client: httpx.AsyncClient, endpoint: WebhookEndpoint, row: OutboxMessage, *, allow_private: bool
) -> None:
    try:
        host, address = await resolve_safe(endpoint.url, allow_private=allow_private)
    except UnsafeUrl as exc:  # DNS may have changed since registration
        raise DeliveryFailed(f"refused: {exc}") from None
    body = json.dumps(row.payload, separators=(",", ":"), ensure_ascii=False)
    timestamp = utcnow()
    signature = Webhook(endpoint.secret).sign(row.message_id, timestamp, body)
    parts = urlsplit(endpoint.url)
    # Connect to the address we checked, not to whatever the name resolves to a moment later.
    netloc = f"[{address}]" if ":" in address else address
    if parts.port:
        netloc += f":{parts.port}"
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    headers = {
        "Host": parts.netloc.rsplit("@", 1)[-1],
        "Content-Type": "application/json",
        "User-Agent": "feedback-service-webhooks/1",
        "webhook-id": row.message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }
    try:
        answer = await client.post(
            target,
            content=body.encode(),
            headers=headers,
            extensions={"sni_hostname": host},
            follow_redirects=False,
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{exc.__class__.__name__}: {exc}"[:300]) from None
    if answer.status_code == 410:
        raise DeliveryFailed("410 Gone: endpoint disabled", gone=True)
    if not 200 <= answer.status_code < 300:
        raise DeliveryFailed(f"HTTP {answer.status_code}")
