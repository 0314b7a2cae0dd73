"""How fast are the metrics on a big shop? Seeds a database with 1,000,000 confirmed answers
and 200,000 orders (with items) in one shop, then times each read the API and the dashboard
make of them, with the answers all chained (what the worker leaves) and with the answers of
the last day not chained yet (the worker has not run since).

    .venv/bin/python benchmarks/metrics.py                    # PostgreSQL: seeds once, then times
    .venv/bin/python benchmarks/metrics.py --engine sqlite    # the same on a SQLite file
    .venv/bin/python benchmarks/metrics.py --reseed           # starts from empty tables
    .venv/bin/python benchmarks/metrics.py --try-indexes      # also times with extra indexes
    .venv/bin/python benchmarks/metrics.py --compare /work/wt/old --rounds 3
        # the code of another tree against this one's, in turns, on the same database

Uses its own database (`bench`, or `--database NAME`: created if missing; SQLite: the file
NAME.sqlite3 in the temporary directory) so the test database is never touched.

Columns: wall = elapsed time per call (the median of the runs); CPU = CPU time per call,
this process's (on SQLite the database's work too, in aiosqlite's thread) plus, on
PostgreSQL, the server processes' of this database's sessions (/proc/PID/schedstat): on a
machine busy with other work, wall time moves with it, CPU time much less.
--compare runs this script with `--time-only` in a process per tree (PYTHONPATH), the
trees in turns (old, new; then new, old; ...), and shows the median of each over the rounds.
The goal is under 200 ms per call.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
from tortoise import connections
from tortoise.exceptions import BaseORMException
from tortoise.models import Model

from feedback_service import db
from feedback_service.db import close_db, init_db, migrate
from feedback_service.metrics import services
from feedback_service.orders.models import Customer, Order, OrderItem, Product
from feedback_service.orders.services import refresh_order_totals
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_shop
from feedback_service.surveys import chain
from feedback_service.surveys.models import Invitation, Response

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "bench"
SLUG = "bench-shop"
ANSWERS = 1_000_000
ANONYMOUS_SHARE = 0.05  # answers through reusable links
UNANSWERED_INVITATIONS = 300_000
ORDERS = 200_000
CUSTOMERS = 100_000
PRODUCTS = 500
CATEGORIES = 20
HISTORY = timedelta(days=3 * 365)
CHUNK = 100_000
RUNS = 5
GOAL_MS = 200.0
TIMEOUT = "20s"
ROUNDS = 3
# Answers of the last day not chained yet, in the calls that say so (--new-answers).
NEW_ANSWERS = 1_000

# Indexes to try; --try-indexes adds them for one run, then drops them. Those that paid
# are in the migrations now (0003: latest answer per customer, items of an order, orders of
# a time window); this one saved nothing measurable on top of them.
SUGGESTED_INDEXES = {
    # Answers of a period without visiting the table (index-only scans).
    "response_period_cover": (
        "CREATE INDEX {name} ON response (shop_id, kind, created_at) INCLUDE (customer_id, score)"
    ),
}

NPS_WEIGHTS = [3, 1, 1, 2, 2, 4, 5, 9, 18, 25, 30]  # scores 0..10
THERMOMETER_WEIGHTS = [10, 15, 35, 40]  # red, yellow, green, gold
CSAT_WEIGHTS = [7, 8, 15, 30, 40]  # 1..5
KINDS = [("nps", 0.5), ("thermometer", 0.3), ("csat", 0.2)]


def asyncpg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def database_url(engine: str, database: str) -> str:
    if engine == "sqlite":
        return f"sqlite://{Path(tempfile.gettempdir()) / database}.sqlite3"
    return f"{SERVER}/{database}"


async def create_database(engine: str, database: str) -> None:
    if database == "test":
        raise SystemExit("the database named test belongs to the test suite: pick another")
    if engine == "sqlite":
        return  # the file comes with the first connection
    conn = await asyncpg.connect(asyncpg_url(f"{SERVER}/postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{database}"')
        # A call far over the goal is reported as such instead of holding the run up.
        await conn.execute(f"ALTER DATABASE \"{database}\" SET statement_timeout = '{TIMEOUT}'")
    finally:
        await conn.close()


# --- Seeding -----------------------------------------------------------------------------


def chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def model_defaults(model: type[Model], given: list[str]) -> dict[str, Any]:
    """Values for the NOT NULL columns the seed leaves out: Tortoise fills them from the
    model's Python defaults, so the table has no default of its own for COPY to use."""
    defaults = {}
    for name, column in model._meta.fields_db_projection.items():
        field = model._meta.fields_map[name]
        if column in given or field.null or field.pk or field.default is None:
            continue
        value = field.default() if callable(field.default) else field.default
        defaults[column] = field.to_db_value(value, model)
    return defaults


class Loader:
    """Rows into a table as fast as the engine takes them: COPY on PostgreSQL (its own
    connection, without the database's statement timeout), a transaction of inserts per
    chunk on SQLite."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn: asyncpg.Connection | None = None

    async def __aenter__(self) -> Loader:
        if db.dialect() == "postgres":
            self.conn = await asyncpg.connect(asyncpg_url(self.url))
            await self.conn.execute("SET statement_timeout = 0")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.conn is not None:
            await self.conn.close()

    async def execute(self, sql: str) -> None:
        """A statement without parameters (PostgreSQL: without a timeout)."""
        if self.conn is not None:
            await self.conn.execute(sql)
        else:
            await connections.get("default").execute_script(sql)

    async def copy(
        self, model: type[Model], columns: list[str], rows: Iterator[tuple[Any, ...]]
    ) -> None:
        # Other columns may appear with later migrations: give them their model defaults.
        defaults = model_defaults(model, columns)
        filler = tuple(defaults.values())
        table = model._meta.db_table
        names = columns + list(defaults)
        insert = (
            f'INSERT INTO "{table}" ({", ".join(names)}) VALUES ({", ".join("?" for _ in names)})'
        )
        for chunk in chunks(rows):
            records = [row + filler for row in chunk] if filler else chunk
            if self.conn is not None:
                await self.conn.copy_records_to_table(table, records=records, columns=names)
            else:
                await connections.get("default").execute_many(insert, records)


class Seeder:
    def __init__(self, shop_id: int, now: datetime) -> None:
        self.shop_id = shop_id
        self.now = now
        self.random = random.Random(42)
        self.prices = [Decimal(self.random.randrange(500, 15000)) / 100 for _ in range(PRODUCTS)]

    def moment(self) -> datetime:
        return self.now - HISTORY * self.random.random()

    def buyer(self) -> int:
        # Skewed: low ids buy often, so every segment (1, 2–3, 4+ orders) is well filled.
        return 1 + int(CUSTOMERS * self.random.random() ** 1.5)

    def respondent(self) -> int:
        # Even: the invitation throttle (one per 30 days) keeps anyone from answering a lot.
        return self.random.randint(1, CUSTOMERS)

    def customers(self) -> Iterator[tuple[Any, ...]]:
        for i in range(1, CUSTOMERS + 1):
            yield (i, self.shop_id, f"c{i}@bench.test", f"Customer {i}", "en", self.now)

    def products(self) -> Iterator[tuple[Any, ...]]:
        for i in range(1, PRODUCTS + 1):
            category = f"category-{i % CATEGORIES}" if i % 10 else None
            url = f"https://bench.test/p/{i}"
            yield (i, self.shop_id, f"sku-{i}", f"Product {i}", url, category, self.now, self.now)

    def orders_and_items(
        self,
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        orders: list[tuple[Any, ...]] = []
        items: list[tuple[Any, ...]] = []
        # Ids follow time, as rows inserted by a live shop do: the heap is in time order.
        for order_id, at in enumerate(sorted(self.moment() for _ in range(ORDERS)), start=1):
            orders.append((order_id, self.shop_id, f"o{order_id}", self.buyer(), at, at))
            for _ in range(self.random.choice((1, 1, 2, 3))):
                product = self.random.randrange(PRODUCTS)
                price = self.prices[product] if self.random.random() > 0.02 else None
                quantity = self.random.choice((1, 1, 1, 2))
                items.append((len(items) + 1, order_id, product + 1, quantity, price))
        return orders, items

    def answers(self) -> tuple[Iterator[tuple[Any, ...]], Iterator[tuple[Any, ...]]]:
        """Invitations and their answers, each in the order a live shop would insert them."""
        kinds = [kind for kind, _ in KINDS]
        weights = [weight for _, weight in KINDS]
        since = self.now - HISTORY
        # One reusable link per kind (email signatures, receipts): anonymous answers.
        invitations: list[tuple[Any, ...]] = [
            (i, self.shop_id, kind, None, True, since, "en") for i, kind in enumerate(kinds, 1)
        ]
        reusable = {kind: i for i, kind in enumerate(kinds, 1)}
        anonymous = round(ANSWERS * ANONYMOUS_SHARE)
        named = ANSWERS - anonymous
        # (sent, kind, customer, answered at or None)
        drafts: list[tuple[datetime, str, int, datetime | None]] = []
        for i in range(named + UNANSWERED_INVITATIONS):
            kind = self.random.choices(kinds, weights)[0]
            answered = self.moment() if i < named else None
            delay = timedelta(minutes=self.random.randrange(5, 4000))
            sent = answered - delay if answered else self.moment()
            drafts.append((sent, kind, self.respondent(), answered))
        drafts.sort(key=lambda draft: draft[0])
        # (answered at, kind, customer, invitation id, dedupe key)
        answers: list[tuple[datetime, str, int | None, int, str]] = []
        for sent, kind, customer, answered in drafts:
            invitation_id = len(invitations) + 1
            invitations.append((invitation_id, self.shop_id, kind, customer, False, sent, "en"))
            if answered:
                answers.append((answered, kind, customer, invitation_id, f"inv:{invitation_id}"))
        for n in range(anonymous):
            kind = self.random.choices(kinds, weights)[0]
            key = f"link:{reusable[kind]}:{n}"
            answers.append((self.moment(), kind, None, reusable[kind], key))
        answers.sort(key=lambda answer: answer[0])
        # Chained as surveys.chain leaves them: each answer knows when its customer next
        # answered the same kind.
        superseded: list[datetime | None] = [None] * len(answers)
        next_answer: dict[tuple[str, int], datetime] = {}
        for i in range(len(answers) - 1, -1, -1):
            at, kind, customer, _, _ = answers[i]
            if customer is not None:
                superseded[i] = next_answer.get((kind, customer))
                next_answer[kind, customer] = at
        responses = (
            (i, self.shop_id, invitation_id, customer, kind, self.score(kind), key, at, at)
            + (superseded[i - 1], True)
            for i, (at, kind, customer, invitation_id, key) in enumerate(answers, 1)
        )
        return iter(invitations), responses

    def score(self, kind: str) -> int:
        if kind == "nps":
            return self.random.choices(range(11), NPS_WEIGHTS)[0]
        if kind == "thermometer":
            return self.random.choices(range(1, 5), THERMOMETER_WEIGHTS)[0]
        return self.random.choices(range(1, 6), CSAT_WEIGHTS)[0]


async def seed(url: str, shop_id: int, now: datetime) -> None:
    seeder = Seeder(shop_id, now)
    started = time.perf_counter()
    async with Loader(url) as loader:
        await loader.copy(
            Customer,
            ["id", "shop_id", "email", "name", "locale", "created_at"],
            seeder.customers(),
        )
        await loader.copy(
            Product,
            ["id", "shop_id", "sku", "name", "url", "category", "created_at", "updated_at"],
            seeder.products(),
        )
        orders, items = seeder.orders_and_items()
        order_columns = ["id", "shop_id", "external_id", "customer_id", "ordered_at", "created_at"]
        await loader.copy(Order, order_columns, iter(orders))
        item_columns = ["id", "order_id", "product_id", "quantity", "unit_price"]
        await loader.copy(OrderItem, item_columns, iter(items))
        invitations, responses = seeder.answers()
        invitation_columns = ["id", "shop_id", "kind", "customer_id", "reusable", "created_at"]
        invitation_columns.append("locale")
        await loader.copy(Invitation, invitation_columns, invitations)
        response_columns = ["id", "shop_id", "invitation_id", "customer_id", "kind", "score"]
        response_columns += ["dedupe_key", "created_at", "updated_at", "superseded_at", "chained"]
        await loader.copy(Response, response_columns, responses)
        if loader.conn is not None:
            for table in ("customer", "product", "shop_order", "order_item", "invitation"):
                # Rows came with their ids: move each sequence past them for later inserts.
                await loader.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
            await loader.execute(
                "SELECT setval(pg_get_serial_sequence('response', 'id'), (SELECT MAX(id) FROM"
                " response))"
            )
            # Autovacuum would do it soon after on a live database: index-only scans need it.
            # (SQLite has nothing of the kind: its statistics stay those of the migrations.)
            await loader.execute("VACUUM ANALYZE")
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)


async def reset_schema(url: str) -> None:
    if url.startswith("sqlite://"):
        path = Path(url.removeprefix("sqlite://"))
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            file.unlink(missing_ok=True)
        return
    conn = await asyncpg.connect(asyncpg_url(url))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


async def prepare(url: str, *, reseed: bool) -> None:
    """Migrate the bench database; start from an empty schema when asked, or when a new
    migration cannot be applied to the seeded rows."""
    if reseed:
        await reset_schema(url)
    try:
        await migrate(url)
    except BaseORMException as exc:
        print(f"the seeded database does not migrate ({exc}): seeding it again", flush=True)
        await reset_schema(url)
        await migrate(url)


async def bench_shop(url: str) -> tuple[Shop, datetime]:
    """The seeded shop, seeding it first when missing; 'now' is when it was seeded."""
    shop = await Shop.filter(slug=SLUG).first()
    # The last answer is copied last: with it, an earlier run seeded everything.
    if shop is not None and await Response.filter(shop=shop, id=ANSWERS).exists():
        return shop, shop.created_at
    if shop is not None:  # a seeding stopped midway
        await Shop.filter(id=shop.id).delete()
    shop, _ = await create_shop("Bench", SLUG)
    await seed(url, shop.id, shop.created_at)
    # COPY went around orders.services: the customers' order totals once, as upserts keep them.
    started = time.perf_counter()
    await refresh_order_totals(await Customer.filter(shop=shop).values_list("id", flat=True))
    async with Loader(url) as loader:
        if loader.conn is not None:
            # Between two updates of every customer, as autovacuum would be: the second
            # reuses the room the first left instead of making the table three times its size.
            await loader.execute("VACUUM customer")
        await loader.execute(chain.EVERY_LATEST_NPS)  # the answers were copied already chained
        if loader.conn is not None:
            # Their statistics predate the totals; index-only scans need the visibility map.
            await loader.execute("VACUUM ANALYZE customer, shop_order")
    elapsed = time.perf_counter() - started
    print(f"order totals and latest NPS answers in {elapsed:.0f} s", flush=True)
    return shop, shop.created_at


async def seeded_shop() -> tuple[Shop, datetime]:
    """The shop an earlier run seeded, and its 'now'."""
    shop = await Shop.get(slug=SLUG)
    return shop, shop.created_at


_new_keys = itertools.count()


async def new_answers(shop: Shop, now: datetime, count: int) -> None:
    """`count` NPS answers of the last day by customers who answered before, stored as the
    one-click answer stores them (not chained); first, those of the call before are deleted
    and their customers' answers chained again, as the worker would leave them."""
    new = Response.filter(shop=shop, id__gt=ANSWERS)
    customers = sorted(set(await new.values_list("customer_id", flat=True)))
    await new.delete()
    for start in range(0, len(customers), 500):  # as surveys.chain.unchain, in bulk
        some = customers[start : start + 500]
        await Customer.filter(id__in=some).update(nps_score=None, nps_at=None)
        await Response.filter(shop=shop, kind="nps", customer_id__in=some).update(chained=False)
    await chain.chain_answers()
    rng = random.Random(count)
    # Through the reusable NPS link (the seed's invitation 1): no response rate changes.
    await Response.bulk_create(
        [
            Response(
                shop_id=shop.id,
                invitation_id=1,
                customer_id=rng.randint(1, CUSTOMERS),
                kind="nps",
                score=rng.choices(range(11), NPS_WEIGHTS)[0],
                dedupe_key=f"bench-new:{next(_new_keys)}",
                created_at=now - timedelta(days=rng.random()),
            )
            for _ in range(count)
        ],
        batch_size=1000,
    )


# --- Timing ------------------------------------------------------------------------------

Call = Callable[[], Awaitable[Any]]


def server_cpu_ns(database: str | None) -> int:
    """CPU time so far of the PostgreSQL processes serving this database's sessions (their
    process title names it), from the scheduler's own count in nanoseconds; 0 on SQLite."""
    if database is None:
        return 0
    total = 0
    title = f" {database} ".encode()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                if not (line := cmdline.read()).startswith(b"postgres: ") or title not in line:
                    continue
            with open(f"/proc/{entry.name}/schedstat") as schedstat:
                total += int(schedstat.read().split()[0])
        except (OSError, ValueError, IndexError):  # gone meanwhile
            continue
    return total


@dataclass
class Timing:
    """Of one call, in ms: wall time (median of the runs), CPU time per run (mean), this
    process's and the database server's."""

    wall: float
    cpu: float
    server: float

    @property
    def total_cpu(self) -> float:
        return self.cpu + self.server


async def timed(
    call: Call, runs_count: int, *, setup: Call | None = None, server: str | None = None
) -> Timing:
    """Times `call` after a first one (warm cache, prepared statements); `setup` before each,
    not timed."""
    walls, cpu, server_ns = [], 0.0, 0
    for run in range(runs_count + 1):
        if setup is not None:
            await setup()
        server_before = server_cpu_ns(server)
        cpu_before, started = time.process_time(), time.perf_counter()
        await call()
        wall, cpu_after = time.perf_counter() - started, time.process_time()
        if run:
            walls.append(wall * 1000)
            cpu += (cpu_after - cpu_before) * 1000
            server_ns += server_cpu_ns(server) - server_before
    return Timing(statistics.median(walls), cpu / runs_count, server_ns / 1e6 / runs_count)


def calls(shop: Shop, now: datetime, new: int = NEW_ANSWERS) -> dict[str, tuple[Call | None, Call]]:
    """Name: (setup, call), the reads of the metrics API and of the dashboard."""
    quarter = (now - timedelta(days=90), now)
    year = (now - timedelta(days=365), now)
    period = services.Period(*quarter)
    # `to=` a month ago, as the API reads it: the 90 days before; loyalty as of that day.
    month_ago = now - timedelta(days=30)
    past_quarter = (month_ago - timedelta(days=90), month_ago)

    async def now_and_before() -> None:  # the dashboard's comparison
        await services.answers(shop, period, survey="nps")
        await services.answers(shop, period.previous(), survey="nps")

    async def after() -> None:
        await new_answers(shop, now, new)

    found: dict[str, tuple[Call | None, Call]] = {
        "answers (nps, 90 days)": (None, lambda: services.answers(shop, period, survey="nps")),
        "answers (nps, 90 days, every answer)": (
            None,
            lambda: services.answers(shop, period, survey="nps", latest_only=False),
        ),
        "answers (nps, 365 days)": (
            None,
            lambda: services.answers(shop, services.Period(*year), survey="nps"),
        ),
        "answers (nps, 90 days, segment regular)": (
            None,
            lambda: services.answers(shop, period, survey="nps", segment="regular"),
        ),
        "answers (thermometer, 90 days)": (
            None,
            lambda: services.answers(shop, period, survey="thermometer"),
        ),
        "answers (nps, 90 days and the 90 before)": (None, now_and_before),
        "response_rate (90 days)": (None, lambda: services.response_rate(shop, *quarter)),
        "trend_points (nps, weekly, 365 days)": (
            None,
            lambda: services.trend_points(shop, "nps", *year),
        ),
        "trend_points (nps, weekly, 365 days, every answer)": (
            None,
            lambda: services.trend_points(shop, "nps", *year, latest_only=False),
        ),
        "trend_points (all, monthly, 365 days)": (
            None,
            lambda: services.trend_points(shop, None, *year, every="month"),
        ),
        "loyalty_kpis": (None, lambda: services.loyalty_kpis(shop, as_of=now)),
        "loyalty_kpis (as of 30 days ago)": (
            None,
            lambda: services.loyalty_kpis(shop, as_of=month_ago),
        ),
        "metrics_summary (nps, 90 days)": (
            None,
            lambda: services.metrics_summary(shop, "nps", *quarter),
        ),
        "metrics_summary (all kinds, 90 days)": (
            None,
            lambda: services.metrics_summary(shop, None, *quarter),
        ),
        "metrics_summary (nps, 90 days, no loyalty)": (
            None,
            lambda: services.metrics_summary(shop, "nps", *quarter, include_loyalty=False),
        ),
        "metrics_summary (all kinds, 90 days to 30 days ago)": (
            None,
            lambda: services.metrics_summary(shop, None, *past_quarter),
        ),
    }
    found[f"metrics_summary (all kinds, 90 days), {new:,} not chained"] = (
        after,
        lambda: services.metrics_summary(shop, None, *quarter),
    )
    return found


def server_database(url: str) -> str | None:
    return None if url.startswith("sqlite://") else url.rsplit("/", 1)[1]


async def run_all(
    shop: Shop, now: datetime, url: str, runs_count: int, only: str, new: int
) -> dict[str, Timing]:
    """Every call whose name has `only`, on the database as seeded (a run stopped midway may
    have left answers not chained); the same afterwards."""
    results = {}
    await new_answers(shop, now, 0)
    await vacuum(url)
    try:
        for name, (setup, call) in calls(shop, now, new).items():
            if only not in name:
                continue
            try:
                results[name] = await timed(
                    call, runs_count, setup=setup, server=server_database(url)
                )
            except BaseORMException as exc:
                print(f"{name:<58} failed: {exc}", flush=True)
    finally:
        await new_answers(shop, now, 0)
    return results


async def vacuum(url: str) -> None:
    """What autovacuum would have done on a live PostgreSQL database since the seeding and the
    runs before (the benchmark's updates leave dead rows behind, which every scan of an
    index then visits): off on some machines (this one), and never at the pace of a run.
    INDEX_CLEANUP ON: with few dead rows, VACUUM skips the indexes (PostgreSQL 14+), and the
    partial index of the answers not chained keeps pages of dead entries that each metrics
    query reads (0.8 ms a query after fifteen runs here, against 0.02 ms cleaned up)."""
    if url.startswith("sqlite://"):
        return
    conn = await asyncpg.connect(asyncpg_url(url))
    try:
        await conn.execute("VACUUM (ANALYZE, INDEX_CLEANUP ON) response, customer")
    finally:
        await conn.close()


def print_timings(title: str, results: dict[str, Timing], runs_count: int) -> None:
    print(f"\n{title}: {runs_count} runs, ms per call")
    print(f"{'call':<58} {'wall':>8} {'CPU':>8} {'server':>8}  goal")
    for name, timing in results.items():
        verdict = "ok" if timing.wall < GOAL_MS else "SLOW"
        print(
            f"{name:<58} {timing.wall:>8.1f} {timing.cpu:>8.1f} {timing.server:>8.1f}  {verdict}",
            flush=True,
        )


async def with_indexes(url: str, create: bool) -> None:
    conn = await asyncpg.connect(asyncpg_url(url))
    try:
        for name, statement in SUGGESTED_INDEXES.items():
            if create:
                await conn.execute(statement.format(name=f"bench_{name}"))
            else:
                await conn.execute(f"DROP INDEX IF EXISTS bench_{name}")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


# --- Old against new ---------------------------------------------------------------------


def compare(
    script: Path, arguments: list[str], old: Path, rounds: int
) -> dict[str, dict[str, list[Timing]]]:
    """Runs `script --time-only` with the code of `old` and with this tree's, in turns;
    {call: {"old": [Timing per round], "new": [...]}}."""
    new = Path(__file__).resolve().parents[1]
    found: dict[str, dict[str, list[Timing]]] = {}
    for round_number in range(rounds):
        trees = [("old", old), ("new", new)]
        for label, tree in trees if round_number % 2 == 0 else trees[::-1]:
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                subprocess.run(
                    [sys.executable, str(script), *arguments, "--time-only", "--json", out.name],
                    env={**os.environ, "PYTHONPATH": str(tree)},
                    check=True,
                )
                for name, timing in json.loads(Path(out.name).read_text()).items():
                    runs = found.setdefault(name, {"old": [], "new": []})
                    runs[label].append(Timing(**timing))
            print(f"round {round_number + 1}/{rounds}: {label} done", flush=True)
    return found


def print_comparison(title: str, found: dict[str, dict[str, list[Timing]]]) -> None:
    """Medians over the rounds; CPU is the process's and the server's together."""

    def median(timings: list[Timing], value: Callable[[Timing], float]) -> float:
        return statistics.median(value(timing) for timing in timings) if timings else math.nan

    print(f"\n{title}: median over the rounds, ms per call (CPU: process + database server)")
    print(
        f"{'call':<58} {'wall old':>9} {'wall new':>9} {'CPU old':>9} {'CPU new':>9} {'new/old':>8}"
    )
    for name, runs in found.items():
        walls = [median(runs[label], lambda t: t.wall) for label in ("old", "new")]
        cpus = [median(runs[label], lambda t: t.total_cpu) for label in ("old", "new")]
        ratio = cpus[1] / cpus[0] if cpus[0] else math.nan
        print(
            f"{name:<58} {walls[0]:>9.1f} {walls[1]:>9.1f} {cpus[0]:>9.1f} {cpus[1]:>9.1f}"
            f" {ratio:>8.2f}",
            flush=True,
        )


def common_arguments(parser: argparse.ArgumentParser, database: str) -> None:
    parser.add_argument("--engine", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument(
        "--database", default=database, help=f"database to seed and time (default {database})"
    )
    parser.add_argument("--reseed", action="store_true", help="rebuild the schema, seed again")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs per call ({RUNS})")
    parser.add_argument("--time-only", action="store_true", help="no migration, no seeding")
    parser.add_argument("--json", help="also write the timings to this file")
    parser.add_argument("--compare", type=Path, help="time the code of this tree against ours")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"with --compare ({ROUNDS})")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="answers, invitations, orders and customers times this (a database per scale)",
    )


SCALED = ("ANSWERS", "UNANSWERED_INVITATIONS", "ORDERS", "CUSTOMERS")


def scale(factor: float) -> None:
    """Multiplies the sizes of the seed (benchmarks/dashboard.py sets its own first)."""
    module = sys.modules[__name__]
    for name in SCALED:
        setattr(module, name, max(1, round(getattr(module, name) * factor)))


def passed_on(args: argparse.Namespace, *names: str) -> list[str]:
    """The arguments to run this script again with, for --compare."""
    arguments = ["--engine", args.engine, "--database", args.database, "--runs", str(args.runs)]
    arguments += ["--scale", str(args.scale)]
    for name in names:
        if getattr(args, name):
            arguments += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    return arguments


def write_json(path: str | None, results: dict[str, Timing]) -> None:
    if path:
        Path(path).write_text(json.dumps({name: asdict(t) for name, t in results.items()}))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common_arguments(parser, DATABASE)
    parser.add_argument(
        "--try-indexes", action="store_true", help="also time with the suggested indexes"
    )
    parser.add_argument("--only", default="", help="time the calls whose name contains this")
    parser.add_argument(
        "--new-answers",
        type=int,
        default=NEW_ANSWERS,
        help=f"answers not chained yet, in the call that says so ({NEW_ANSWERS:,})",
    )
    args = parser.parse_args()
    scale(args.scale)
    url = database_url(args.engine, args.database)
    if not args.time_only:
        await create_database(args.engine, args.database)
        await prepare(url, reseed=args.reseed)
    await init_db(url)
    try:
        if args.time_only:
            shop, now = await seeded_shop()
        else:
            if args.engine == "postgres":
                await with_indexes(url, create=False)  # a run stopped midway may have left them
            shop, now = await bench_shop(url)
        if args.compare:
            await close_db()
            arguments = passed_on(args, "only", "new_answers")
            found = compare(Path(__file__), arguments, args.compare, args.rounds)
            print_comparison(f"{args.compare} (old) against this tree (new), {args.engine}", found)
            return
        results = await run_all(shop, now, url, args.runs, args.only, args.new_answers)
        write_json(args.json, results)
        if not args.json:
            print_timings("indexes of the migrations", results, args.runs)
        if args.try_indexes and args.engine == "postgres":
            await with_indexes(url, create=True)
            try:
                tried = await run_all(shop, now, url, args.runs, args.only, args.new_answers)
                print_timings("with the suggested indexes", tried, args.runs)
            finally:
                await with_indexes(url, create=False)
    finally:
        await close_db()


if __name__ == "__main__":
    asyncio.run(main())
