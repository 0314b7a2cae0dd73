"""Bidi and invisible format controls (U+202E...) in customers' names and comments: stripped
when they come in, and from every staff page and export for rows stored before."""

from __future__ import annotations

import json

import httpx
import pytest
from admin_helpers import log_in

from feedback_service.alerts.models import Alert
from feedback_service.alerts.services import check_due_answer
from feedback_service.orders.models import Customer
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user
from feedback_service.surveys.models import Response

CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
NAME = "Ann\u202eenna\u202c Lee\u2066x\u2069"  # shows "Ann" then "enna" reversed, in an isolate
COMMENT = "Colis jamais reçu, arnaque \u202egpj.exe\u202c \u200fservice\u061c injoignable\u200e !"
NAME_SHOWN = {"/admin/inbox", "/admin/export/responses.csv", "/admin/export/responses.jsonl"}


def has_controls(text: str) -> bool:
    return any(char in text for char in CONTROLS)


async def answered(api: httpx.AsyncClient, name: str, comment: str) -> None:
    """An NPS detractor with a comment: a response, a customer and an alert."""
    invitation = await api.post(
        "/api/v1/invitations",
        json={"survey": "nps", "customer": {"email": "ann@example.fr", "name": name}},
    )
    token = invitation.json()["token"]
    sent = await api.post(f"/s/{token}/comment", data={"comment": comment, "score": "2"})
    assert sent.status_code == 200
    assert await check_due_answer()  # the comment's alert check, as the worker runs it
    assert await Alert.all().count() == 1


async def staff_surfaces(client: httpx.AsyncClient, shop: Shop) -> dict[str, str]:
    client.headers.pop("Authorization", None)
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(client, "boss@shop.fr", "correct horse battery")
    pages = {}
    for path in (
        "/admin",
        "/admin/inbox",
        "/admin/surveys",
        "/admin/export/responses.csv",
        "/admin/export/responses.jsonl",
    ):
        answer = await client.get(path)
        assert answer.status_code == 200, path
        pages[path] = answer.text
    return pages


async def test_names_and_comments_are_stored_without_controls(api: httpx.AsyncClient) -> None:
    await answered(api, NAME, COMMENT)
    customer = await Customer.get()
    assert customer.name == "Annenna Leex"
    response = await Response.get()
    assert response.comment == "Colis jamais reçu, arnaque gpj.exe service injoignable !"
    order = {
        "id": "O-1",
        "customer": {"email": "bob@example.fr", "name": "\u202eBob"},
        "items": [{"sku": "KETTLE"}],
        "ordered_at": "2026-11-01T10:00:00Z",
    }
    await api.post("/api/v1/products", json={"sku": "KETTLE", "name": "K", "url": "https://s.fr/k"})
    assert (await api.post("/api/v1/orders", json=order)).status_code == 201
    assert (await Customer.get(email="bob@example.fr")).name == "Bob"


@pytest.mark.parametrize(
    "path",
    [
        "/admin",
        "/admin/inbox",
        "/admin/surveys",
        "/admin/export/responses.csv",
        "/admin/export/responses.jsonl",
    ],
)
async def test_rows_stored_with_controls_are_shown_without_them(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str], path: str
) -> None:
    await answered(api, "Ann", "Colis jamais reçu, arnaque !")
    # As stored before names and comments were cleaned on the way in.
    await Customer.all().update(name=NAME)
    await Response.all().update(comment=COMMENT)
    text = (await staff_surfaces(api, shop_and_key[0]))[path]
    assert not has_controls(text), path
    assert "arnaque gpj.exe service injoignable" in text
    if path in NAME_SHOWN:
        assert "Annenna Leex" in text
    if path.endswith(".jsonl"):
        [row] = [json.loads(line) for line in text.splitlines()]
        assert row["comment"] == "Colis jamais reçu, arnaque gpj.exe service injoignable !"
