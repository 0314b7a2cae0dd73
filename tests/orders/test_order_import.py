"""`feedback-service import-orders` on each platform's own export, and on hostile files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from subprocess import CompletedProcess

import httpx
from review_helpers import PRODUCTS

from feedback_service.orders.models import Customer, Order

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "imports"


async def _products(api: httpx.AsyncClient) -> None:
    for product in PRODUCTS:
        assert (await api.post("/api/v1/products", json=product)).status_code == 201


async def _items(external_id: str) -> list[tuple[str, int, Decimal | None]]:
    order = await Order.get(external_id=external_id).prefetch_related("items__product")
    return sorted((i.product.sku, i.quantity, i.unit_price) for i in order.items)


async def test_shopify_export(
    api: httpx.AsyncClient, run_cli: Callable[..., CompletedProcess[str]]
) -> None:
    await _products(api)
    path = SAMPLES / "shopify_orders_export.csv"
    first = run_cli("import-orders", "test-shop", str(path), "--preset", "shopify")
    assert first.returncode == 0, first.stderr + first.stdout
    assert "2 created, 0 updated, 1 rejected." in first.stdout
    # The gift card of #1003 has no sku: its own line is named, the order is not half-imported.
    assert "line 6: items.1.sku: String should have at least 1 character" in first.stdout
    assert await _items("#1001") == [("KETTLE", 2, Decimal("15.00")), ("MUG", 1, Decimal("12.00"))]
    order = await Order.get(external_id="#1001").prefetch_related("customer")
    assert order.source == "csv" and order.amount == 42.0
    assert order.ordered_at == datetime(2026, 11, 2, 8, 14, 25, tzinfo=UTC)
    assert order.delivered_at == datetime(2026, 11, 4, 15, 2, 11, tzinfo=UTC)  # Fulfilled at
    assert order.customer.email == "lea.martin@example.fr" and order.customer.name == "Léa Martin"
    assert (await Order.get(external_id="#1002")).delivered_at is None
    assert not await Order.filter(external_id="#1003").exists()
    again = run_cli("import-orders", "test-shop", str(path), "--preset", "shopify")
    assert "0 created, 2 updated, 1 rejected." in again.stdout
    assert await Order.all().count() == 2


async def test_woocommerce_export(
    api: httpx.AsyncClient, run_cli: Callable[..., CompletedProcess[str]]
) -> None:
    await _products(api)
    path = SAMPLES / "woocommerce_orders_export.csv"
    run = run_cli("import-orders", "test-shop", str(path), "--preset", "woocommerce")
    assert run.returncode == 0, run.stderr + run.stdout
    assert "1 created, 0 updated, 2 rejected." in run.stdout
    assert "line 4: customer.email:" in run.stdout  # paul@example
    assert "line 5: items.0.quantity:" in run.stdout  # "two"
    # item_subtotal is the line's total: the unit price is it divided by the quantity.
    assert await _items("4312") == [("KETTLE", 2, Decimal("15.00")), ("MUG", 1, Decimal("10.00"))]
    order = await Order.get(external_id="4312").prefetch_related("customer")
    # No offset in WooCommerce's dates: the shop's time (Europe/Paris, UTC+1 in November).
    assert order.ordered_at == datetime(2026, 11, 3, 13, 5, 9, tzinfo=UTC)
    # customer_id 0 is a guest: no external id.
    assert order.customer.email == "zoe.durand@example.fr" and order.customer.external_id is None
    assert order.customer.name == "Zoé Durand"


async def test_prestashop_export(
    api: httpx.AsyncClient, run_cli: Callable[..., CompletedProcess[str]]
) -> None:
    await _products(api)
    path = SAMPLES / "prestashop_sql_manager_export.csv"
    run = run_cli("import-orders", "test-shop", str(path), "--preset", "prestashop")
    assert run.returncode == 0, run.stderr + run.stdout
    assert "2 created, 0 updated, 0 rejected." in run.stdout
    assert await _items("XKBKNABJK") == [
        ("KETTLE", 1, Decimal("18.00")),
        ("MUG", 3, Decimal("9.60")),
    ]
    jean = await Customer.get(email="jean.dupont@example.fr")
    assert (jean.name, jean.external_id, jean.locale, jean.orders_count) == (
        "Jean Dupont",
        "2",
        "fr",
        1,
    )
    assert (await Customer.get(email="anna@example.de")).locale == "fr"  # de: the shop's own
    # PrestaShop's 0000-00-00 00:00:00 is "not delivered".
    assert (await Order.get(external_id="OHSATSERP")).delivered_at is None
    # The Orders page's own export has neither emails nor products: the error says what to use.
    page = SAMPLES / "prestashop_orders_page_export.csv"
    refused = run_cli("import-orders", "test-shop", str(page), "--preset", "prestashop")
    assert (
        refused.returncode == 2
        and "No column for: email (email), ordered_at (date_add), sku (product_reference)"
        in refused.stdout
    )
    assert await Order.all().count() == 2


async def test_hostile_and_odd_cells(
    api: httpx.AsyncClient, run_cli: Callable[..., CompletedProcess[str]], tmp_path: Path
) -> None:
    await _products(api)
    lines = [
        "id;email;name;ordered_at;sku;quantity;unit_price",
        'G-1;ana@example.com;"=HYPERLINK(""http://evil.example"",""x"")";02/11/2026;KETTLE;1;9,50',
        "G-2;bo@example.com;'=1+1;2026-11-02;MUG;1;",
        "G-3;cy@example.com;Cy\x00rus;2026-11-02;MUG;1;",
        "G-4;di@example.com;Di;2026-11-02;" + "X" * 5000 + ";1;",
        "G-5;ed@example.com;Ed;;MUG;1;",
        "G-6;fa@example.com;Élodie Noël;2026-11-31;MUG;1;",
        "G-1;ana@example.com;Ana;2026-11-02;MUG;1;",
        "",
        "G-7;gu@example.com;<script>alert(1)</script>;2026-11-03T10:00:00+02:00;MUG;2;1 234,50",
    ]
    path = tmp_path / "excel.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))  # Excel's "CSV (separator: ;)"
    run = run_cli("import-orders", "test-shop", str(path))
    assert run.returncode == 0, run.stderr + run.stdout
    assert "3 created, 0 updated, 5 rejected." in run.stdout
    for expected in (
        "line 4: customer.name: nul",
        "line 5: items.0.sku: String should have at most 100 characters",
        "line 6: ordered_at:",
        "line 7: ordered_at:",
        "line 8: rows of order G-1 are not together: sort by order",
    ):
        assert expected in run.stdout, run.stdout
    names = dict(await Customer.all().values_list("email", "name"))
    # Formulas are kept as text, never run (our exports neutralise them again).
    assert names["ana@example.com"] == '=HYPERLINK("http://evil.example","x")'
    assert names["bo@example.com"] == "=1+1"
    assert names["gu@example.com"] == "<script>alert(1)</script>"
    g1 = await Order.get(external_id="G-1")
    # A date alone is midnight in the shop's timezone; 02/11/2026 is the 2nd of November.
    assert g1.ordered_at == datetime(2026, 11, 1, 23, 0, tzinfo=UTC)
    assert await _items("G-1") == [("KETTLE", 1, Decimal("9.50"))]
    assert await _items("G-7") == [("MUG", 2, Decimal("1234.50"))]


async def test_import_errors_and_help(
    run_cli: Callable[..., CompletedProcess[str]], tmp_path: Path, db: str
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("id,email\n")
    assert run_cli("import-orders", "nope", str(path)).returncode == 2
    unknown = run_cli("import-orders", "nope", str(path), "--preset", "magento")
    assert unknown.returncode == 2 and "unknown preset" in unknown.stdout
    missing = run_cli("import-orders", "nope", str(tmp_path / "none.csv"))
    assert missing.returncode == 2 and "no such file" in missing.stdout
    help_text = run_cli("import-orders", "--help").stdout
    for column in ("Lineitem sku", "billing_email", "product_reference", "unit_price"):
        assert column in help_text
