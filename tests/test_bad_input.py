"""Hostile input found by probing answers 4xx with the contract's error shape, never 500."""

from __future__ import annotations

import base64
import re

import httpx
import pytest
from admin_helpers import csrf_of, log_in

from feedback_service.routes import routes
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user


def cursor(number: str) -> str:
    return base64.urlsafe_b64encode(number.encode()).decode().rstrip("=")


def nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


def assert_error_shape(answer: httpx.Response) -> None:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:200])
    error = answer.json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]


@pytest.mark.parametrize("kind", ["", "/reviews", "/head", "/badge"])
async def test_long_shop_slugs_and_skus_in_block_urls(api: httpx.AsyncClient, kind: str) -> None:
    for path in (
        f"/w/{'s' * 65}/products/KETTLE{kind}",
        f"/w/test-shop/products/{'K' * 101}{kind}",
    ):
        answer = await api.get(path)
        assert answer.status_code == 404, (path, answer.status_code)
    for path in (
        f"/w/{'s' * 65}/reviews",
        f"/w/{'s' * 65}/review-policy",
        f"/w/{'s' * 65}/reviews/1",
    ):
        assert (await api.get(path)).status_code == 404, path


@pytest.mark.parametrize(
    "path",
    ["/api/v1/responses", "/api/v1/reviews", "/api/v1/alerts"],
)
@pytest.mark.parametrize("number", [str(2**63), "1" * 21, "9" * 40, "-1", "1e5", "١٢"])
async def test_cursors_holding_huge_numbers(api: httpx.AsyncClient, path: str, number: str) -> None:
    answer = await api.get(path, params={"cursor": cursor(number)})
    assert_error_shape(answer)
    assert answer.json()["error"]["fields"] == {"cursor": "invalid"}


@pytest.mark.parametrize("path", ["/api/v1/reviews", "/api/v1/alerts"])
async def test_cursors_past_an_int_id(api: httpx.AsyncClient, path: str) -> None:
    """Reviews and alerts have INT ids: PostgreSQL refuses a larger number to compare."""
    assert_error_shape(await api.get(path, params={"cursor": cursor(str(2**31))}))
    answer = await api.get("/api/v1/responses", params={"cursor": cursor(str(2**31))})
    assert answer.status_code == 200  # answers have BIGINT ids


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/orders"),
        ("POST", "/api/v1/products"),
        ("POST", "/api/v1/invitations"),
        ("POST", "/api/v1/reviews"),
        ("POST", "/api/v1/webhooks"),
        ("PUT", "/api/v1/alert-rules"),
    ],
)
async def test_deeply_nested_json(api: httpx.AsyncClient, method: str, path: str) -> None:
    answer = await api.request(
        method, path, content=nested(100_000), headers={"Content-Type": "application/json"}
    )
    assert_error_shape(answer)


@pytest.mark.parametrize(
    "url",
    [
        "https://[::1/",
        "https://[::1",
        "http://[",
        "https://[zz::1]/",
        "https://a:99999/",
        "https://a:x/",
    ],
)
async def test_malformed_webhook_urls(api: httpx.AsyncClient, url: str) -> None:
    answer = await api.post("/api/v1/webhooks", json={"url": url, "events": ["comment.added"]})
    assert_error_shape(answer)
    assert "url" in answer.json()["error"]["fields"]
    assert (await api.get("/api/v1/webhooks")).json()["items"] == []


async def test_long_emails_and_skus_in_api_paths(api: httpx.AsyncClient) -> None:
    email = "a" * 64 + "@" + ("b" * 60 + ".") * 4 + "fr"
    assert len(email) > 254
    for method, path in (
        ("GET", f"/api/v1/customers/{email}/export"),
        ("DELETE", f"/api/v1/customers/{email}"),
        ("GET", f"/api/v1/products/{'K' * 101}"),
        ("GET", f"/api/v1/products/{'K' * 10_000}"),
        ("GET", f"/api/v1/reviews?sku={'K' * 101}"),
    ):
        answer = await api.request(method, path)
        assert_error_shape(answer)


# Every route, every path parameter at once: longer than any column, a number no column
# holds, digits int() reads but a database does not, a NUL.
HOSTILE_SEGMENTS = [
    *("s" * 65, "s" * 101, "s" * 255, "s" * 10_000),
    *(str(2**31), "9" * 12, "9" * 18, str(2**63), "1" * 21, "9" * 40),  # past INT, BIGINT
    *("١٢", "-1"),
]
ROUTES = [
    (route.path_format, method)
    for route in routes
    for method in sorted((route.methods or set()) - {"HEAD"})
]


@pytest.mark.slow
async def test_every_route_refuses_hostile_path_segments(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    await create_user(shop_and_key[0], "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(api, "boss@shop.fr", "correct horse battery")  # staff pages too
    for segment in HOSTILE_SEGMENTS:
        for template, method in ROUTES:
            path = re.sub(r"\{[^}]+\}", segment, template)
            answer = await api.request(method, path, json={})
            assert answer.status_code < 500, (method, path[:120])
            if path.startswith("/api/") and answer.status_code >= 400:
                assert_error_shape(answer)


async def test_long_emails_in_staff_forms(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    email = "a" * 300 + "@example.fr"
    await create_user(shop_and_key[0], "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(client, "boss@shop.fr", "correct horse battery")
    exported = await client.get("/admin/customers/export", params={"email": email})
    assert exported.status_code == 404
    csrf = csrf_of((await client.get("/admin/settings")).text)
    erased = await client.post(
        "/admin/settings/erase-customer", data={"csrf": csrf, "email": email}
    )
    assert erased.status_code == 404
