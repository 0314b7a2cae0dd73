"""A product question from the block's form to its published answer, over HTTP and real SMTP:
ask, confirm (a mail scanner confirms nothing), moderate, answer, valid microdata, EN and FR."""

from __future__ import annotations

from pathlib import Path

import extruct
import httpx
import pytest
from html_helpers import assert_valid_page
from markup_check import assert_markup_ok
from peers import SmtpSink
from question_helpers import (
    ANSWER,
    ASK_URL,
    QUESTION,
    ask,
    catalogue,
    confirmed_question,
    link_in,
)
from review_helpers import PRODUCTS

from feedback_service.questions.models import Question
from feedback_service.settings import Settings
from feedback_service.worker import Worker

TEXTS = {
    "fr": {
        "sent": "Consultez votre boîte de réception",
        "confirm_subject": "Confirmez votre question sur Bouilloire 1,5\u00a0L",
        "button": "Confirmer ma question",
        "confirmed": "Votre question est confirmée. Merci\u202f!",
        "answered_subject": "Votre question sur Bouilloire 1,5\u00a0L a une réponse",
        "title": "Questions et réponses",
        "asked_by": "Posée par",
        "shop": "La boutique",
    },
    "en": {
        "sent": "Check your inbox",
        "confirm_subject": "Confirm your question about Bouilloire 1,5\u00a0L",
        "button": "Confirm my question",
        "confirmed": "Your question is confirmed. Thank you!",
        "answered_subject": "Your question about Bouilloire 1,5\u00a0L has an answer",
        "title": "Questions and answers",
        "asked_by": "Asked by",
        "shop": "The shop",
    },
}


def microdata(html: str) -> list[dict]:  # type: ignore[type-arg]
    return extruct.extract(html, syntaxes=["microdata"], uniform=True)["microdata"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("locale", ["fr", "en"])
async def test_ask_confirm_moderate_answer_publish(
    api: httpx.AsyncClient,
    client: httpx.AsyncClient,
    smtp: SmtpSink,
    settings: Settings,
    tmp_path: Path,
    locale: str,
) -> None:
    words = TEXTS[locale]
    await catalogue(api)
    # The shop's product name has a no-break space in the emails' subjects above.
    await api.post("/api/v1/products", json={**PRODUCTS[0], "name": "Bouilloire 1,5\u00a0L"})
    worker = Worker(settings.model_copy(update={"smtp_url": smtp.url}))

    # 1. Asked from the block's form: 303 to a page in the asker's language.
    asked = await ask(client, locale)
    assert asked.status_code == 303
    sent = await client.get(asked.headers["location"])
    assert sent.status_code == 200 and words["sent"] in sent.text
    question = await Question.get()
    assert (question.status, question.language, question.body) == (
        "unconfirmed",
        locale,
        QUESTION[locale],
    )
    listed = await api.get("/api/v1/questions")
    assert listed.json()["items"] == []  # not a question until its asker confirms

    # 2. The confirmation email, through SMTP.
    await worker.run_once()
    [message] = smtp.parsed()
    assert message["To"] == "zoe@example.fr"
    assert message["Subject"] == words["confirm_subject"]
    link = link_in(message.get_body(("html",)).get_content(), "q")
    assert link in message.get_body(("plain",)).get_content()

    # 3. A mail scanner opens the link (HEAD, GET): the page shows a button, nothing changes.
    assert (await client.head(link)).status_code == 200
    shown = await client.get(link, headers={"User-Agent": "Mozilla/5.0 (SafeLinks scanner)"})
    assert shown.status_code == 200 and words["button"] in shown.text
    assert QUESTION[locale] in shown.text.replace("&#39;", "'")
    assert shown.headers["cache-control"] == "no-store"
    assert (await Question.get()).status == "unconfirmed"
    # A form on another site cannot confirm it for them.
    forged = await client.post(link, headers={"Sec-Fetch-Site": "cross-site"})
    assert forged.status_code == 403
    assert (await Question.get()).status == "unconfirmed"

    # 4. The person presses the button: confirmed once, then moderation.
    confirmed = await client.post(link, headers={"Origin": settings.base_url})
    assert confirmed.status_code == 303 and confirmed.headers["location"] == link
    page = await client.get(link)
    assert words["confirmed"] in page.text.replace("&#39;", "'")
    again = await client.post(link)
    assert again.status_code == 303
    question = await Question.get()
    assert question.status == "pending" and question.confirmed_at is not None
    [pending] = (await api.get("/api/v1/questions?status=pending")).json()["items"]
    assert pending["id"] == question.id and pending["answers"] == []

    # 5. Moderated (published: not shown until answered), then the shop answers it.
    moderated = await api.post(
        f"/api/v1/questions/{question.id}/moderation", json={"action": "publish"}
    )
    assert moderated.json()["status"] == "published" and moderated.json()["answered_at"] is None
    assert QUESTION[locale] not in (await client.get(ASK_URL)).text.replace("&#39;", "'")
    answered = await api.post(
        f"/api/v1/questions/{question.id}/answer", json={"body": ANSWER[locale]}
    )
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert body["status"] == "published" and body["answered_at"] is not None
    assert [(a["by_shop"], a["body"], a["status"]) for a in body["answers"]] == [
        (True, ANSWER[locale], "published")
    ]

    # 6. The asker hears of it by email, in their language, with a link to the product.
    await worker.run_once()
    told = smtp.parsed()[-1]
    assert told["Subject"] == words["answered_subject"]
    text = told.get_body(("plain",)).get_content()
    assert ANSWER[locale] in text and "https://shop.example/kettle#question-" in text

    # 7. Published: in the reviews fragment (inside the Product), on the full page, and in
    # the questions fragment, with valid Question > Answer microdata.
    fragment = await client.get(f"/w/test-shop/products/KETTLE/reviews?locale={locale}")
    assert words["title"] in fragment.text and words["asked_by"] in fragment.text
    print(assert_markup_ok(fragment.text, "reviews", tmp_path))
    [product] = [i for i in microdata(fragment.text) if i["@type"] == "Product"]
    asked_item = product["subjectOf"]
    assert asked_item["@type"] == "Question"
    assert asked_item["name"] == QUESTION[locale] and asked_item["answerCount"] == "1"
    accepted = asked_item["acceptedAnswer"]
    assert accepted["text"] == ANSWER[locale]
    assert accepted["author"] == {"@type": "Organization", "name": "Boutique Test"}
    assert "AggregateRating" not in str(asked_item)  # no new rating: only the product's

    full = await client.get(f"/w/test-shop/products/KETTLE?locale={locale}")
    assert_valid_page(full.text, "product page")
    print(assert_markup_ok(full.text, "page", tmp_path))
    alone = await client.get(f"{ASK_URL}?locale={locale}")
    assert words["shop"] in alone.text
    print(assert_markup_ok(alone.text, "questions", tmp_path))
    [item] = microdata(alone.text)
    assert item["@type"] == "Question" and item["acceptedAnswer"]["text"] == ANSWER[locale]


async def test_only_answered_published_questions_show(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await catalogue(api)
    await ask(client, question="Question jamais confirmée : est-elle silencieuse ?")
    published = await confirmed_question(client, question="Publiée sans réponse : et le bruit ?")
    rejected = await confirmed_question(client, question="Refusée : achetez mes montres !")
    await api.post(f"/api/v1/questions/{published}/moderation", json={"action": "publish"})
    await api.post(
        f"/api/v1/questions/{rejected}/moderation", json={"action": "reject", "reason": "spam"}
    )
    html = (await client.get(ASK_URL)).text
    for row in await Question.all():  # unconfirmed, published without an answer, rejected
        assert row.body not in html
    assert "Aucune question n'a encore de réponse." in html
    assert '<details class="fs-ask" open>' in html  # nothing to read: the form is open
