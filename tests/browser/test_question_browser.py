"""A shopper asks a question on the full product page in Chromium, without JavaScript,
then confirms it from the emailed link."""

from __future__ import annotations

from pathlib import Path

import httpx
from axe_helpers import serious_violations
from question_helpers import catalogue, confirmation_link, confirmed_question

from feedback_service.questions.models import Question

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


async def test_asking_a_question_on_the_product_page(api: httpx.AsyncClient, page) -> None:  # type: ignore[no-untyped-def]
    await catalogue(api)
    answered = await confirmed_question(api, question="Est-ce qu'elle siffle quand l'eau bout ?")
    await api.post(f"/api/v1/questions/{answered}/answer", json={"body": "Non, elle s'arrête."})
    await page.goto(str(api.base_url.join("/w/test-shop/products/KETTLE")))
    block = page.locator("#fs-questions")
    await block.get_by_text("Non, elle s'arrête.").wait_for()
    assert await page.locator("script").count() == 0

    await block.get_by_text("Poser une question").click()  # <details>: no script needed
    assert await serious_violations(page) == []
    await block.get_by_label("Votre question sur ce produit").fill(
        "La poignée reste-t-elle froide ?"
    )
    await block.get_by_label("Votre nom (affiché avec la question)").fill("Léa")
    await block.get_by_label("Votre e-mail (jamais affiché)").fill("lea@example.fr")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # the phone's viewport: nothing runs off the side
    ARTIFACTS.mkdir(exist_ok=True)
    await block.screenshot(path=str(ARTIFACTS / "question-form-fr.png"))
    await block.get_by_role("button", name="Envoyer ma question").click()
    await page.get_by_role("heading", name="Consultez votre boîte de réception").wait_for()
    assert await serious_violations(page) == []
    asked = await Question.get(author_email="lea@example.fr")
    assert (asked.status, asked.author_name, asked.language) == ("unconfirmed", "Léa", "fr")

    await page.goto(await confirmation_link())
    assert await serious_violations(page) == []
    await page.get_by_role("button", name="Confirmer ma question").click()
    await page.get_by_role("heading", name="Votre question est confirmée. Merci\u202f!").wait_for()
    assert (await Question.get(id=asked.id)).status == "pending"
