"""How long does the /admin dashboard take to render on a mid-size shop? Seeds PostgreSQL with
100,000 answers (a tenth with analysed comments and aspects), 20,000 orders of 10,000
customers, then times GET /admin through the whole app (session, queries, template) and
counts the SQL statements of one render.

    .venv/bin/python benchmarks/dashboard.py             # seeds once, then times
    .venv/bin/python benchmarks/dashboard.py --reseed    # starts from empty tables

Uses its own database (`bench_dashboard`) and the seeder of benchmarks/metrics.py, scaled
down; the test database is never touched.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import metrics as seeding  # benchmarks/metrics.py: the script's directory is on sys.path
from tortoise import connections

from feedback_service.app import create_app
from feedback_service.db import close_db, init_db
from feedback_service.settings import Settings
from feedback_service.shops.models import StaffUser
from feedback_service.shops.services import create_user

DATABASE = "bench_dashboard"
RUNS = 10
EMAIL, PASSWORD = "bench@dashboard.test", "correct horse battery staple"
# Mid-size: a shop a few years old with steady survey traffic.
SCALE = {
    "ANSWERS": 100_000,
    "UNANSWERED_INVITATIONS": 30_000,
    "ORDERS": 20_000,
    "CUSTOMERS": 10_000,
    "PRODUCTS": 200,
}
PAGES = {
    "last 30 days, every survey": {"days": "30"},
    "last 90 days, every survey": {"days": "90"},
    "last 365 days, every survey (monthly)": {"days": "365"},
    "last 90 days, NPS only": {"days": "90", "survey": "nps"},
    "last 365 days, weekly": {"days": "365", "every": "week"},
}
ASPECTS = """
UPDATE response SET comment = 'seeded comment', sentiment_label = 'negative',
       sentiment_score = -0.5, aspects = CAST($2 AS jsonb)
WHERE shop_id = $1 AND id % 10 = 0 AND comment IS NULL"""


async def add_comments(url: str, shop_id: int) -> None:
    """A tenth of the answers get a negative comment about delivery and price."""
    conn = await asyncpg.connect(seeding.asyncpg_url(url))
    try:
        aspects = (
            '[{"name": "delivery", "label": "negative", "score": -0.6},'
            ' {"name": "price", "label": "positive", "score": 0.4}]'
        )
        await conn.execute(ASPECTS, shop_id, aspects)
        await conn.execute("ANALYZE response")
    finally:
        await conn.close()


async def logged_in(client: httpx.AsyncClient) -> None:
    form = await client.get("/admin/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf, "no login form"
    answer = await client.post(
        "/admin/login", data={"email": EMAIL, "password": PASSWORD, "csrf": csrf.group(1)}
    )
    assert answer.status_code == 303, answer.text


def count_queries() -> list[str]:
    """Every statement sent from now on is appended to the returned list."""
    seen: list[str] = []
    client_class: Any = type(connections.get("default"))
    for name in ("execute_query", "execute_query_dict"):
        original = getattr(client_class, name)

        def counting(self: Any, query: str, *args: Any, _original: Any = original) -> Any:
            seen.append(query)
            return _original(self, query, *args)

        setattr(client_class, name, counting)
    return seen


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseed", action="store_true", help="rebuild the schema, seed again")
    args = parser.parse_args()
    for name, value in SCALE.items():
        setattr(seeding, name, value)
    url = f"{seeding.SERVER}/{DATABASE}"
    await seeding.create_database(DATABASE)
    await seeding.prepare(url, reseed=args.reseed)
    await init_db(url)
    try:
        shop, _ = await seeding.bench_shop(url)
        if not await StaffUser.filter(email=EMAIL).exists():
            await add_comments(url, shop.id)
            await create_user(shop, EMAIL, PASSWORD, role="admin")
        settings = Settings(
            database_url=url,
            public_base_url="http://bench.test",
            secret_key="bench-secret",
            data_dir=Path(tempfile.mkdtemp()),
        )
        app = create_app(settings, manage_db=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
            await logged_in(client)
            seen = count_queries()
            print(f"\nGET /admin, {RUNS} runs after one warm-up, ms")
            print(f"{'page':<42} {'median':>8} {'min':>8} {'max':>8} {'queries':>8}")
            for title, params in PAGES.items():
                assert (await client.get("/admin", params=params)).status_code == 200
                runs = []
                for _ in range(RUNS):
                    started = time.perf_counter()
                    page = await client.get("/admin", params=params)
                    runs.append((time.perf_counter() - started) * 1000)
                    assert page.status_code == 200
                seen.clear()
                await client.get("/admin", params=params)
                print(
                    f"{title:<42} {statistics.median(runs):>8.1f} {min(runs):>8.1f} "
                    f"{max(runs):>8.1f} {len(seen):>8}",
                    flush=True,
                )
    finally:
        await close_db()


if __name__ == "__main__":
    asyncio.run(main())
