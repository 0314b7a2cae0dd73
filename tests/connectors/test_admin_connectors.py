"""/admin/connectors: admins create a connector (secret shown once), see the deliveries with
the error of a failed one, disable it; the review flow settings in /admin/settings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from admin_helpers import csrf_of, log_in
from connector_helpers import SHOPIFY_KEY, post_shopify, post_woo

from feedback_service.connectors.models import Connector
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user
from feedback_service.worker import Worker

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


async def admin(client: httpx.AsyncClient, shop: Shop) -> str:
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(client, "boss@shop.fr", "correct horse battery")
    return csrf_of((await client.get("/admin/connectors")).text)


async def test_admin_creates_watches_and_disables_a_connector(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str], settings: Settings
) -> None:
    csrf = await admin(client, shop_and_key[0])
    created = await client.post(
        "/admin/connectors/create",
        data={"csrf": csrf, "platform": "shopify", "secret": SHOPIFY_KEY},
    )
    assert created.status_code == 303
    page = (await client.get("/admin/connectors")).text
    url = re.search(r"<code>(http[^<]+/hooks/shopify/[^<]+)</code>", page).group(1)  # type: ignore[union-attr]
    assert SHOPIFY_KEY in page
    assert SHOPIFY_KEY not in (await client.get("/admin/connectors")).text  # shown once
    connector = {"endpoint_url": url}
    await post_shopify(client, connector, {"id": 5, "email": "x@example.com"}, "orders/create")
    await Worker(settings).run_once()
    page = (await client.get("/admin/connectors")).text
    assert "orders/create" in page and "Failed" in page
    # The error of the failed one says what was wrong with the order.
    assert "ordered_at: Input should be a valid datetime" in page

    forged = await client.post(
        "/admin/connectors/create", data={"csrf": "forged", "platform": "woocommerce"}
    )
    assert forged.status_code == 403
    bad = await client.post("/admin/connectors/create", data={"csrf": csrf, "platform": "x"})
    assert bad.status_code == 422
    assert await Connector.all().count() == 1

    [row] = await Connector.all()
    await client.post("/admin/connectors/disable", data={"csrf": csrf, "id": str(row.id)})
    assert (await Connector.get(id=row.id)).disabled_at is not None
    assert "Disabled" in (await client.get("/admin/connectors")).text
    body = json.dumps({"id": 6}).encode()
    assert (await client.post(url, content=body)).status_code == 404


async def test_agents_cannot_manage_connectors(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    await create_user(shop_and_key[0], "agent@shop.fr", "correct horse battery")
    await log_in(client, "agent@shop.fr", "correct horse battery")
    assert (await client.get("/admin/connectors")).status_code == 403
    csrf = csrf_of((await client.get("/admin/inbox")).text)
    refused = await client.post(
        "/admin/connectors/create", data={"csrf": csrf, "platform": "woocommerce"}
    )
    assert refused.status_code == 403 and await Connector.all().count() == 0


async def test_review_flow_settings_are_checked(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    csrf = await admin(client, shop)
    form = {
        "csrf": csrf,
        "name": "Boutique Test",
        "brand_color": "#112233",
        "locale": "fr",
        "throttle_days": "30",
        "sla_hours": "24",
        "review_delay_days": "7",
        "review_delay_after_fulfilled_days": "4",
        "review_reminders": "2",
        "review_reminder_days": "10",
    }
    assert (await client.post("/admin/settings/general", data=form)).status_code == 303
    shop = await Shop.get(id=shop.id)
    assert (
        shop.review_delay_after_fulfilled_days,
        shop.review_reminders,
        shop.review_reminder_days,
    ) == (4, 2, 10)
    for name, value in (("review_reminders", "3"), ("review_reminder_days", "0")):
        bad = await client.post("/admin/settings/general", data={**form, name: value})
        assert bad.status_code == 422
    assert (await Shop.get(id=shop.id)).review_reminders == 2
    page = (await client.get("/admin/settings")).text
    assert 'name="review_reminder_days" inputmode="numeric" value="10"' in page


async def test_connectors_page_in_chromium(
    page, shop_and_key: tuple[Shop, str], live_server: str, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    shop = shop_and_key[0]
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.goto(f"{live_server}/admin/login")
    await page.get_by_label("E-mail").fill("boss@shop.fr")
    await page.get_by_label("Mot de passe").fill("correct horse battery")
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("heading", name="Tableau de bord").wait_for()
    await page.get_by_role("link", name="Connecteurs").click()
    await page.get_by_role("heading", name="Connecteurs", exact=True).wait_for()
    await page.locator("select[name=platform]").select_option("woocommerce")
    await page.get_by_role("button", name="Connecter", exact=True).click()
    alert = page.get_by_role("alert")
    await alert.wait_for()
    text = await alert.inner_text()
    assert "/hooks/woocommerce/" in text and "Réglages > Avancé > Webhooks" in text
    secret = (await alert.locator("code").all_inner_texts())[1]
    url = (await alert.locator("code").all_inner_texts())[0]
    # WooCommerce saves the webhook: its ping, then a signed order that fails to map.
    async with httpx.AsyncClient() as http:
        assert (await http.post(url, content=b"webhook_id=3")).status_code == 200
        bad = {"id": 9, "billing": {"email": "a@example.com"}, "line_items": []}
        assert (
            await post_woo(http, {"endpoint_url": url, "secret": secret}, bad)
        ).status_code == 200
    await Worker(settings).run_once()
    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.reload()
    await page.get_by_role("heading", name="Dernières livraisons").wait_for()
    assert secret not in await page.content()
    await page.screenshot(path=str(ARTIFACTS / "connectors-fr.png"), full_page=True)
