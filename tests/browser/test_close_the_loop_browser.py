"""The inbox by priority, the reply editor and the recovery panel in Chromium, in French and
English: screenshots in test-artifacts/ for a person to look at."""

from __future__ import annotations

from pathlib import Path

from loop_helpers import delivery_complaint, priority_shop, recovery_shop

from feedback_service.shops.services import create_user

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


async def test_priorities_reply_editor_and_recovery_panel(
    browser, live_server: str, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    shop, _ = shop_and_key
    await priority_shop(shop)
    complaint = await delivery_complaint(shop, "The parcel came two weeks late, box crushed.")
    await recovery_shop(shop)
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    ARTIFACTS.mkdir(exist_ok=True)
    for locale in ("fr", "en"):
        context = await browser.new_context(locale=locale, viewport={"width": 1100, "height": 900})
        page = await context.new_page()
        await page.goto(f"{live_server}/admin/login")
        await page.fill("input[name=email]", "boss@shop.fr")
        await page.fill("input[name=password]", "correct horse battery")
        await page.click("button[type=submit]")
        await page.goto(f"{live_server}/admin/inbox")
        first = page.locator("article").first
        await first.locator("p.facts").wait_for()
        await page.screenshot(path=str(ARTIFACTS / f"loop-inbox-{locale}.png"))

        card = page.locator(f"#alert-{complaint.id}")
        await card.locator("details.reply summary").click()
        await card.locator("select[name=gesture]").select_option("voucher")
        await card.locator("input[name=gesture_detail]").fill("SORRY10")
        await card.screenshot(path=str(ARTIFACTS / f"loop-reply-{locale}.png"))
        body = await card.locator("textarea[name=body]").input_value()
        assert body.startswith("Hello Ann,")  # the customer's language, whatever the agent's

        await page.goto(f"{live_server}/admin?days=90")
        panel = page.locator("#recovery")
        await panel.wait_for()
        await panel.screenshot(path=str(ARTIFACTS / f"loop-recovery-{locale}.png"))
        await context.close()
