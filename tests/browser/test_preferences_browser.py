"""A customer on a phone opens "how often" from the email and asks to hear less often."""

from __future__ import annotations

from pathlib import Path

import httpx
import lxml.html

from feedback_service.orders.models import Customer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


async def test_choose_every_three_months_on_a_phone(api: httpx.AsyncClient, page) -> None:  # type: ignore[no-untyped-def]
    created = await api.post(
        "/api/v1/invitations",
        json={"survey": "csat", "customer": {"email": "ines@example.fr", "locale": "fr"}},
    )
    email = lxml.html.fromstring(created.json()["email"]["html"])
    [link] = [a.get("href") for a in email.iter("a") if "fréquence" in a.text_content()]
    await page.goto(link)
    await page.get_by_text(
        "À quelle fréquence Boutique Test peut-il vous demander votre avis"
    ).wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "preferences-fr.png"), full_page=True)
    # Everything fits the phone's width: no sideways scrolling.
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await page.get_by_label("Au plus tous les 3 mois").check()
    await page.get_by_role("button", name="Enregistrer mon choix").click()
    await page.get_by_text("Votre choix est enregistré.").wait_for()
    await page.screenshot(path=str(ARTIFACTS / "preferences-saved-fr.png"), full_page=True)
    assert await page.get_by_label("Au plus tous les 3 mois").is_checked()
    customer = await Customer.get(email="ines@example.fr")
    assert customer.contact_preference == "3m" and customer.unsubscribed_at is None
