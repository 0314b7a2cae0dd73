"""Every date the service accepts lies between 1970 and 2100 in UTC; anything else is a 422
naming the field, stores nothing, and a bad date stored before cannot take a page down."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from subprocess import CompletedProcess

import httpx
import pytest
from admin_helpers import csrf_of, log_in
from tortoise import connections

from feedback_service.orders.models import Order
from feedback_service.reviews.importer import import_csv
from feedback_service.reviews.models import PrizeDraw, Review
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user

OUT_OF_RANGE = [
    "0001-01-01T00:00:00+14:00",  # year 0 in UTC: unreadable once stored
    "9999-12-31T23:59:59-14:00",  # year 10000 in UTC
    "1969-12-31T23:59:59Z",
    "2100-01-01T00:00:01Z",
]
ORDER = {
    "id": "O-1",
    "customer": {"email": "ann@example.fr", "name": "Ann"},
    "items": [{"sku": "KETTLE"}],
    "ordered_at": "2026-11-01T10:00:00Z",
}
PRODUCT = {"sku": "KETTLE", "name": "Kettle", "url": "https://shop.example/kettle"}
REVIEW = {
    "sku": "KETTLE",
    "rating": 4,
    "author_name": "Ann",
    "source": "legacy",
    "source_id": "1",
    "submitted_at": "2026-10-02T10:00:00Z",
}


def assert_refused(answer: httpx.Response, field: str) -> None:
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"], error


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
async def test_order_dates_out_of_range_are_refused(api: httpx.AsyncClient, moment: str) -> None:
    await api.post("/api/v1/products", json=PRODUCT)
    assert (await api.post("/api/v1/orders", json=ORDER)).status_code == 201
    assert_refused(
        await api.post("/api/v1/orders", json={**ORDER, "ordered_at": moment}), "ordered_at"
    )
    assert_refused(
        await api.post("/api/v1/orders", json={**ORDER, "delivered_at": moment}), "delivered_at"
    )
    assert_refused(
        await api.post("/api/v1/orders", json={**ORDER, "id": "O-2", "ordered_at": moment}),
        "ordered_at",
    )
    [order] = await Order.all()
    assert order.ordered_at.isoformat() == "2026-11-01T10:00:00+00:00"
    assert order.delivered_at is None


async def test_the_bounds_themselves_are_accepted(api: httpx.AsyncClient) -> None:
    await api.post("/api/v1/products", json=PRODUCT)
    for moment in ("1970-01-01T00:00:00Z", "2100-01-01T00:00:00Z", "2099-12-31T23:00:00-01:00"):
        answer = await api.post("/api/v1/orders", json={**ORDER, "ordered_at": moment})
        assert answer.status_code in (200, 201), answer.text


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
async def test_imported_review_dates_out_of_range_are_refused(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str], moment: str, tmp_path: Path
) -> None:
    await api.post("/api/v1/products", json=PRODUCT)
    for field in ("submitted_at", "experienced_at"):
        assert_refused(await api.post("/api/v1/reviews", json={**REVIEW, field: moment}), field)
    csv = tmp_path / "reviews.csv"
    csv.write_text(
        f"sku,rating,author_name,source,source_id,submitted_at\nKETTLE,4,Ann,legacy,1,{moment}\n",
        encoding="utf-8",
    )
    report = await import_csv(shop_and_key[0], csv, lambda: None)
    assert report.created == 0 and report.rejected[0][1].startswith("submitted_at:")
    assert await Review.all().count() == 0


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
async def test_query_dates_out_of_range_are_refused(api: httpx.AsyncClient, moment: str) -> None:
    answer = await api.get("/api/v1/responses", params={"since": moment})
    assert_refused(answer, "since")
    for name in ("from", "to"):
        assert_refused(await api.get("/api/v1/metrics", params={name: moment}), name)
    assert_refused(await api.get("/api/v1/metrics", params={"to": "9999-12-31"}), "to")
    assert_refused(await api.get("/api/v1/metrics", params={"from": "0001-01-01"}), "from")


async def test_dashboard_dates_out_of_range_show_the_default_period(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    await create_user(shop_and_key[0], "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(client, "boss@shop.fr", "correct horse battery")
    for query in ({"from": "0001-01-01"}, {"to": "9999-12-31"}, {"from": OUT_OF_RANGE[0]}):
        answer = await client.get("/admin", params=query, headers={"Accept-Language": "en"})
        assert answer.status_code == 200 and 'role="alert"' in answer.text, query


@pytest.mark.parametrize(
    ("start", "end"), [("0001-01-01", "2026-12-31"), ("2026-12-01", "9999-12-31")]
)
async def test_draw_periods_out_of_range_are_refused(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str], start: str, end: str
) -> None:
    await create_user(shop_and_key[0], "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(client, "boss@shop.fr", "correct horse battery")
    csrf = csrf_of((await client.get("/admin/draws")).text)
    answer = await client.post(
        "/admin/draws",
        data={"csrf": csrf, "prize": "A kettle", "period_start": start, "period_end": end},
    )
    assert answer.status_code == 422 and "1970" in answer.text
    assert await PrizeDraw.all().count() == 0


# ---- dates stored before the check: the release's `migrate` brings them into range ------


async def bad_dates_stored(api: httpx.AsyncClient) -> None:
    """A customer with an order, an answer and a review, whose dates were stored out of
    range (as the API allowed before): Python cannot read them back."""
    await api.post("/api/v1/products", json=PRODUCT)
    assert (await api.post("/api/v1/orders", json=ORDER)).status_code == 201
    invitation = await api.post(
        "/api/v1/invitations",
        json={"survey": "nps", "customer": {"email": "ann@example.fr"}, "order_id": "O-1"},
    )
    token = invitation.json()["token"]
    assert (await api.post(f"/s/{token}/comment", data={"comment": "Bof", "score": "3"})).is_success
    review = {**REVIEW, "author_email": "ann@example.fr", "published": True}
    assert (await api.post("/api/v1/reviews", json=review)).status_code == 201
    conn = connections.get("default")
    for table, column, value in (
        ("shop_order", "ordered_at", "0001-01-01T00:00:00+14:00"),
        ("shop_order", "delivered_at", "1969-12-31T23:00:00-14:00"),  # in range: kept
        ("customer", "last_order_at", "0001-01-01T00:00:00+14:00"),
        ("review", "submitted_at", "9999-12-31T23:59:59-14:00"),
    ):
        await conn.execute_query(f"UPDATE {table} SET {column} = '{value}'")


async def test_dates_stored_out_of_range_cannot_break_a_page(
    api: httpx.AsyncClient,
    shop_and_key: tuple[Shop, str],
    run_cli: Callable[..., CompletedProcess[str]],
) -> None:
    await bad_dates_stored(api)
    migrated = run_cli("migrate")  # as each release runs it (Procfile)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    [order] = await Order.all()
    assert order.ordered_at == datetime(1970, 1, 1, tzinfo=UTC)
    assert order.delivered_at == datetime(1970, 1, 1, 13, tzinfo=UTC)
    assert (await Review.get()).submitted_at == datetime(2100, 1, 1, tzinfo=UTC)
    for path in (
        "/api/v1/responses",
        "/api/v1/reviews",
        "/api/v1/customers/ann@example.fr/export",
        "/w/test-shop/products/KETTLE/reviews",
    ):
        assert (await api.get(path)).status_code == 200, path
    invitation = await api.post(
        "/api/v1/invitations",
        json={"survey": "csat", "customer": {"email": "ann@example.fr"}, "order_id": "O-1"},
    )
    assert invitation.status_code in (200, 201), invitation.text
    key = api.headers.pop("Authorization")
    await create_user(shop_and_key[0], "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(api, "boss@shop.fr", "correct horse battery")
    for path in ("/admin", "/admin/inbox", "/admin/surveys", "/admin/reviews"):
        assert (await api.get(path)).status_code == 200, path
    api.headers["Authorization"] = key
    assert (await api.delete("/api/v1/customers/ann@example.fr")).status_code == 204
