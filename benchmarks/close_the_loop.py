"""How long do the inbox by priority, GET /api/v1/alerts?order=priority and the recovery
figures take on a busy shop? Seeds 10,000 customers with 20,000 orders, 5,000 answers and
2,000 alerts of the last 90 days (half replied to), then times each through the whole app
and counts the SQL statements of one inbox page.

    .venv/bin/python benchmarks/close_the_loop.py                        # a new SQLite file
    .venv/bin/python benchmarks/close_the_loop.py postgres://postgres@127.0.0.1/bench_loop

A PostgreSQL database given here is emptied first.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from dashboard import count_queries  # benchmarks/dashboard.py

from feedback_service.alerts.models import Alert
from feedback_service.app import create_app
from feedback_service.db import close_db, init_db, migrate
from feedback_service.metrics.recovery import recovery
from feedback_service.metrics.services import shop_segments
from feedback_service.orders.models import Customer, Order
from feedback_service.settings import Settings
from feedback_service.shops.services import create_shop, create_user
from feedback_service.surveys.models import Invitation, Response

RUNS = 10
CUSTOMERS, ORDERS, ANSWERS, ALERTS = 10_000, 20_000, 5_000, 2_000
EMAIL, PASSWORD = "bench@loop.test", "correct horse battery staple"
NOW = datetime.now(UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


async def seed() -> tuple[Any, str]:
    shop, key = await create_shop("Bench", "bench", locale="fr")
    await create_user(shop, EMAIL, PASSWORD, role="admin")
    rng = random.Random(23)
    await Customer.bulk_create(
        [
            Customer(shop=shop, email=f"c{i}@bench.test", name=f"C {i}", locale="fr")
            for i in range(CUSTOMERS)
        ],
        batch_size=1000,
    )
    people = await Customer.filter(shop=shop).order_by("id")
    placed = [(rng.choice(people), rng.uniform(0, 700)) for _ in range(ORDERS)]
    await Order.bulk_create(
        [
            Order(shop=shop, customer=who, external_id=f"o{n}", ordered_at=ago(days), amount=30)
            for n, (who, days) in enumerate(placed)
        ],
        batch_size=1000,
    )
    totals: dict[int, list[float]] = {}
    for who, days in placed:
        totals.setdefault(who.id, []).append(days)
    for who in people:  # the totals orders.services keeps, written at once here
        days = totals.get(who.id, [])
        who.orders_count, who.sales = len(days), 30.0 * len(days)
        who.last_order_at = ago(min(days)) if days else None
    await Customer.bulk_update(people, ["orders_count", "sales", "last_order_at"], 1000)
    await Invitation.bulk_create(
        [Invitation(shop=shop, kind="nps", customer=rng.choice(people)) for _ in range(ANSWERS)],
        batch_size=1000,
    )
    invitations = await Invitation.filter(shop=shop).order_by("id")
    await Response.bulk_create(
        [
            Response(
                shop=shop,
                invitation=inv,
                customer_id=inv.customer_id,
                kind="nps",
                score=rng.randint(0, 10),
                dedupe_key=f"b{inv.id}",
                created_at=ago(rng.uniform(0, 90)),
            )
            for inv in invitations
        ],
        batch_size=1000,
    )
    answers = await Response.filter(shop=shop).order_by("id").limit(ALERTS)
    alerts = []
    for answer in answers:
        replied = rng.random() < 0.5
        alerts.append(
            Alert(
                shop=shop,
                customer_id=answer.customer_id,
                subject=f"response:{answer.id}",
                rule_tags=",nps_detractor,",
                aspect_tags=rng.choice(["", ",delivery,", ",price,quality,"]),
                opened_at=answer.created_at,
                first_replied_at=answer.created_at + timedelta(hours=rng.uniform(1, 48))
                if replied
                else None,
                status=rng.choice(["open", "acknowledged", "resolved"]),
            )
        )
    await Alert.bulk_create(alerts, batch_size=1000)
    return shop, key


async def timed(call: Any) -> tuple[float, float]:
    await call()
    runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await call()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs), max(runs)


async def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite://{tempfile.mkdtemp()}/loop.sqlite3"
    if url.startswith("postgres"):
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await conn.close()
    await migrate(url)
    await init_db(url)
    try:
        started = time.perf_counter()
        shop, key = await seed()
        print(f"seeded in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
        settings = Settings(
            database_url=url,
            public_base_url="http://bench.test",
            secret_key="bench-secret",
            data_dir=Path(tempfile.mkdtemp()),
        )
        app = create_app(settings, manage_db=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
            form = await client.get("/admin/login")
            csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
            await client.post(
                "/admin/login", data={"email": EMAIL, "password": PASSWORD, "csrf": csrf}
            )
            seen = count_queries()

            async def inbox() -> None:
                assert (await client.get("/admin/inbox")).status_code == 200

            async def api() -> None:
                answer = await client.get(
                    "/api/v1/alerts",
                    params={"order": "priority"},
                    headers={"Authorization": f"Bearer {key}"},
                )
                assert answer.status_code == 200

            async def figures() -> None:
                await recovery(
                    shop, ago(90), NOW, now=datetime.now(UTC), segments=shop_segments(shop)
                )

            print(f"{'':<44} {'median ms':>10} {'max ms':>8}")
            for title, call in (
                ("GET /admin/inbox (100 of 2,000 alerts)", inbox),
                ("GET /api/v1/alerts?order=priority (50)", api),
                ("recovery figures, 2,000 alerts of 90 days", figures),
            ):
                median, worst = await timed(call)
                print(f"{title:<44} {median:>10.1f} {worst:>8.1f}", flush=True)
            seen.clear()
            await inbox()
            print(f"SQL statements of one inbox page: {len(seen)}")
    finally:
        await close_db()


if __name__ == "__main__":
    asyncio.run(main())
