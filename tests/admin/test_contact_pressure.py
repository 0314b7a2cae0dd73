"""The shop's contact pressure at a glance, and its windows per segment in the settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import lxml.html
from admin_helpers import csrf_of, log_in

from feedback_service.orders.models import HeldInvitation
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user

GENERAL = {
    "name": "Boutique Test",
    "brand_color": "#112233",
    "locale": "fr",
    "throttle_days": "30",
    "sla_hours": "24",
    "review_delay_days": "7",
}


async def customer(api: httpx.AsyncClient, email: str, orders: int, choice: str | None) -> str:
    """A customer with `orders` orders, invited once, who made `choice` on the page."""
    product = {"sku": "MUG", "name": "Mug", "url": "https://shop.example/mug"}
    await api.post("/api/v1/products", json=product)
    for n in range(orders):
        order = {
            "id": f"{email}-{n}",
            "customer": {"email": email},
            "items": [{"sku": "MUG"}],
            "ordered_at": f"2026-01-0{n + 1}T10:00:00Z",
        }
        assert (await api.post("/api/v1/orders", json=order)).status_code == 201
    invited = await api.post(
        "/api/v1/invitations", json={"survey": "csat", "customer": {"email": email}}
    )
    url: str = invited.json()["unsubscribe_url"]
    if choice == "one-click":
        await api.post(url, content="List-Unsubscribe=One-Click")
    elif choice is not None:
        await api.post(url, data={"form": "preferences", "preference": choice})
    return url


def pressure(html: str) -> dict[str, dict[str, str]]:
    doc = lxml.html.fromstring(html)
    table: dict[str, dict[str, str]] = {}
    for row in doc.xpath("//section[@id='contact-pressure']//tr[@data-segment]"):
        cells = {
            td.get("data-choice"): td.text_content().strip() for td in row.xpath("td[@data-choice]")
        }
        cells["window"] = row.xpath("td")[0].text_content().strip()
        cells["held"] = row.xpath("td[@data-held]")[0].get("data-held")
        table[row.get("data-segment")] = cells
    return table


async def test_contact_pressure_per_segment(api: httpx.AsyncClient, shop_and_key) -> None:  # type: ignore[no-untyped-def]
    await customer(api, "a@x.fr", 0, None)
    await customer(api, "b@x.fr", 1, "3m")
    await customer(api, "c@x.fr", 1, "one-click")
    await customer(api, "d@x.fr", 2, "after_order")
    await customer(api, "e@x.fr", 3, "6m")
    await customer(api, "f@x.fr", 5, "1m")
    for email in ("a@x.fr", "c@x.fr", "d@x.fr", "d@x.fr"):  # all held back
        answer = await api.post(
            "/api/v1/invitations", json={"survey": "nps", "customer": {"email": email}}
        )
        assert answer.status_code == 200
    # A hold older than the 30 days shown does not count.
    first = await HeldInvitation.filter(customer__email="d@x.fr").order_by("id").first()
    assert first is not None
    await HeldInvitation.filter(id=first.id).update(
        created_at=datetime.now(UTC) - timedelta(days=31)
    )
    await create_user(shop_and_key[0], "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(api, "boss@shop.fr", "correct horse battery")
    page = await api.get("/admin/settings", headers={"Accept-Language": "fr"})
    assert page.status_code == 200 and "Pression de sollicitation" in page.text
    table = pressure(page.text)
    assert table["new"] == {
        "shop": "1", "1m": "0", "3m": "1", "6m": "0", "after_order": "0", "never": "1",
        "window": "30", "held": "2",
    }  # fmt: skip
    assert table["occasional"] == {
        "shop": "0", "1m": "0", "3m": "0", "6m": "1", "after_order": "1", "never": "0",
        "window": "30", "held": "1",
    }  # fmt: skip
    assert table["regular"] == {
        "shop": "0", "1m": "1", "3m": "0", "6m": "0", "after_order": "0", "never": "0",
        "window": "30", "held": "0",
    }  # fmt: skip
    new_row = lxml.html.fromstring(page.text).xpath("//tr[@data-segment='new']")[0]
    assert "délai 1 · choix 0 · désabonné 1" in new_row.text_content()


async def test_segment_windows_in_the_settings_form(
    client: httpx.AsyncClient, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    shop = shop_and_key[0]
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(client, "boss@shop.fr", "correct horse battery")
    csrf = csrf_of((await client.get("/admin/settings")).text)
    saved = await client.post(
        "/admin/settings/general",
        data={**GENERAL, "csrf": csrf, "throttle_days_regular": "90", "throttle_days_new": " "},
    )
    assert saved.status_code == 303
    shop = await Shop.get(id=shop.id)
    assert (shop.throttle_days_new, shop.throttle_days_occasional, shop.throttle_days_regular) == (
        None,
        None,
        90,
    )
    page = (await client.get("/admin/settings")).text
    doc = lxml.html.fromstring(page)
    assert doc.xpath("//input[@name='throttle_days_regular']/@value") == ["90"]
    assert doc.xpath("//input[@name='throttle_days_new']/@value") == [""]
    assert pressure(page)["regular"]["window"] == "90"
    assert pressure(page)["new"]["window"] == "30"
    for bad in ("0", "366", "abc", "-5", "12.5", "²"):
        refused = await client.post(
            "/admin/settings/general",
            data={**GENERAL, "csrf": csrf, "name": "Renamed", "throttle_days_occasional": bad},
        )
        assert refused.status_code == 422, bad
    shop = await Shop.get(id=shop.id)
    assert shop.name == "Boutique Test" and shop.throttle_days_occasional is None
    assert shop.throttle_days_regular == 90


async def test_a_number_too_long_to_read_is_refused_not_an_error(
    client: httpx.AsyncClient, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    # int() refuses strings of more than 4300 digits: such a field must be a 422, not a 500.
    await create_user(shop_and_key[0], "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(client, "boss@shop.fr", "correct horse battery")
    csrf = csrf_of((await client.get("/admin/settings")).text)
    for name in ("throttle_days", "throttle_days_occasional", "sla_hours"):
        refused = await client.post(
            "/admin/settings/general", data={**GENERAL, "csrf": csrf, name: "9" * 5000}
        )
        assert refused.status_code == 422, name
