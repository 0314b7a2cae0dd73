"""Shared steps of the question tests: a catalogue with a rated product, a question asked
through the block's form, its confirmation link read from the email."""

from __future__ import annotations

import re
from typing import Any

import httpx
from review_helpers import PRODUCTS

from feedback_service.outbox.models import OutboxMessage
from feedback_service.questions.models import Question

ASK_URL = "/w/test-shop/products/KETTLE/questions"
QUESTION = {
    "fr": "Est-ce qu'elle tient sur une étagère de 40 cm ?",
    "en": "Does it fit on a 40 cm shelf?",
}
ANSWER = {
    "fr": "Oui : elle mesure 38 cm de large.",
    "en": "Yes: it is 38 cm wide.",
}


async def catalogue(api: httpx.AsyncClient, *, rated: bool = True) -> None:
    """The products, and one published review of the kettle (its block then marks up a
    Product, which the questions go inside)."""
    for product in PRODUCTS:
        assert (await api.post("/api/v1/products", json=product)).status_code in (200, 201)
    if rated:
        review = {
            "sku": "KETTLE",
            "rating": 5,
            "title": "Parfaite",
            "body": "Chauffe vite.",
            "author_name": "Ann",
            "source": "legacy",
            "source_id": "1",
            "submitted_at": "2026-10-02T10:00:00Z",
            "published": True,
        }
        assert (await api.post("/api/v1/reviews", json=review)).status_code == 201


def form(locale: str = "fr", **changes: Any) -> dict[str, str]:
    data = {
        "question": QUESTION[locale],
        "name": "Zoé" if locale == "fr" else "Zoe",
        "email": "zoe@example.fr",
        "locale": locale,
        "fs_hp": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


async def ask(client: httpx.AsyncClient, locale: str = "fr", **changes: Any) -> httpx.Response:
    return await client.post(ASK_URL, data=form(locale, **changes))


def link_in(text: str, path: str) -> str:
    found = re.search(rf'href="([^"]+/{path}/[^"]+)"', text)
    assert found, f"no /{path}/ link"
    return found.group(1)


async def confirmation_link() -> str:
    """The confirmation link of the last email queued (the outbox, as the worker sends it)."""
    row = await OutboxMessage.filter(kind="email").order_by("-id").first()
    assert row is not None
    return link_in(row.payload["html"], "q")


async def confirmed_question(client: httpx.AsyncClient, locale: str = "fr", **changes: Any) -> int:
    """Asked and confirmed through the pages; its id."""
    assert (await ask(client, locale, **changes)).status_code == 303
    link = await confirmation_link()
    assert (await client.post(link)).status_code == 303
    question = await Question.all().order_by("-id").first()
    assert question is not None and question.status == "pending"
    return question.id
