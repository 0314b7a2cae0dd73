"""API keys, the JSON error shape, body limits."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from feedback_service import http
from feedback_service.orders.models import Product


async def test_missing_or_wrong_key_is_401(client: httpx.AsyncClient, shop_and_key) -> None:  # type: ignore[no-untyped-def]
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        answer = await client.get("/api/v1/responses", headers=headers)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "unauthorized"


async def test_unknown_path_and_method_are_json(api: httpx.AsyncClient) -> None:
    assert (await api.get("/api/v1/nothing")).json()["error"]["code"] == "not_found"
    answer = await api.delete("/api/v1/products")
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "method_not_allowed"


async def test_one_megabyte_body_is_413_and_stores_nothing(api: httpx.AsyncClient) -> None:
    body = '{"sku": "X", "name": "' + "a" * 1_100_000 + '", "url": "https://x.example"}'
    answer = await api.post(
        "/api/v1/products", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_large"

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"x" * 100_000

    streamed = await api.post("/api/v1/products", content=chunks())
    assert streamed.status_code == 413
    assert await Product.all().count() == 0


async def test_not_json_is_422(api: httpx.AsyncClient) -> None:
    for body in (b"not json", b"[1, 2]", b"\xff\xfe", b""):
        answer = await api.post("/api/v1/products", content=body)
        assert answer.status_code == 422


async def test_healthz(client: httpx.AsyncClient) -> None:
    answer = await client.get("/healthz")
    assert answer.json() == {"status": "ok", "database": "ok"}


async def test_nul_characters_are_refused_everywhere(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        "/api/v1/products", json={"sku": "A\u0000", "name": "x", "url": "https://x.example"}
    )
    assert answer.status_code == 422 and answer.json()["error"]["fields"] == {"sku": "nul"}
    assert (await api.get("/api/v1/products/A%00")).status_code == 400
    assert (await api.get("/w/test-shop/products/x?lang=%00")).status_code == 400
    assert await Product.all().count() == 0


async def test_a_stalled_body_is_408_and_a_slow_steady_one_is_served(
    api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http, "BODY_CHUNK_TIMEOUT", 0.3)
    product = b'{"sku": "SLOW", "name": "Lent", "url": "https://shop.example/slow"}'

    async def stalled():  # type: ignore[no-untyped-def]
        yield product[:20]
        await asyncio.sleep(1.0)  # a slowloris client stops sending
        yield product[20:]

    answer = await api.post(
        "/api/v1/products", content=stalled(), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 408
    assert answer.json()["error"]["code"] == "request_timeout"
    assert await Product.all().count() == 0

    async def steady():  # type: ignore[no-untyped-def]
        for start in range(0, len(product), 10):  # 0.7 s in all, never 0.3 s between pieces
            await asyncio.sleep(0.1)
            yield product[start : start + 10]

    answer = await api.post(
        "/api/v1/products", content=steady(), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code in (200, 201)
    assert await Product.filter(sku="SLOW").count() == 1
