"""Closing the loop: unhappy customers first by value, replies from templates, the
"did we make it right?" follow-up, and the recovery figures."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from admin_helpers import log_in
from dashboard_helpers import NOW, answer, orders
from tortoise import connections

from feedback_service.alerts.models import Alert
from feedback_service.orders.models import Customer, Product
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user

FR = {"Accept-Language": "fr"}
EN = {"Accept-Language": "en"}


async def agent_of(client: httpx.AsyncClient, shop: Shop) -> None:
    await create_user(shop, "agent@shop.fr", "correct horse battery", role="agent")
    await log_in(client, "agent@shop.fr", "correct horse battery")


async def unhappy(
    shop: Shop,
    who: Customer | None,
    hours_ago: float,
    *,
    comment: str = "Colis arrivé en retard.",
    aspects: list[tuple[str, str]] | None = None,
    kind: str = "nps",
    score: int = 2,
) -> Alert:
    """An answer that opened an alert `hours_ago`, as the worker's check leaves it."""
    response = await answer(
        shop, kind, score, who=who, days_ago=hours_ago / 24, aspects=aspects or []
    )
    response.comment = comment
    await response.save()
    return await Alert.create(
        shop=shop,
        customer=who,
        subject=f"response:{response.id}",
        rule_tags=",nps_detractor,",
        aspect_tags="".join(f",{name}" for name, _ in aspects or []) + ("," if aspects else ""),
        language="fr",
        opened_at=NOW - timedelta(hours=hours_ago),
    )


async def priority_shop(shop: Shop) -> dict[str, Alert]:
    """Limit 24 h (the default). Regular from 4 orders (the default). Spending so far:
    reg 4 × 10 = 40, occ 2 × 10 = 20, big 1 × 500 = 500, late 1 × 5 = 5: the top fifth of
    4 paying customers is the first one, big (500)."""
    item = await Product.create(shop=shop, sku="tee", name="Tee", url="https://shop.test/tee")
    people = {}
    for name, days, price in (
        ("reg", [5, 50, 90, 120], "10.00"),
        ("occ", [30, 60], "10.00"),
        ("big", [20], "500.00"),
        ("late", [200], "5.00"),
    ):
        people[name] = await Customer.create(shop=shop, email=f"{name}@x.fr", name=name.title())
        await orders(shop, people[name], item, days, price)
    return {
        "occ": await unhappy(shop, people["occ"], 5),  # older, within the limit
        "reg": await unhappy(shop, people["reg"], 1),  # newer, regular
        "big": await unhappy(shop, people["big"], 2),  # high spending
        "late": await unhappy(shop, people["late"], 30),  # past the limit
        "anon": await unhappy(shop, None, 3),
    }


def article_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="card" id="alert-(\d+)"', html)]


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    seen: list[str] = []
    client_class = type(connections.get("default"))
    for name in ("execute_query", "execute_query_dict"):
        original = getattr(client_class, name)

        def counting(self: Any, query: str, *args: Any, _original: Any = original) -> Any:
            seen.append(query)
            return _original(self, query, *args)

        monkeypatch.setattr(client_class, name, counting)
    yield seen


async def test_inbox_puts_late_then_valuable_then_oldest_first(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str], queries: list[str]
) -> None:
    shop = shop_and_key[0]
    alerts = await priority_shop(shop)
    expected = [alerts[k].id for k in ("late", "big", "reg", "occ", "anon")]
    # The regular customer's newer alert comes before the occasional customer's older one.
    listed = await api.get("/api/v1/alerts", params={"order": "priority"})
    items = listed.json()["items"]
    assert [i["id"] for i in items] == expected
    reg = items[2]["customer"]
    assert reg["segment"] == "regular" and reg["orders_count"] == 4 and reg["clv"] == 40.0
    assert reg["valuable"] and reg["last_order_at"].startswith(
        str((NOW - timedelta(days=5)).date())
    )
    assert items[0]["customer"]["valuable"] is False and items[4]["customer"]["segment"] == "none"
    newest = await api.get("/api/v1/alerts")
    assert [i["id"] for i in newest.json()["items"]] == sorted(expected, reverse=True)
    bad = await api.get("/api/v1/alerts", params={"order": "value"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"] == {"order": "newest, priority"}

    del api.headers["Authorization"]
    await agent_of(api, shop)
    queries.clear()
    french = (await api.get("/admin/inbox", headers=FR)).text
    few = len(queries)
    assert article_ids(french) == expected
    row = french[french.index(f'id="alert-{alerts["reg"].id}"') :]
    row = row[: row.index("</article>")]
    assert "Client régulier" in row and "4 commandes" in row and "dépensé 40.00" in row
    assert "Client prioritaire" in row and "Réponses précédentes" in row
    english = (await api.get("/admin/inbox", headers=EN)).text
    assert "Regular customer" in english and "Priority customer" in english

    # Twenty more customers with alerts: the same number of queries (no query per row).
    item = await Product.get(shop=shop)
    for i in range(20):
        who = await Customer.create(shop=shop, email=f"more{i}@x.fr")
        await orders(shop, who, item, [3, 9], "12.00")
        await unhappy(shop, who, 4)
    queries.clear()
    assert len(article_ids((await api.get("/admin/inbox", headers=FR)).text)) == 25
    assert len(queries) == few, queries
