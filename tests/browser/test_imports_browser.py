"""A shop owner in Chromium imports Shopify's order export: upload, preview, mapping, report."""

from __future__ import annotations

from pathlib import Path

import httpx
from review_helpers import PRODUCTS

from feedback_service.orders.models import Order
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "imports" / "shopify_orders_export.csv"


async def test_owner_previews_maps_and_imports(
    page, api: httpx.AsyncClient, shop_and_key: tuple[Shop, str], live_server: str
) -> None:  # type: ignore[no-untyped-def]
    for product in PRODUCTS:
        await api.post("/api/v1/products", json=product)
    await create_user(shop_and_key[0], "boss@shop.fr", "correct horse battery", role="admin")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.goto(f"{live_server}/admin/login")
    await page.get_by_label("E-mail").fill("boss@shop.fr")
    await page.get_by_label("Mot de passe").fill("correct horse battery")
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("navigation").get_by_role("link", name="Importer des commandes").click()

    await page.get_by_label("Shopify").check()
    await page.get_by_label("Fichier CSV").set_input_files(str(SAMPLE))
    await page.get_by_role("button", name="Aperçu").click()
    await page.get_by_role("heading", name="Vérifiez les colonnes").wait_for()
    assert await page.locator("#preview tbody tr").count() == 5
    assert await page.get_by_label("Numéro de commande").input_value() == "Name"
    assert await page.get_by_label("Date de livraison").input_value() == "Fulfilled at"
    await page.screenshot(path=str(ARTIFACTS / "import-preview-fr.png"), full_page=True)

    await page.get_by_label("Date de livraison").select_option("")  # not imported this time
    await page.get_by_role("button", name="Importer", exact=True).click()
    await page.get_by_role("heading", name="Import terminé").wait_for()
    assert await page.locator("#created").inner_text() == "2"
    assert "items.1.sku" in await page.locator("#errors").inner_text()
    await page.screenshot(path=str(ARTIFACTS / "import-report-fr.png"), full_page=True)
    assert await Order.filter(delivered_at__isnull=False).count() == 0
    assert await Order.filter(source="csv").count() == 2
