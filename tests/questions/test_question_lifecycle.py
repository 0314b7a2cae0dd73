"""What happens around a question: its webhooks, the blocks' ETag, the week an asker has to
confirm, erasure and export (GDPR), and the emails as mail clients show them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx
import pytest
from html_helpers import assert_valid_html
from peers import WebhookReceiver
from question_helpers import ASK_URL, ask, catalogue, confirmed_question, link_in
from tortoise import Tortoise, connections

from feedback_service.db import APP_LABEL
from feedback_service.orders.models import Customer
from feedback_service.outbox.models import OutboxMessage
from feedback_service.questions.models import Answer, BuyerInvite, Question
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.templating import render
from feedback_service.worker import Worker

BLOCKS = ("/w/test-shop/products/KETTLE/reviews", "/w/test-shop/products/KETTLE", ASK_URL)


async def deliver(settings: Settings) -> None:
    await OutboxMessage.filter(state="pending").update(due_at=datetime.now(UTC))
    await Worker(settings).run_once()


async def test_webhooks_question_asked_after_confirmation_and_question_answered(
    api: httpx.AsyncClient,
    client: httpx.AsyncClient,
    receiver: WebhookReceiver,
    settings: Settings,
) -> None:
    await catalogue(api, rated=False)
    hook = await api.post(
        "/api/v1/webhooks",
        json={"url": receiver.url, "events": ["question.asked", "question.answered"]},
    )
    assert hook.status_code == 201
    receiver.secret = hook.json()["secret"]
    await api.post(
        "/api/v1/orders",
        json={
            "id": "Z-1",
            "customer": {"email": "zoe@example.fr", "external_id": "crm-7"},
            "items": [{"sku": "MUG"}],
            "ordered_at": "2026-11-01T10:00:00Z",
        },
    )
    await ask(client)
    assert not await OutboxMessage.filter(kind="webhook").exists()  # not before confirmation
    question_id = await confirmed_question(client, question="Est-elle silencieuse le matin ?")
    await api.post(f"/api/v1/questions/{question_id}/answer", json={"body": "Oui, très."})
    await api.post(f"/api/v1/questions/{question_id}/answer", json={"body": "Oui, très !"})
    await deliver(settings)
    assert [r["verified"] for r in receiver.received] == [True, True]
    # One each (an edit is no new answer), delivered side by side: in any order.
    events = {r["json"]["type"]: r["json"] for r in receiver.received}
    assert set(events) == {"question.asked", "question.answered"}
    asked, answered = events["question.asked"], events["question.answered"]
    assert asked["data"]["id"] == question_id and asked["data"]["sku"] == "KETTLE"
    assert asked["data"]["customer"] == {"email": "zoe@example.fr", "external_id": "crm-7"}
    assert asked["data"]["body"] == "Est-elle silencieuse le matin ?"
    assert asked["data"]["status"] == "pending"
    assert answered["data"]["id"] == question_id and answered["data"]["by_shop"] is True
    assert answered["data"]["body"] == "Oui, très." and answered["data"]["answer_id"]


async def test_blocks_change_their_etag_when_a_question_is_published_or_answered(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await catalogue(api)
    first = {url: (await client.get(url)).headers["etag"] for url in BLOCKS}
    for url, etag in first.items():
        cached = await client.get(url, headers={"If-None-Match": etag})
        assert cached.status_code == 304 and cached.headers["etag"] == etag
    question_id = await confirmed_question(client)
    unchanged = await client.get(BLOCKS[0], headers={"If-None-Match": first[BLOCKS[0]]})
    assert unchanged.status_code == 304  # asked and confirmed: nothing public yet

    await api.post(f"/api/v1/questions/{question_id}/moderation", json={"action": "publish"})
    published = {}
    for url, etag in first.items():
        again = await client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 200, url
        published[url] = again.headers["etag"]
    await api.post(f"/api/v1/questions/{question_id}/answer", json={"body": "Oui, 38 cm."})
    for url, etag in published.items():
        again = await client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 200 and "Oui, 38 cm." in again.text, url
        assert again.headers["cache-control"].startswith("public, max-age=300")


async def test_an_unconfirmed_question_is_forgotten_after_a_week(
    api: httpx.AsyncClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    await catalogue(api, rated=False)
    await ask(client, email="never@example.fr")
    kept = await confirmed_question(client, email="zoe@example.fr")
    asked_at = {q.id: q.asked_at for q in await Question.all()}
    jobs = await OutboxMessage.filter(kind="question_expiry")
    assert {
        job.payload["question_id"]: job.due_at - asked_at[job.payload["question_id"]]
        for job in jobs
    } == dict.fromkeys(asked_at, timedelta(days=7))
    await Worker(settings).run_once()
    assert await Question.all().count() == 2  # not yet due
    await OutboxMessage.filter(kind="question_expiry").update(due_at=datetime.now(UTC))
    await Worker(settings).run_once()
    assert [q.id for q in await Question.all()] == [kept]
    [email] = [
        m for m in await OutboxMessage.filter(kind="email") if m.payload["to"] == "never@example.fr"
    ]
    link = link_in(email.payload["html"], "q")
    assert (await client.get(link)).status_code == 404  # the friendly "link not valid" page


NEEDLES = ("zoé quartz", "quartz@example.fr", "chaussonnier", "bob bergamote", "mirlitonnier")


async def _texts() -> str:
    """Every text and JSON column of every table, lowercased (a new table is searched too)."""
    conn = connections.get("default")
    found: list[str] = []
    for model in Tortoise.apps[APP_LABEL].values():
        columns = [
            field.source_field or name
            for name, field in model._meta.fields_map.items()
            if field.field_type in (str, dict, list) or type(field).__name__ == "JSONField"
        ]
        if columns:
            listed = ", ".join(f'"{c}"' for c in columns)
            for row in await conn.execute_query_dict(
                f'SELECT {listed} FROM "{model._meta.db_table}"'
            ):
                found += [
                    json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
                    for v in row.values()
                ]
    return "\n".join(found).lower()


async def test_erasure_removes_the_questions_asked_and_the_answers_written(
    api: httpx.AsyncClient, client: httpx.AsyncClient, receiver: WebhookReceiver, app: object
) -> None:
    await catalogue(api)
    await api.post(
        "/api/v1/webhooks",
        json={"url": receiver.url, "events": ["question.asked", "question.answered"]},
    )
    asked = await confirmed_question(
        client,
        name="Zoé Quartz",
        email="quartz@example.fr",
        question="Le bec est-il chaussonnier ?",
    )
    await api.post(f"/api/v1/questions/{asked}/answer", json={"body": "Non."})
    other = await confirmed_question(client, question="Combien de temps pour bouillir ?")
    await api.post(f"/api/v1/questions/{other}/moderation", json={"action": "publish"})
    await api.post(
        "/api/v1/orders",
        json={
            "id": "B-1",
            "customer": {"email": "bob@example.fr", "name": "Bob Bergamote"},
            "items": [{"sku": "KETTLE"}],
            "ordered_at": "2026-11-01T10:00:00Z",
        },
    )
    question = await Question.get(id=other)
    bob = await Customer.get(email="bob@example.fr")
    await BuyerInvite.create(question=question, customer=bob, sent_at=datetime.now(UTC))
    written = await Answer.create(
        question=question,
        customer=bob,
        author_name="Bob Bergamote",
        author_email=bob.email,
        body="Trois minutes, bruit mirlitonnier.",
        created_at=datetime.now(UTC),
    )
    await api.post(
        f"/api/v1/questions/{other}/moderation", json={"action": "publish", "answer_id": written.id}
    )
    before = {url: await client.get(url) for url in BLOCKS}
    assert "chaussonnier" in before[ASK_URL].text and "mirlitonnier" in before[ASK_URL].text
    text = await _texts()
    assert all(needle in text for needle in NEEDLES)

    exported = (await api.get("/api/v1/customers/quartz@example.fr/export")).json()
    assert exported["customer"] is None
    assert [q["body"] for q in exported["questions"]] == ["Le bec est-il chaussonnier ?"]
    assert exported["questions"][0]["answers"][0]["body"] == "Non."
    bob_export = (await api.get("/api/v1/customers/bob@example.fr/export")).json()
    assert [a["body"] for a in bob_export["question_answers"]] == [
        "Trois minutes, bruit mirlitonnier."
    ]

    assert (await api.delete("/api/v1/customers/quartz@example.fr")).status_code == 204
    assert (await api.delete("/api/v1/customers/bob@example.fr")).status_code == 204
    assert [n for n in NEEDLES if n in await _texts()] == []
    assert await Question.filter(id=asked).count() == 0
    assert (await Question.get(id=other)).answered_at is None  # its only answer went
    for url, page in before.items():
        again = await client.get(url, headers={"If-None-Match": page.headers["etag"]})
        assert again.status_code == 200, url  # a new version: no cache keeps the old text
        assert not [n for n in NEEDLES if n in again.text.lower()], url


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_question_emails_are_valid_html_with_a_bulletproof_button(locale: str) -> None:
    shop = Shop(
        name="Maison Dupont",
        slug="dupont",
        brand_color="#7c3aed",
        logo_url="https://shop.example/logo.png",
    )
    product = SimpleNamespace(name="Mug")
    question = SimpleNamespace(author_name="Zoé", body="Passe-t-il au lave-vaisselle ?")
    answer = SimpleNamespace(body="Oui.")
    emails = {
        "question_confirm": {"url": "https://x.example/q/t", "days": 7},
        "question_answered": {
            "answer": answer,
            "answerer": "Maison Dupont",
            "url": "https://shop.example/mug#question-1",
        },
        "question_rejected": {"reason": "Advertising or spam."},
        "question_buyer": {
            "customer_name": "Bob",
            "url": "https://x.example/a/t",
            "unsubscribe_url": "https://x.example/u",
        },
    }
    for name, extra in emails.items():
        context = {"shop": shop, "product": product, "question": question, **extra}
        html = render(f"emails/{name}.html", locale, **context)
        doc = assert_valid_html(html)
        assert doc.findtext("head/title").strip(), name
        assert doc.xpath("//body/div[contains(@style, 'display:none')]")[0].text_content().strip()
        assert "border-top:4px solid #7c3aed" in html and "Passe-t-il au lave-vaisselle ?" in html
        for td in doc.xpath("//td[@bgcolor][a]"):
            assert "mso-padding-alt" in td.get("style"), name
        text = render(f"emails/{name}.txt", locale, **context)
        assert "Passe-t-il au lave-vaisselle ?" in text and "<" not in text.replace("<https", "")
    french = render(
        "emails/question_buyer.txt",
        "fr",
        shop=shop,
        product=product,
        question=question,
        customer_name="Bob",
        url="https://x.example/a/t",
        unsubscribe_url="https://x.example/u",
    )
    assert "Répondre à la question\u202f: https://x.example/a/t" in french
