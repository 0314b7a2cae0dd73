"""A person in Chromium: one click from the email, one confirmed answer, then a comment."""

from __future__ import annotations

from pathlib import Path

import httpx
import lxml.html

from feedback_service.surveys.models import Click, Response

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


async def test_one_click_from_the_email_then_a_comment(api: httpx.AsyncClient, page) -> None:  # type: ignore[no-untyped-def]
    created = await api.post(
        "/api/v1/invitations",
        json={"survey": "nps", "customer": {"email": "zoe@example.fr", "locale": "fr-FR"}},
    )
    email_html = created.json()["email"]["html"]
    # The person opens the email and clicks "9": take the link from the email itself.
    links = {
        a.text_content().strip(): a.get("href") for a in lxml.html.fromstring(email_html).iter("a")
    }
    await page.goto(links["9"])
    await page.get_by_text("Votre réponse est enregistrée.").wait_for(timeout=10_000)

    responses = await Response.all()
    assert [(r.kind, r.score) for r in responses] == [("nps", 9)]
    assert [c.score for c in await Click.all()] == [9]  # one click, answered

    await page.get_by_label("Voulez-vous nous en dire plus ? (facultatif)").fill(
        "Très bon service, livraison rapide 👍"
    )
    await page.get_by_role("button", name="Envoyer mon commentaire").click()
    await page.get_by_text("Merci, votre commentaire a bien été envoyé.").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "survey-thanks-fr.png"), full_page=True)

    response = await Response.get()
    assert response.score == 9 and response.comment == "Très bon service, livraison rapide 👍"
    assert await Response.all().count() == 1


async def test_without_javascript_the_confirm_button_works(
    api: httpx.AsyncClient, browser, live_server
) -> None:  # type: ignore[no-untyped-def]
    created = await api.post(
        "/api/v1/invitations",
        json={"survey": "thermometer", "customer": {"email": "no-js@example.com", "locale": "en"}},
    )
    context = await browser.new_context(java_script_enabled=False, locale="en-GB")
    page = await context.new_page()
    try:
        await page.goto(created.json()["links"]["yellow"])
        assert await Response.all().count() == 0
        await page.get_by_role("button", name="Confirm my answer").click()
        await page.get_by_text("Your answer is recorded.").wait_for()
        assert [(r.kind, r.score) for r in await Response.all()] == [("thermometer", 2)]
    finally:
        await context.close()
