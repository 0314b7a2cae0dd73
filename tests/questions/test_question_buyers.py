"""Recent buyers asked to answer, from the admin: who is asked (and who is not), the answer
form, moderation of their answers, and the staff page in English and French with CSRF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from admin_helpers import csrf_of, log_in
from markup_check import assert_markup_ok
from question_helpers import ASK_URL, catalogue, confirmed_question, link_in

from feedback_service.orders.models import Customer, HeldInvitation
from feedback_service.outbox.models import OutboxMessage
from feedback_service.questions.models import Answer, BuyerInvite, Question
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user

PASSWORD = "correct horse battery"


async def order(api: httpx.AsyncClient, n: int, email: str, delivered_days_ago: int) -> None:
    now = datetime.now(UTC)
    body = {
        "id": f"B-{n}",
        "customer": {"email": email, "name": f"Bob Buyer{n}", "locale": "fr"},
        "items": [{"sku": "KETTLE"}],
        "ordered_at": (now - timedelta(days=delivered_days_ago + 3)).isoformat(),
        "delivered_at": (now - timedelta(days=delivered_days_ago)).isoformat(),
    }
    assert (await api.post("/api/v1/orders", json=body)).status_code == 201


async def staff(client: httpx.AsyncClient, locale: str = "fr") -> str:
    """Signed in as the shop's admin; the questions page's CSRF token."""
    await create_user(await Shop.get(), "boss@shop.fr", PASSWORD, role="admin")
    client.headers["Accept-Language"] = locale
    await log_in(client, "boss@shop.fr", PASSWORD)
    return csrf_of((await client.get("/admin/questions")).text)


async def act(client: httpx.AsyncClient, csrf: str, **fields: object) -> httpx.Response:
    return await client.post(
        "/admin/questions?status=published", data={"csrf": csrf, **fields}, follow_redirects=False
    )


async def test_recent_buyers_are_asked_and_their_answers_moderated(
    api: httpx.AsyncClient, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    await catalogue(api)
    await order(api, 1, "recent@example.fr", 10)  # asked
    await order(api, 2, "gone@example.fr", 12)  # unsubscribed
    await order(api, 3, "busy@example.fr", 15)  # asked for a survey yesterday
    await order(api, 4, "old@example.fr", 200)  # too long ago
    await order(api, 5, "zoe@example.fr", 5)  # the asker
    await Customer.filter(email="gone@example.fr").update(unsubscribed_at=datetime.now(UTC))
    await Customer.filter(email="busy@example.fr").update(
        last_invited_at=datetime.now(UTC) - timedelta(days=1)
    )
    question_id = await confirmed_question(client)
    api_key = api.headers.pop("Authorization")
    csrf = await staff(client)

    # Not before the question is published.
    refused = await act(client, csrf, question=question_id, action="ask_buyers")
    assert refused.status_code == 409
    published = await act(client, csrf, question=question_id, action="publish")
    assert published.status_code == 303
    asked = await act(client, csrf, question=question_id, action="ask_buyers")
    assert asked.status_code == 303 and asked.headers["location"].endswith("asked=1")
    shown = await client.get(asked.headers["location"])
    assert "Acheteurs récents invités à répondre\u202f: 1." in shown.text
    invites = await BuyerInvite.all().select_related("customer")
    assert [i.customer.email for i in invites] == ["recent@example.fr"]
    [held] = await HeldInvitation.filter(kind="question").select_related("customer")
    assert (held.customer.email, held.reason) == ("busy@example.fr", "throttle")
    recent = await Customer.get(email="recent@example.fr")
    assert recent.last_invited_at is not None  # asking them took their turn, as a survey would

    email = await OutboxMessage.filter(kind="email").order_by("-id").first()
    assert email is not None and email.payload["to"] == "recent@example.fr"
    assert email.payload["subject"].startswith("Une question sur Bouilloire 1,5 L")
    assert email.payload["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = link_in(email.payload["html"], "a")

    # The buyer's form: their first name and initial by default, consent required.
    form = await client.get(link)
    assert form.status_code == 200 and 'value="Bob B."' in form.text
    missing = await client.post(link, data={"answer": "Oui, 38 cm.", "name": "Bob B."})
    assert missing.status_code == 400 and "Merci d&#39;accepter la publication" in missing.text
    data = {"answer": "Oui, elle tient : 38 cm.", "name": "Bob B.", "consent": "yes"}
    sent = await client.post(link, data=data)
    assert sent.status_code == 303
    assert "Elle apparaîtra sur la page du produit" in (await client.get(link)).text
    assert (await client.post(link, data=data)).status_code == 409
    [answer] = await Answer.all()
    assert (answer.status, answer.author_name, answer.by_shop) == ("pending", "Bob B.", False)
    assert "Oui, elle tient" not in (await client.get(ASK_URL)).text  # not yet checked

    # Moderated like the rest: it waits in "To moderate", then is published.
    queue = await client.get("/admin/questions")
    assert "Oui, elle tient : 38 cm." in queue.text and "Acheteur vérifié" in queue.text
    done = await act(client, csrf, question=question_id, answer=answer.id, action="publish_answer")
    assert done.status_code == 303
    told = await OutboxMessage.filter(kind="email").order_by("-id").first()
    assert told is not None and told.payload["to"] == "zoe@example.fr"
    assert "Bob B." in told.payload["text"] and "Oui, elle tient" in told.payload["text"]
    block = await client.get(ASK_URL)
    assert "Oui, elle tient : 38 cm." in block.text and "Acheteur vérifié" in block.text
    assert_markup_ok(block.text, "questions", tmp_path)
    fragment = (await client.get("/w/test-shop/products/KETTLE/reviews")).text
    assert_markup_ok(fragment, "reviews", tmp_path)
    assert 'itemprop="suggestedAnswer"' in fragment

    # Nobody is asked twice about the same question.
    again = await act(client, csrf, question=question_id, action="ask_buyers")
    assert again.headers["location"].endswith("asked=0")
    assert await BuyerInvite.all().count() == 1
    client.headers["Authorization"] = api_key
    listed = (await client.get("/api/v1/questions?status=published")).json()["items"][0]
    assert listed["buyers_asked_at"] and listed["answers"][0]["verified_buyer"] is True


async def test_a_buyers_answer_can_be_rejected_and_leaves_the_block(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await catalogue(api)
    await order(api, 1, "recent@example.fr", 10)
    question_id = await confirmed_question(client)
    await api.post(f"/api/v1/questions/{question_id}/moderation", json={"action": "publish"})
    question = await Question.get(id=question_id).select_related("shop", "product")
    invite = await BuyerInvite.create(
        question=question,
        customer=await Customer.get(email="recent@example.fr"),
        sent_at=datetime.now(UTC),
    )
    answer = await Answer.create(
        question=question,
        customer_id=invite.customer_id,
        author_name="Bob B.",
        author_email="recent@example.fr",
        body="Achetez plutôt chez mon cousin !",
        created_at=datetime.now(UTC),
    )
    url = f"/api/v1/questions/{question_id}/moderation"
    published = await api.post(url, json={"action": "publish", "answer_id": answer.id})
    assert published.status_code == 200 and published.json()["answered_at"]
    assert "mon cousin" in (await client.get(ASK_URL)).text
    rejected = await api.post(
        url, json={"action": "reject", "reason": "spam", "answer_id": answer.id}
    )
    assert rejected.status_code == 200
    assert rejected.json()["answered_at"] is None  # its only answer is gone
    assert rejected.json()["status"] == "published"
    assert "mon cousin" not in (await client.get(ASK_URL)).text


async def test_the_staff_page_needs_a_session_and_its_csrf_and_speaks_english(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await catalogue(api, rated=False)
    question_id = await confirmed_question(client)
    api.headers.pop("Authorization")
    assert (await client.get("/admin/questions")).headers["location"] == "/admin/login"
    csrf = await staff(client, locale="en")
    page = await client.get("/admin/questions")
    assert "Product questions" in page.text and "zoe@example.fr" in page.text
    assert '<a href="/admin/questions">Questions</a>' in page.text
    forged = await client.post(
        "/admin/questions", data={"csrf": "forged", "question": question_id, "action": "publish"}
    )
    assert forged.status_code == 403
    assert (await Question.get(id=question_id)).status == "pending"
    odd = await act(client, csrf, question=question_id, action="delete-all")
    assert odd.status_code == 422
    bad_reason = await act(client, csrf, question=question_id, action="reject", reason="nope")
    assert bad_reason.status_code == 422
    answered = await act(client, csrf, question=question_id, action="answer", body="Yes: 38 cm.")
    assert answered.status_code == 303
    assert (await Question.get(id=question_id)).status == "published"
    published = await client.get("/admin/questions?status=published")
    assert "Yes: 38 cm." in published.text and "Ask recent buyers to answer" in published.text
