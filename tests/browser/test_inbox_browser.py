"""An agent in Chromium: log in, open the inbox, assign the alert, resolve it."""

from __future__ import annotations

from pathlib import Path

import httpx

from feedback_service.alerts.models import Alert
from feedback_service.settings import Settings
from feedback_service.shops.services import create_user
from feedback_service.worker import Worker

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


async def test_agent_assigns_and_resolves(
    api: httpx.AsyncClient, page, shop_and_key, settings: Settings, live_server: str
) -> None:  # type: ignore[no-untyped-def]
    shop, _ = shop_and_key
    await create_user(shop, "agent@shop.fr", "correct horse battery", role="agent")
    created = await api.post(
        "/api/v1/invitations",
        json={
            "survey": "nps",
            "customer": {"email": "jean@x.fr", "name": "Jean Dupont", "locale": "fr"},
        },
    )
    inv = created.json()
    await api.get(inv["links"]["2"])
    await api.post(
        f"/s/{inv['token']}/comment",
        data={"comment": "Colis jamais arrivé, très déçu.", "score": "2"},
    )
    await Worker(settings).run_once()  # the comment's alert check
    assert await Alert.all().count() == 1

    await page.goto(f"{live_server}/admin/login")
    await page.get_by_label("E-mail").fill("agent@shop.fr")
    await page.get_by_label("Mot de passe").fill("correct horse battery")
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("link", name="Boîte de réception").click()
    card = page.locator("article", has_text="Jean Dupont")
    await card.locator("p.comment", has_text="Colis jamais arrivé, très déçu.").wait_for()
    await card.get_by_label("Responsable").select_option("agent@shop.fr")
    await card.get_by_role("button", name="Attribuer").click()
    card = page.locator("article", has_text="Jean Dupont")
    await card.get_by_text("attribué à agent@shop.fr").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "inbox-fr.png"), full_page=True)
    await card.get_by_label("Note de résolution").fill("Remboursé, client rappelé.")
    await card.get_by_role("button", name="Résoudre").click()
    await page.get_by_text("Rien à traiter. Bravo").wait_for()

    alert = await Alert.get().select_related("assignee")
    assert alert.status == "resolved" and alert.note == "Remboursé, client rappelé."
    assert alert.assignee is not None and alert.assignee.email == "agent@shop.fr"
