"""How long does the /admin dashboard take to render on a mid-size shop? Seeds a database with
100,000 answers (a tenth with analysed comments and aspects), 20,000 orders of 10,000
customers, then times GET /admin through the whole app (session, queries, template) and
counts the SQL statements of one render.

    .venv/bin/python benchmarks/dashboard.py                   # PostgreSQL: seeds once, then times
    .venv/bin/python benchmarks/dashboard.py --engine sqlite   # the same on a SQLite file
    .venv/bin/python benchmarks/dashboard.py --reseed          # starts from empty tables
    .venv/bin/python benchmarks/dashboard.py --compare /work/wt/old --rounds 3

Uses its own database (`bench_dashboard`, or `--database NAME`) and the seeder of
benchmarks/metrics.py, scaled down; the test database is never touched. Columns and
--compare: see benchmarks/metrics.py.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import metrics as seeding  # benchmarks/metrics.py: the script's directory is on sys.path
from tortoise import connections

from feedback_service import db
from feedback_service.app import create_app
from feedback_service.db import close_db, init_db
from feedback_service.settings import Settings
from feedback_service.shops.models import StaffUser
from feedback_service.shops.services import create_user

DATABASE = "bench_dashboard"
RUNS = 10
NEW_ANSWERS = 1_000  # in the page that says so: answers of the last day not chained yet
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
    f"last 90 days, {NEW_ANSWERS:,} not chained": {"days": "90"},
}
ASPECTS = """
UPDATE response SET comment = 'seeded comment', sentiment_label = 'negative',
       sentiment_score = -0.5, aspects = :aspects
WHERE shop_id = :shop AND id % 10 = 0 AND comment IS NULL"""


async def add_comments(shop_id: int) -> None:
    """A tenth of the answers get a negative comment about delivery and price."""
    aspects = (
        '[{"name": "delivery", "label": "negative", "score": -0.6},'
        ' {"name": "price", "label": "positive", "score": 0.4}]'
    )
    await db.execute(ASPECTS, {"shop": shop_id, "aspects": aspects})
    if db.dialect() == "postgres":
        await db.execute("ANALYZE response")


async def logged_in(client: httpx.AsyncClient) -> None:
    form = await client.get("/admin/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf, "no login form"
    answer = await client.post(
        "/admin/login", data={"email": EMAIL, "password": PASSWORD, "csrf": csrf.group(1)}
    )
    assert answer.status_code == 303, answer.text


def count_queries() -> list[str]:
    """Every statement sent from now on is appended to the returned list (PostgreSQL: those
    sent through the asyncpg pool too, as db.fetch does outside a transaction)."""
    seen: list[str] = []
    client_class: Any = type(connections.get("default"))
    names = ("execute_query", "execute_query_dict")
    for owner, name in [(client_class, name) for name in names] + [
        (asyncpg.Pool, name) for name in ("fetch", "execute")
    ]:
        original = getattr(owner, name)

        def counting(
            self: Any, query: str, *args: Any, _original: Any = original, **options: Any
        ) -> Any:
            seen.append(query)
            return _original(self, query, *args, **options)

        setattr(owner, name, counting)
    return seen


async def run_pages(
    app: Any, settings: Settings, runs: int, server: str | None, shop: Any, now: Any
) -> tuple[dict[str, seeding.Timing], dict[str, int]]:
    """Each page's timing and the statements of one render."""
    timings, statements = {}, {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
        await logged_in(client)
        seen = count_queries()
        try:
            for title, params in PAGES.items():
                fresh = NEW_ANSWERS if "not chained" in title else 0

                async def page(params: dict[str, str] = params) -> None:
                    answer = await client.get("/admin", params=params)
                    assert answer.status_code == 200, answer.text

                async def setup(fresh: int = fresh) -> None:
                    await seeding.new_answers(shop, now, fresh)

                timings[title] = await seeding.timed(
                    page, runs, setup=setup if fresh else None, server=server
                )
                seen.clear()
                await page()
                statements[title] = len(seen)
        finally:
            await seeding.new_answers(shop, now, 0)
    return timings, statements


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    seeding.common_arguments(parser, DATABASE)
    args = parser.parse_args()
    for name, value in SCALE.items():
        setattr(seeding, name, value)
    seeding.scale(args.scale)
    url = seeding.database_url(args.engine, args.database)
    if not args.time_only:
        await seeding.create_database(args.engine, args.database)
        await seeding.prepare(url, reseed=args.reseed)
    await init_db(url)
    try:
        if args.time_only:
            shop, now = await seeding.seeded_shop()
        else:
            shop, now = await seeding.bench_shop(url)
            if not await StaffUser.filter(email=EMAIL).exists():
                await add_comments(shop.id)
                await create_user(shop, EMAIL, PASSWORD, role="admin")
        if args.compare:
            await close_db()
            arguments = seeding.passed_on(args)
            found = seeding.compare(Path(__file__), arguments, args.compare, args.rounds)
            title = f"GET /admin, {args.compare} (old) against this tree (new), {args.engine}"
            seeding.print_comparison(title, found)
            return
        settings = Settings(
            database_url=url,
            public_base_url="http://bench.test",
            secret_key="bench-secret",
            data_dir=Path(tempfile.mkdtemp()),
        )
        app = create_app(settings, manage_db=False)
        server = seeding.server_database(url)
        timings, statements = await run_pages(app, settings, args.runs, server, shop, now)
        seeding.write_json(args.json, timings)
        if not args.json:
            print(f"\nGET /admin, {args.runs} runs after one warm-up, ms per page")
            print(f"{'page':<42} {'wall':>8} {'CPU':>8} {'server':>8} {'queries':>8}")
            for title, timing in timings.items():
                print(
                    f"{title:<42} {timing.wall:>8.1f} {timing.cpu:>8.1f} {timing.server:>8.1f}"
                    f" {statements[title]:>8}",
                    flush=True,
                )
    finally:
        await close_db()


if __name__ == "__main__":
    asyncio.run(main())
