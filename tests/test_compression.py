"""gzip for text answers: a streamed export stays streamed, a deployment whose proxy
compresses turns it off (COMPRESS_RESPONSES=false)."""

from __future__ import annotations

import asyncio
import gzip
from typing import Any

import httpx
from admin_helpers import log_in
from review_helpers import PRODUCTS
from starlette.applications import Starlette

from feedback_service.app import create_app
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user


async def reviews(api: httpx.AsyncClient, count: int) -> None:
    for product in PRODUCTS:
        await api.post("/api/v1/products", json=product)
    for n in range(count):
        review = {
            "sku": "KETTLE",
            "rating": 4,
            "title": f"Avis {n}",
            "body": f"Texte de l'avis {n}, " + "assez long. " * 20,
            "author_name": f"Client {n}",
            "source": "legacy",
            "source_id": str(n),
            "submitted_at": "2026-10-02T10:00:00Z",
            "published": True,
        }
        assert (await api.post("/api/v1/reviews", json=review)).status_code == 201


async def asgi_get(
    app: Starlette, path: str, headers: dict[str, str]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The answer's headers and every body message, as the server would send them."""
    messages: list[dict[str, Any]] = []
    requested = False
    done = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()  # the client stays until the answer is complete
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    await app(scope, receive, send)
    done.set()
    start = messages[0]
    head = {k.decode(): v.decode() for k, v in start["headers"]}
    return head, [m for m in messages if m["type"] == "http.response.body"]


async def test_a_streamed_export_is_gzipped_chunk_by_chunk(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str], app: Starlette
) -> None:
    await reviews(api, 3)
    await create_user(shop_and_key[0], "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(api, "boss@shop.fr", "correct horse battery")
    cookie = "; ".join(f"{k}={v}" for k, v in api.cookies.items())
    path = "/admin/export/reviews.jsonl"
    plain_head, plain = await asgi_get(app, path, {"cookie": cookie})
    head, chunks = await asgi_get(app, path, {"cookie": cookie, "accept-encoding": "gzip"})
    assert "content-encoding" not in plain_head
    assert head["content-encoding"] == "gzip" and "content-length" not in head
    assert len(chunks) == len(plain) > 2  # each piece sent as it comes, not gathered
    text = b"".join(m["body"] for m in plain)
    assert gzip.decompress(b"".join(m["body"] for m in chunks)) == text
    assert text.count(b"\n") == 3


async def test_the_deployment_can_leave_compression_to_its_proxy(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    await reviews(api, 5)
    plain = create_app(settings.model_copy(update={"compress_responses": False}), manage_db=False)
    transport = httpx.ASGITransport(app=plain)
    async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
        block = await client.get(
            "/w/test-shop/products/KETTLE/reviews", headers={"Accept-Encoding": "gzip"}
        )
    assert block.status_code == 200 and len(block.content) > 5000
    assert "content-encoding" not in block.headers
    packed = await api.get(
        "/w/test-shop/products/KETTLE/reviews", headers={"Accept-Encoding": "gzip"}
    )
    assert packed.headers["content-encoding"] == "gzip"


async def test_the_one_click_answer_is_not_packed(api: httpx.AsyncClient) -> None:
    """Its page is seen once and small: gzip would cost the hot path more than it saves."""
    created = await api.post(
        "/api/v1/invitations", json={"survey": "nps", "customer": {"email": "a@x.fr"}}
    )
    answer = await api.get(created.json()["links"]["9"], headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and len(answer.content) > 1024
    assert "content-encoding" not in answer.headers
