"""Each customer's latest answer as answers come, go and arrive out of order: what the
metrics count (surveys.chain keeps it in the rows; the metrics read the rows it has not
chained yet as they are), through the API as a shop reads it."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import httpx
from dashboard_helpers import NOW, answer, orders

from feedback_service.metrics import services
from feedback_service.metrics.values import Period
from feedback_service.orders.models import Customer, Product
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.surveys import chain
from feedback_service.surveys.models import Response
from feedback_service.worker import Worker

WEEK = Period(NOW - timedelta(days=7), NOW)
WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


async def nps_seen_by_the_shop(api: httpx.AsyncClient) -> tuple[int, dict[str, int], dict]:
    """(answers counted, promoters/passives/detractors, customers with orders by NPS group)."""
    reply = await api.get("/api/v1/metrics", params={"survey": "nps"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    groups = {name: body["nps"][name] for name in ("promoters", "passives", "detractors")}
    loyalty = {
        name: totals["customers"]
        for name, totals in body["loyalty"]["by_nps_group"].items()
        if totals["customers"]
    }
    return body["n"], groups, loyalty


async def test_a_new_answer_takes_over_and_an_undone_one_gives_the_old_one_back(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop, _ = shop_and_key
    invited = await api.post(
        "/api/v1/invitations", json={"survey": "nps", "customer": {"email": "ann@x.fr"}}
    )
    assert invited.status_code == 201, invited.text
    links: dict[str, Any] = invited.json()["links"]
    ann = await Customer.get(shop=shop, email="ann@x.fr")
    bag = await Product.create(shop=shop, sku="BAG", name="Bag", url="https://shop.test/bag")
    await orders(shop, ann, bag, [40, 10], "30.00")
    await answer(shop, "nps", 2, who=ann, days_ago=6)  # an answer to an earlier survey

    assert await nps_seen_by_the_shop(api) == (
        1,
        {"promoters": 0, "passives": 0, "detractors": 1},
        {"detractor": 1},
    )

    # Ann clicks 10 in the new email: her latest answer, the only one of hers that counts.
    assert (await api.get(links["10"])).status_code == 200
    confirmed = await api.post(links["10"], headers={"Accept": "application/json"})
    assert confirmed.json() == {"status": "confirmed"}
    assert await nps_seen_by_the_shop(api) == (
        1,
        {"promoters": 1, "passives": 0, "detractors": 0},
        {"promoter": 1},
    )

    # A mail scanner opens two more scores within seconds: the burst undoes the 10, and her
    # earlier answer is her latest again.
    for score in ("8", "9"):
        assert (await api.get(links[score])).status_code == 200
    scanner = await api.post(links["9"], headers={"Accept": "application/json"})
    assert scanner.json() == {"status": "scanner"}
    assert await Response.filter(customer=ann).count() == 1
    assert await nps_seen_by_the_shop(api) == (
        1,
        {"promoters": 0, "passives": 0, "detractors": 1},
        {"detractor": 1},
    )


async def test_answers_stored_out_of_order_and_read_side_by_side(
    shop_and_key: tuple[Shop, str],
) -> None:
    shop, _ = shop_and_key
    bag = await Product.create(shop=shop, sku="BAG", name="Bag", url="https://shop.test/bag")
    people = [await Customer.create(shop=shop, email=f"c{n}@x.fr") for n in range(12)]
    for who in people:
        await orders(shop, who, bag, [30], "10.00")

    async def counted() -> tuple[tuple[int, int, int], dict[str, int]]:
        # Several reads at once, none of them waiting for the worker.
        counted, _, loyalty = await asyncio.gather(
            services.answers(shop, WEEK, survey="nps"),
            services.trend_points(shop, "nps", WEEK.start, WEEK.end),
            services.loyalty_kpis(shop, as_of=NOW),
        )
        nps = counted.nps()
        groups = {name: t.customers for name, t in loyalty.by_nps_group.items() if t.customers}
        return (nps.promoters, nps.passives, nps.detractors), groups

    # Everyone's answer of three days ago, then (stored later) older ones that must not count.
    for who in people:
        await answer(shop, "nps", 10, who=who, days_ago=3)
    assert await counted() == ((12, 0, 0), {"promoter": 12})
    for who in people:
        await answer(shop, "nps", 0, who=who, days_ago=5)
    assert await counted() == ((12, 0, 0), {"promoter": 12})
    # Newer ones replace them; a thermometer answer is another kind and replaces nothing.
    for who in people[:4]:
        await answer(shop, "nps", 8, who=who, days_ago=1)
        await answer(shop, "thermometer", 1, who=who, days_ago=0.5)
    assert await counted() == ((8, 4, 0), {"promoter": 8, "passive": 4})
    # As of two days ago, the newer answers had not come yet.
    earlier = await services.loyalty_kpis(shop, as_of=NOW - timedelta(days=2))
    assert earlier.by_nps_group["promoter"].customers == 12
    every = (await services.answers(shop, WEEK, survey="nps", latest_only=False)).nps()
    assert (every.promoters, every.passives, every.detractors) == (12, 4, 12)


async def test_an_idle_worker_chains_new_answers(
    shop_and_key: tuple[Shop, str], settings: Settings
) -> None:
    shop, _ = shop_and_key
    ann = await Customer.create(shop=shop, email="ann@x.fr")
    first = await answer(shop, "nps", 3, who=ann, days_ago=2)
    second = await answer(shop, "nps", 9, who=ann, days_ago=1)
    worker = Worker(settings)
    running = asyncio.create_task(worker.run())
    try:
        for _ in range(100):
            if not await Response.filter(chained=False).exists():
                break
            await asyncio.sleep(0.05)
    finally:
        worker.stopping.set()
        await running
    await first.refresh_from_db()
    await ann.refresh_from_db()
    assert first.chained and first.superseded_at == second.created_at
    assert (ann.nps_score, ann.nps_at) == (9, second.created_at)


async def test_the_metrics_are_right_before_the_worker_runs_and_reading_them_writes_nothing(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str], queries: list[str]
) -> None:
    shop, _ = shop_and_key
    bag = await Product.create(shop=shop, sku="BAG", name="Bag", url="https://shop.test/bag")
    ann = await Customer.create(shop=shop, email="ann@x.fr")
    bob = await Customer.create(shop=shop, email="bob@x.fr")
    for who in (ann, bob):
        await orders(shop, who, bag, [30], "10.00")
    # Bob answered before the worker last ran; the rest came since (stored unchained).
    await answer(shop, "nps", 10, who=bob, days_ago=6)
    await chain.chain_answers()
    await answer(shop, "nps", 3, who=ann, days_ago=4)
    await answer(shop, "nps", 9, who=ann, days_ago=2)  # Ann's latest
    await answer(shop, "nps", 0, who=bob, days_ago=1)  # Bob's latest
    await answer(shop, "nps", 8, days_ago=3)  # anonymous

    async def stored() -> tuple[list, list]:
        answers = Response.filter(shop=shop).order_by("id")
        customers = Customer.filter(shop=shop).order_by("id")
        return (
            await answers.values_list("id", "score", "chained", "superseded_at"),
            await customers.values_list("id", "nps_score", "nps_at"),
        )

    before = await stored()
    queries.clear()
    assert await nps_seen_by_the_shop(api) == (
        3,
        {"promoters": 1, "passives": 1, "detractors": 1},
        {"promoter": 1, "detractor": 1},
    )
    await services.trend_points(shop, "nps", WEEK.start, WEEK.end)
    assert queries, "no statement recorded"
    assert [sql for sql in queries if WRITES.search(sql)] == []
    assert await stored() == before
    assert await Response.filter(shop=shop, chained=False).count() == 4
