"""A new shop's admin in Chromium: the dashboard's next steps, then a campaign to an uploaded
list, its preview (the email framed as the customer gets it, the held count) and sending."""

from __future__ import annotations

from pathlib import Path

from feedback_service.orders.models import Customer
from feedback_service.outbox.models import OutboxMessage
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user
from feedback_service.surveys.models import Campaign

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LIST = (
    "email;name;locale\n"
    "ann@x.fr;Ann Martin;fr\n"
    "bob@x.fr;Bob;en\n"
    "gone@x.fr;Gone;fr\n"
    "=cmd@x.fr;=cmd|' /C calc'!A0;fr\n"
    "nope;Nope;fr\n"
)


async def test_new_shop_sees_next_steps_and_previews_a_campaign(
    page, shop_and_key: tuple[Shop, str], live_server: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    shop, _ = shop_and_key
    await Customer.create(
        shop=shop, email="gone@x.fr", locale="fr", unsubscribed_at=shop.created_at
    )
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.set_viewport_size({"width": 1280, "height": 900})

    await page.goto(f"{live_server}/admin/login")
    await page.get_by_label("E-mail").fill("boss@shop.fr")
    await page.get_by_label("Mot de passe").fill("correct horse battery")
    await page.get_by_role("button", name="Se connecter").click()
    steps = page.locator("#next-steps")
    await steps.wait_for()
    assert "Vos prochaines étapes" in await steps.inner_text()
    assert await page.locator("#next-steps li[data-done=no]").count() == 3
    await page.screenshot(path=str(ARTIFACTS / "new-shop-dashboard-fr.png"), full_page=True)

    await page.get_by_role("link", name="Envoyer une campagne").click()
    await page.get_by_label("Une liste importée (CSV)").check()
    upload = tmp_path / "clients.csv"
    upload.write_text(LIST, encoding="utf-8")
    await page.locator("input[type=file]").set_input_files(str(upload))
    await page.get_by_role("button", name="Aperçu").click()
    await page.locator("#preview-counts").wait_for()
    assert await page.locator("[data-recipients]").get_attribute("data-recipients") == "3"
    assert await page.locator("[data-held]").get_attribute("data-held") == "1"
    assert await page.locator("#line-errors tr[data-line]").count() == 2
    frame = page.frame_locator("[data-preview-locale=fr] iframe")
    await frame.get_by_text("Bonjour Ann,").wait_for()
    assert await OutboxMessage.filter(kind="email").count() == 0
    # Tall enough for both framed emails: a full-page capture leaves frames below the fold blank.
    await page.set_viewport_size({"width": 1280, "height": 2300})
    await page.screenshot(path=str(ARTIFACTS / "campaign-preview-fr.png"))

    await page.get_by_role("button", name="Envoyer à 2 clients").click()
    await page.locator("#campaign-counts").wait_for()
    campaign = await Campaign.get(shop=shop)
    assert campaign.state == "sending"
    # While it is sent, the page refreshes itself to show the progress.
    assert await page.locator("meta[http-equiv=refresh]").count() == 1

    # The signature snippet and the receipt's QR code, as the admin sees them.
    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.get_by_role("link", name="Liens d'enquête").click()
    await page.get_by_label("Enquête").select_option("thermometer")
    await page.get_by_role("button", name="Créer le lien").click()
    await page.locator("#signature-preview a").first.wait_for()
    assert await page.locator("#signature-preview a").count() == 4
    qr = page.get_by_role("img", name="QR code de la page d'enquête")
    assert await qr.evaluate("img => img.complete && img.naturalWidth > 200")
    await page.screenshot(path=str(ARTIFACTS / "survey-links-fr.png"), full_page=True)
