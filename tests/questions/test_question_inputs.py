"""Hostile or broken question forms get a friendly 4xx page and store nothing; stored text
is shown inert; a robot filling the hidden field is answered as usual and ignored."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from markup_check import assert_markup_ok
from question_helpers import (
    ASK_URL,
    ask,
    catalogue,
    confirmation_link,
    confirmed_question,
    form,
)

from feedback_service.outbox.models import OutboxMessage
from feedback_service.questions.models import Question


async def nothing_stored() -> None:
    assert await Question.all().count() == 0
    assert await OutboxMessage.all().count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"question": ""}, "Merci d&#39;écrire votre question (10 caractères au moins)."),
        ({"question": "Pourquoi?"}, "(10 caractères au moins)"),
        ({"question": "x" * 1001}, "Une question compte au plus 1000 caractères."),
        ({"question": " \u202e\u200b\x07 " * 5}, "(10 caractères au moins)"),
        ({"name": None}, "Merci d&#39;indiquer le nom à afficher avec votre question."),
        ({"name": "N" * 61}, "Un nom compte au plus 60 caractères."),
        ({"email": "pas-une-adresse"}, "Merci d&#39;indiquer une adresse e-mail valide"),
        ({"email": None}, "Merci d&#39;indiquer une adresse e-mail valide"),
        ({"email": "a@" + "b" * 250 + ".fr"}, "Merci d&#39;indiquer une adresse e-mail valide"),
        ({"question": "Une question\x00 cachée ?"}, "caractères invisibles"),
    ],
)
async def test_bad_fields_reshow_the_form_and_store_nothing(
    api: httpx.AsyncClient, client: httpx.AsyncClient, changes: dict[str, str], message: str
) -> None:
    await catalogue(api, rated=False)
    answer = await ask(client, "fr", **changes)
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert message in answer.text
    assert "Merci de vérifier les champs signalés ci-dessous." in answer.text
    assert 'action="http://127.0.0.1:' in answer.text  # the form again, posting to us
    await nothing_stored()


async def test_broken_requests_get_a_friendly_page_and_store_nothing(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await catalogue(api, rated=False)
    attempts = [
        client.post(ASK_URL, files={"photo": ("x.jpg", b"\xff\xd8", "image/jpeg")}, data=form()),
        client.post(ASK_URL, data={f"f{n}": "x" for n in range(40)}),
        client.post(ASK_URL, content=b"x" * 1_100_000),
        client.post("/w/test-shop/products/NOPE/questions", data=form()),
        client.post("/w/other-shop/products/KETTLE/questions", data=form()),
        client.put(ASK_URL, data=form()),
    ]
    for attempt in attempts:
        answer = await attempt
        assert 400 <= answer.status_code < 500, (answer.request.url, answer.status_code)
        assert "Traceback" not in answer.text
    await nothing_stored()


async def test_the_honeypot_field_looks_accepted_and_stores_nothing(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await catalogue(api, rated=False)
    answer = await ask(client, fs_hp="https://spam.example")
    assert answer.status_code == 303 and "/questions/sent" in answer.headers["location"]
    await nothing_stored()


async def test_an_address_asks_ten_questions_an_hour_an_email_five_a_day(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await catalogue(api, rated=False)
    for _ in range(5):
        assert (await ask(client, email="zoe@example.fr")).status_code == 303
    sixth = await ask(client, email="zoe@example.fr")
    assert sixth.status_code == 429 and sixth.headers["retry-after"]
    assert "Trop de tentatives" in sixth.text or "Too many attempts" in sixth.text
    for n in range(4):
        assert (await ask(client, email=f"other{n}@example.fr")).status_code == 303
    assert (await ask(client, email="last@example.fr")).status_code == 429
    assert await Question.all().count() == 9


async def test_hostile_text_is_inert_in_every_page_and_the_markup_stays_valid(
    api: httpx.AsyncClient, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    await catalogue(api)
    hostile = "<script>alert(1)</script> {{7*7}} \u202eevil ? " + "W" * 300
    question_id = await confirmed_question(client, question=hostile, name="<b>Zoé</b>\u202e")
    confirm_page = await client.get(await confirmation_link())
    assert "<script>alert(1)" not in confirm_page.text
    answered = await api.post(
        f"/api/v1/questions/{question_id}/answer",
        json={"body": "</div><img src=x onerror=alert(2)> Oui."},
    )
    assert answered.status_code == 200
    for url, kind in [
        ("/w/test-shop/products/KETTLE/reviews", "reviews"),
        ("/w/test-shop/products/KETTLE", "page"),
        (ASK_URL, "questions"),
    ]:
        html = (await client.get(url)).text
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "\u202e" not in html and "{{7*7}}" in html.replace("&#123;", "{")
        assert_markup_ok(html, kind, tmp_path)
