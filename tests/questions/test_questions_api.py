"""GET /api/v1/questions, POST .../answer and .../moderation: what integrators see, and
the contract's JSON errors (4xx, nothing changed)."""

from __future__ import annotations

import httpx
import pytest
from question_helpers import ask, catalogue, confirmed_question

from feedback_service.outbox.models import OutboxMessage
from feedback_service.questions import api as questions_api
from feedback_service.questions.models import Answer, Question
from feedback_service.shops.services import create_shop


def error_of(answer: httpx.Response, status: int) -> dict:  # type: ignore[type-arg]
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]  # type: ignore[no-any-return]


async def emails_to(address: str) -> list[str]:
    rows = await OutboxMessage.filter(kind="email").order_by("id")
    return [row.payload["subject"] for row in rows if row.payload["to"] == address]


async def test_list_filters_and_pages(
    api: httpx.AsyncClient, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await catalogue(api, rated=False)
    await ask(client)  # never confirmed
    first = await confirmed_question(client, question="Va-t-elle au lave-vaisselle ?")
    second = await confirmed_question(client, question="Le mug passe-t-il au micro-ondes ?")
    await Question.filter(id=second).update(product_id=(await Question.get(id=first)).product_id)
    await api.post(f"/api/v1/questions/{first}/moderation", json={"action": "publish"})

    everything = (await api.get("/api/v1/questions")).json()
    assert [q["id"] for q in everything["items"]] == [second, first]
    assert everything["next_cursor"] is None
    published = (await api.get("/api/v1/questions?status=published&sku=KETTLE")).json()
    assert [(q["id"], q["sku"], q["status"]) for q in published["items"]] == [
        (first, "KETTLE", "published")
    ]
    unconfirmed = (await api.get("/api/v1/questions?status=unconfirmed")).json()["items"]
    assert len(unconfirmed) == 1 and unconfirmed[0]["confirmed_at"] is None
    assert "author_email" not in unconfirmed[0]  # the API lists no asker's address
    assert (await api.get("/api/v1/questions?sku=MUG")).json()["items"] == []

    monkeypatch.setattr(questions_api, "PAGE_SIZE", 1)
    page = (await api.get("/api/v1/questions")).json()
    assert [q["id"] for q in page["items"]] == [second]
    following = (await api.get(f"/api/v1/questions?cursor={page['next_cursor']}")).json()
    assert [q["id"] for q in following["items"]] == [first]

    assert error_of(await api.get("/api/v1/questions?status=lost"), 422)["fields"]["status"]
    assert error_of(await api.get("/api/v1/questions?cursor=%%%"), 422)["fields"]["cursor"]
    assert error_of(await api.get(f"/api/v1/questions?sku={'S' * 101}"), 422)["fields"]["sku"]
    error_of(await client.get("/api/v1/questions", headers={"Authorization": "Bearer nope"}), 401)


async def test_answer_publishes_then_edits_and_the_asker_is_told_once(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await catalogue(api, rated=False)
    question_id = await confirmed_question(client)
    url = f"/api/v1/questions/{question_id}/answer"
    first = await api.post(url, json={"body": "  Oui, 38 cm.  "})
    assert first.status_code == 200
    assert (
        first.json()["status"] == "published"
        and first.json()["answers"][0]["body"] == "Oui, 38 cm."
    )
    second = await api.post(url, json={"body": "Oui : 38 cm de large."})
    assert [a["body"] for a in second.json()["answers"]] == ["Oui : 38 cm de large."]
    assert await Answer.all().count() == 1
    told = await emails_to("zoe@example.fr")
    assert told == [
        "Confirmez votre question sur Bouilloire 1,5 L",
        "Votre question sur Bouilloire 1,5 L a une réponse",
    ]


async def test_moderation_rejects_with_a_reason_emailed_and_publishes_again(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await catalogue(api, rated=False)
    question_id = await confirmed_question(client)
    url = f"/api/v1/questions/{question_id}/moderation"
    assert error_of(await api.post(url, json={"action": "reject"}), 422)["fields"]["reason"]
    rejected = await api.post(url, json={"action": "reject", "reason": "off_topic"})
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == (
        "rejected",
        "off_topic",
    )
    email = await OutboxMessage.filter(kind="email").order_by("-id").first()
    assert email is not None
    assert email.payload["subject"] == "Votre question sur Bouilloire 1,5 L n'a pas été publiée"
    assert "Sans rapport avec le produit." in email.payload["text"]
    # A rejected question takes no answer until it is published again.
    answer = f"/api/v1/questions/{question_id}/answer"
    assert error_of(await api.post(answer, json={"body": "Oui."}), 409)["code"] == "conflict"
    again = await api.post(url, json={"action": "publish"})
    assert again.json()["status"] == "published" and again.json()["rejection_reason"] is None
    assert (await api.post(answer, json={"body": "Oui."})).status_code == 200


async def test_errors_change_nothing(api: httpx.AsyncClient, client: httpx.AsyncClient) -> None:
    await catalogue(api, rated=False)
    assert (await ask(client)).status_code == 303
    unconfirmed = (await Question.get()).id
    for path, body in [
        (f"/api/v1/questions/{unconfirmed}/answer", {"body": "Oui."}),
        (f"/api/v1/questions/{unconfirmed}/moderation", {"action": "publish"}),
    ]:
        assert "confirmed" in error_of(await api.post(path, json=body), 409)["message"]
    confirmed = await confirmed_question(client, email="ann@example.fr")
    for path, body, status in [
        (f"/api/v1/questions/{confirmed}/answer", {"body": ""}, 422),
        (f"/api/v1/questions/{confirmed}/answer", {"body": "x" * 5001}, 422),
        (f"/api/v1/questions/{confirmed}/answer", {"body": "Oui", "extra": 1}, 422),
        (f"/api/v1/questions/{confirmed}/answer", {"body": "Oui\x00"}, 422),
        (f"/api/v1/questions/{confirmed}/answer", ["Oui"], 422),
        (f"/api/v1/questions/{confirmed}/moderation", {"action": "delete"}, 422),
        (f"/api/v1/questions/{confirmed}/moderation", {"action": "reject", "reason": "x"}, 422),
        (f"/api/v1/questions/{confirmed}/moderation", {"action": "publish", "answer_id": 9}, 404),
        (f"/api/v1/questions/{confirmed}/moderation", {"action": "publish", "answer_id": 0}, 422),
        ("/api/v1/questions/99999/answer", {"body": "Oui."}, 404),
        ("/api/v1/questions/²/answer", {"body": "Oui."}, 404),
        ("/api/v1/questions/99999999999999999999/moderation", {"action": "publish"}, 404),
    ]:
        error_of(await api.post(path, json=body), status)
    assert (await Question.get(id=confirmed)).status == "pending"
    assert await Answer.all().count() == 0
    # Another shop's key sees none of these questions.
    _, other_key = await create_shop("Autre", "autre-shop")
    other = {"Authorization": f"Bearer {other_key}"}
    assert (await client.get("/api/v1/questions", headers=other)).json()["items"] == []
    error_of(
        await client.post(
            f"/api/v1/questions/{confirmed}/answer", json={"body": "Oui."}, headers=other
        ),
        404,
    )
    assert await Answer.all().count() == 0
