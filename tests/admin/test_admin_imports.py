"""/admin/imports: upload an order export, preview it with an editable column mapping, import."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import lxml.html
from admin_helpers import csrf_of, log_in
from review_helpers import PRODUCTS

from feedback_service.orders.models import Order
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_shop, create_user

PASSWORD = "correct horse battery"
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "imports"


async def _admin(api: httpx.AsyncClient, shop: Shop) -> str:
    for product in PRODUCTS:
        await api.post("/api/v1/products", json=product)
    await create_user(shop, "boss@shop.fr", PASSWORD, role="admin")
    await log_in(api, "boss@shop.fr", PASSWORD)
    return csrf_of((await api.get("/admin/imports")).text)


async def _upload(
    client: httpx.AsyncClient, csrf: str, content: bytes, preset: str = "shopify"
) -> httpx.Response:
    return await client.post(
        "/admin/imports",
        data={"csrf": csrf, "preset": preset},
        files={"file": ("orders.csv", content, "text/csv")},
    )


def _selected(html: str) -> dict[str, str]:
    doc = lxml.html.fromstring(html)
    return {
        select.get("name")[4:]: (select.xpath("option[@selected]/@value") or [""])[0]
        for select in doc.xpath("//table[@id='mapping']//select")
    }


def _token(html: str) -> str:
    found = re.search(r'action="/admin/imports/([A-Za-z0-9_-]+)"', html)
    assert found, html
    return found[1]


async def test_upload_preview_map_and_import(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str], settings: Settings
) -> None:
    csrf = await _admin(api, shop_and_key[0])
    sample = (SAMPLES / "shopify_orders_export.csv").read_bytes()
    preview = await _upload(api, csrf, sample)
    assert preview.status_code == 200, preview.text
    doc = lxml.html.fromstring(preview.text)
    header = doc.xpath("//table[@id='preview']//th/text()")
    # The mapped columns first, each naming the field it feeds; then the others.
    assert header[:4] == ["Name", "Email", "Billing Name", "Created at"]
    assert "Financial Status" in header and len(header) == 79
    rows = doc.xpath("//table[@id='preview']/tbody/tr")
    assert len(rows) == 5 and rows[0].xpath("td/text()")[0] == "#1001"
    mapping = _selected(preview.text)
    assert mapping["id"] == "Name" and mapping["sku"] == "Lineitem sku"
    assert mapping["delivered_at"] == "Fulfilled at" and mapping["first_name"] == ""
    token = _token(preview.text)
    assert list((settings.data_dir / "imports" / str(shop_and_key[0].id)).glob("*.csv"))

    # The owner edits the mapping: Shopify's numeric Id as the order number, no delivery date.
    mapping.update(id="Id", delivered_at="")
    form = {"csrf": csrf, "preset": "shopify", **{f"map_{k}": v for k, v in mapping.items()}}
    report = await api.post(f"/admin/imports/{token}", data=form)
    assert report.status_code == 200, report.text
    page = lxml.html.fromstring(report.text)
    assert page.xpath("string(//*[@id='created'])") == "2"
    assert page.xpath("string(//*[@id='rejected'])") == "1"
    assert "items.1.sku" in page.xpath("string(//table[@id='errors'])")
    orders = await Order.all().order_by("external_id")
    assert [(o.external_id, o.source, o.delivered_at) for o in orders] == [
        ("5719183704236", "csv", None),
        ("5719183704237", "csv", None),
    ]
    # The upload is gone once imported: the same token is now unknown.
    assert (await api.post(f"/admin/imports/{token}", data=form)).status_code == 404


async def test_refusals_change_nothing(
    client: httpx.AsyncClient, api: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    assert (await client.get("/admin/imports")).status_code == 303  # not logged in
    await create_user(shop, "agent@shop.fr", PASSWORD)
    await log_in(client, "agent@shop.fr", PASSWORD)
    assert (await client.get("/admin/imports")).status_code == 403
    csrf = csrf_of((await client.get("/admin/inbox")).text)
    sample = (SAMPLES / "shopify_orders_export.csv").read_bytes()
    assert (await _upload(client, csrf, sample)).status_code == 403  # an agent
    await client.post("/admin/logout", data={"csrf": csrf})

    csrf = await _admin(api, shop)
    assert (await _upload(api, "forged", sample)).status_code == 403
    no_file = await api.post("/admin/imports", data={"csrf": csrf, "preset": "shopify"})
    assert no_file.status_code == 422
    bad_preset = await _upload(api, csrf, sample, preset="magento")
    assert bad_preset.status_code == 422
    empty = await _upload(api, csrf, b"")
    assert empty.status_code == 422 and "empty" in empty.text
    preview = await _upload(api, csrf, sample)
    token = _token(preview.text)
    # Without an order number column the preview comes back with the error, nothing stored.
    form = {"csrf": csrf, "preset": "shopify", "map_email": "Email", "map_sku": "Lineitem sku"}
    missing = await api.post(f"/admin/imports/{token}", data=form)
    assert missing.status_code == 422 and "Order number" in missing.text
    # A column the file does not have (a forged form) is refused the same way.
    forged = {**form, "map_id": "../../etc/passwd", "map_ordered_at": "Created at"}
    assert (await api.post(f"/admin/imports/{token}", data=forged)).status_code == 422
    for bad in ("../../secret_key", "x" * 22, token[:-1]):
        answer = await api.post(f"/admin/imports/{bad}", data=form)
        assert answer.status_code == 404, bad
    # Another shop's admin cannot use this upload.
    other, _ = await create_shop("Other", "other")
    await create_user(other, "other@shop.fr", PASSWORD, role="admin")
    await log_in(api, "other@shop.fr", PASSWORD)
    other_csrf = csrf_of((await api.get("/admin/imports")).text)
    full = {**form, "csrf": other_csrf, "map_id": "Name", "map_ordered_at": "Created at"}
    assert (await api.post(f"/admin/imports/{token}", data=full)).status_code == 404
    assert await Order.all().count() == 0


async def test_hostile_cells_are_shown_as_text_in_french(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    csrf = await _admin(api, shop_and_key[0])
    content = (
        "id;email;name;ordered_at;sku\n"
        "G-1;ana@example.com;<img src=x onerror=alert(1)>;02/11/2026;KETTLE\n"
        'G-2;bo@example.com;"=HYPERLINK(""http://evil.example"")";2026-11-02;MUG\n'
    ).encode("cp1252")
    preview = await api.post(
        "/admin/imports",
        data={"csrf": csrf, "preset": "generic"},
        files={"file": ("commandes.csv", content, "text/csv")},
        headers={"Accept-Language": "fr-FR"},
    )
    assert preview.status_code == 200
    assert "<img src=x" not in preview.text and "&lt;img src=x onerror=alert(1)&gt;" in preview.text
    assert "Vérifiez les colonnes" in preview.text and "Numéro de commande" in preview.text
    assert _selected(preview.text)["email"] == "email"
    form = {"csrf": csrf, "preset": "generic"}
    form.update({f"map_{k}": v for k, v in _selected(preview.text).items()})
    report = await api.post(
        f"/admin/imports/{_token(preview.text)}", data=form, headers={"Accept-Language": "fr"}
    )
    assert "commandes créées" in report.text
    assert await Order.all().count() == 2
