"""A shop admin in Chromium: log in, read the dashboard and its charts (light and dark, phone
and desktop), export the answers as CSV, revoke the API key and see the API refuse it."""

from __future__ import annotations

from pathlib import Path

import httpx
from dashboard_helpers import answer, known_shop

from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user
from feedback_service.surveys.models import Response

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


async def test_admin_reads_dashboard_exports_and_revokes_a_key(
    page, shop_and_key: tuple[Shop, str], live_server: str
) -> None:  # type: ignore[no-untyped-def]
    shop, key = shop_and_key
    await known_shop(shop)
    # Earlier weeks, so the 90-day trend has a line and a band to look at.
    for week in range(5, 13):
        for score in (10, 9, 8, 6, 10, week % 11):
            await answer(shop, "nps", score, days_ago=week * 7 + 1)
    await Response.filter(shop=shop, kind="nps", score=3).update(comment="=HYPERLINK(1)")
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    ARTIFACTS.mkdir(exist_ok=True)

    await page.goto(f"{live_server}/admin/login")
    await page.get_by_label("E-mail").fill("boss@shop.fr")
    await page.get_by_label("Mot de passe").fill("correct horse battery")
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("heading", name="Tableau de bord").wait_for()

    # The GET form, as a person uses it: last 30 days, every survey.
    await page.locator("select[name=days]").select_option("30")
    await page.get_by_role("button", name="Afficher").click()
    await page.wait_for_url("**/admin?days=30*")
    nps = page.locator("#nps")
    assert "+6,7" in await nps.inner_text()
    assert "76" in await page.locator("#response-rate").inner_text()
    trend = page.get_by_role("img", name="NPS par semaine")
    await trend.wait_for()
    box = await trend.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    assert await page.locator("svg.chart").count() == 4
    await page.screenshot(path=str(ARTIFACTS / "dashboard-phone-fr.png"), full_page=True)

    await page.locator("select[name=days]").select_option("90")
    await page.get_by_role("button", name="Afficher").click()
    await page.wait_for_url("**/admin?days=90*")
    # Colours come from the page's CSS: the band is drawn in the accent colour, see-through.
    band = page.locator("#trend-chart .band").first
    assert await band.evaluate("e => getComputedStyle(e).fillOpacity") == "0.18"

    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.screenshot(path=str(ARTIFACTS / "dashboard-fr.png"), full_page=True)
    light_text = await page.locator("#trend-chart text").first.evaluate(
        "e => getComputedStyle(e).fill"
    )
    await page.emulate_media(color_scheme="dark")
    dark_text = await page.locator("#trend-chart text").first.evaluate(
        "e => getComputedStyle(e).fill"
    )
    assert light_text != dark_text  # axis labels follow the colour scheme
    await page.screenshot(path=str(ARTIFACTS / "dashboard-dark-fr.png"), full_page=True)
    await page.emulate_media(media="print", color_scheme="light")
    assert not await page.locator("form.filters").is_visible()
    await page.emulate_media(media="screen")

    # CSV export of the answers, from /admin/surveys.
    await page.get_by_role("link", name="Enquêtes").click()
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="réponses CSV").click()
    download = await download_info.value
    csv_text = Path(await download.path()).read_text(encoding="utf-8")
    lines = csv_text.splitlines()
    assert len(lines) == 1 + await Response.filter(shop=shop).count()
    assert "c0@x.fr" in csv_text and "'=HYPERLINK(1)" in csv_text
    assert "\n=HYPERLINK" not in csv_text and ",=HYPERLINK" not in csv_text

    # Revoke the shop's key in the settings; the API refuses it from then on.
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=live_server, headers=headers) as api:
        assert (await api.get("/api/v1/metrics")).status_code == 200
        await page.get_by_role("link", name="Réglages").click()
        keys = page.locator("#create-key")
        await keys.get_by_role("button", name="Révoquer").first.click()
        await page.locator("#create-key").get_by_text("révoquée").wait_for()
        refused = await api.get("/api/v1/metrics")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"]
