"""/admin/settings: segment thresholds and churn window, validated; bad input stores nothing."""

from __future__ import annotations

import httpx
from admin_helpers import csrf_of, log_in

from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user


async def settings_csrf(client: httpx.AsyncClient, shop: Shop) -> str:
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(client, "boss@shop.fr", "correct horse battery")
    return csrf_of((await client.get("/admin/settings")).text)


def form(csrf: str, occasional: str, regular: str, churn: str) -> dict[str, str]:
    return {
        "csrf": csrf,
        "segment_occasional_from": occasional,
        "segment_regular_from": regular,
        "churn_days": churn,
    }


async def test_segments_and_churn_are_saved_and_shown(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    csrf = await settings_csrf(client, shop)
    page = (await client.get("/admin/settings")).text
    assert 'name="segment_occasional_from"' in page and 'value="180"' in page
    saved = await client.post("/admin/settings/segments", data=form(csrf, "3", "1000", "3650"))
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/settings#segments"
    stored = await Shop.get(id=shop.id)
    assert (stored.segment_occasional_from, stored.segment_regular_from, stored.churn_days) == (
        3,
        1000,
        3650,
    )
    assert 'value="1000"' in (await client.get("/admin/settings")).text


BAD = [
    ("1", "4", "180", "Occasional customers from (orders)"),  # below 2
    ("4", "4", "180", "Regular customers need more orders"),  # not above occasional
    ("5", "3", "180", "Regular customers need more orders"),
    ("2", "1001", "180", "Regular customers from (orders)"),  # above 1000
    ("2", "4", "0", "Churned after"),  # below 1 day
    ("2", "4", "3651", "Churned after"),  # above 10 years
    ("2", "4", "", "Churned after"),
    ("2", "4", "²", "Churned after"),  # a digit to isdigit(), not to int()
    ("two", "4", "180", "Occasional customers from"),
]


async def test_bad_segments_show_an_error_and_store_nothing(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    csrf = await settings_csrf(client, shop)
    for occasional, regular, churn, error in BAD:
        refused = await client.post(
            "/admin/settings/segments",
            data=form(csrf, occasional, regular, churn),
            headers={"Accept-Language": "en"},
        )
        assert refused.status_code == 422 and error in refused.text, (occasional, regular, churn)
        stored = await Shop.get(id=shop.id)
        assert (stored.segment_occasional_from, stored.segment_regular_from, stored.churn_days) == (
            2,
            4,
            180,
        )
    french = await client.post(
        "/admin/settings/segments",
        data=form(csrf, "2", "4", "0"),
        headers={"Accept-Language": "fr"},
    )
    assert french.status_code == 422
    assert "Perdus après (jours sans commande)" in french.text and "1 à 3650" in french.text
