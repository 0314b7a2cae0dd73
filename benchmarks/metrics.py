"""How fast are the metrics on a big shop? Seeds PostgreSQL with 1,000,000 confirmed answers
and 200,000 orders (with items) in one shop, then times each metric function.

    .venv/bin/python benchmarks/metrics.py                  # seeds once, then times
    .venv/bin/python benchmarks/metrics.py --reseed         # starts from empty tables
    .venv/bin/python benchmarks/metrics.py --try-indexes    # also times with extra indexes
    .venv/bin/python benchmarks/metrics.py --scale 5 --database bench_5m --explain
                          # a shop 5 times larger (5 M answers); the slow calls' statements
                          # under EXPLAIN (ANALYZE, BUFFERS)

Uses its own database (`bench`, or `--database NAME`; created if missing) so the test
database is never touched. --scale N multiplies the answers, the unanswered invitations,
the customers and the orders (give each scale its own --database: the seed is kept).
The goal is under 200 ms per call.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
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


async def create_database(database: str) -> None:
    if database == "test":
        raise SystemExit("the database named test belongs to the test suite: pick another")
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


async def copy(
    conn: asyncpg.Connection,
    model: type[Model],
    columns: list[str],
    rows: Iterator[tuple[Any, ...]],
) -> None:
    # Other columns may appear with later migrations: give them their model defaults.
    defaults = model_defaults(model, columns)
    filler = tuple(defaults.values())
    table = model._meta.db_table
    for chunk in chunks(rows):
        records = [row + filler for row in chunk] if filler else chunk
        await conn.copy_records_to_table(table, records=records, columns=columns + list(defaults))


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
    conn = await asyncpg.connect(asyncpg_url(url))
    seeder = Seeder(shop_id, now)
    started = time.perf_counter()
    try:
        await copy(
            conn,
            Customer,
            ["id", "shop_id", "email", "name", "locale", "created_at"],
            seeder.customers(),
        )
        await copy(
            conn,
            Product,
            ["id", "shop_id", "sku", "name", "url", "category", "created_at", "updated_at"],
            seeder.products(),
        )
        orders, items = seeder.orders_and_items()
        order_columns = ["id", "shop_id", "external_id", "customer_id", "ordered_at", "created_at"]
        await copy(conn, Order, order_columns, iter(orders))
        item_columns = ["id", "order_id", "product_id", "quantity", "unit_price"]
        await copy(conn, OrderItem, item_columns, iter(items))
        invitations, responses = seeder.answers()
        invitation_columns = ["id", "shop_id", "kind", "customer_id", "reusable", "created_at"]
        invitation_columns.append("locale")
        await copy(conn, Invitation, invitation_columns, invitations)
        response_columns = ["id", "shop_id", "invitation_id", "customer_id", "kind", "score"]
        response_columns += ["dedupe_key", "created_at", "updated_at", "superseded_at", "chained"]
        await copy(conn, Response, response_columns, responses)
        for table in ("customer", "product", "shop_order", "order_item", "invitation", "response"):
            # Rows came with their ids: move each sequence past them for later inserts.
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
        # Autovacuum would do it soon after on a live database: index-only scans need it.
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)


async def reset_schema(url: str) -> None:
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
    conn = await asyncpg.connect(asyncpg_url(url))
    try:
        # Between two updates of every customer, as autovacuum would be: the second reuses
        # the room the first left instead of making the table three times its size.
        await conn.execute("VACUUM customer")
        await db.execute(chain.EVERY_LATEST_NPS)  # the answers were copied already chained
        # Their statistics predate the totals; index-only scans need the visibility map.
        await conn.execute("VACUUM ANALYZE customer, shop_order")
    finally:
        await conn.close()
    elapsed = time.perf_counter() - started
    print(f"order totals and latest NPS answers in {elapsed:.0f} s", flush=True)

    return shop, shop.created_at


# --- Timing ------------------------------------------------------------------------------


async def timed(call: Callable[[], Awaitable[Any]], runs_count: int = RUNS) -> list[float]:
    await call()  # warm the cache and the prepared statement
    runs = []
    for _ in range(runs_count):
        started = time.perf_counter()
        await call()
        runs.append((time.perf_counter() - started) * 1000)
    return runs


def calls(shop: Shop, now: datetime) -> dict[str, Callable[[], Awaitable[Any]]]:
    quarter = (now - timedelta(days=90), now)
    year = (now - timedelta(days=365), now)
    # `to=` a month ago, as the API reads it: the 90 days before; loyalty as of that day.
    month_ago = now - timedelta(days=30)
    past_quarter = (month_ago - timedelta(days=90), month_ago)
    return {
        "nps (90 days)": lambda: services.nps(shop, *quarter),
        "nps (90 days, every answer)": lambda: services.nps(shop, *quarter, latest_only=False),
        "nps (365 days)": lambda: services.nps(shop, *year),
        "nps (90 days, segment regular)": lambda: services.nps(shop, *quarter, segment="regular"),
        "happiness_factor (90 days)": lambda: services.happiness_factor(shop, *quarter),
        "csat (90 days)": lambda: services.csat(shop, *quarter),
        "response_rate (90 days)": lambda: services.response_rate(shop, *quarter),
        "compare_periods (nps, 90 days)": lambda: services.compare_periods(shop, "nps", *quarter),
        "trend (nps, weekly, 365 days)": lambda: services.trend(shop, "nps", *year),
        "trend (nps, weekly, 365 days, every answer)": lambda: services.trend(
            shop, "nps", *year, latest_only=False
        ),
        "trend (all, monthly, 365 days)": lambda: services.trend(shop, None, *year, every="month"),
        "loyalty_kpis": lambda: services.loyalty_kpis(shop, as_of=now),
        "loyalty_kpis (as of 30 days ago)": lambda: services.loyalty_kpis(shop, as_of=month_ago),
        "metrics_summary (nps, 90 days)": lambda: services.metrics_summary(shop, "nps", *quarter),
        "metrics_summary (all kinds, 90 days)": lambda: services.metrics_summary(
            shop, None, *quarter
        ),
        "metrics_summary (nps, 90 days, no loyalty)": lambda: services.metrics_summary(
            shop, "nps", *quarter, include_loyalty=False
        ),
        "metrics_summary (all kinds, 90 days to 30 days ago)": lambda: services.metrics_summary(
            shop, None, *past_quarter
        ),
    }


class Recorder:
    """The statements sent through asyncpg while `on`, with their values and milliseconds."""

    def __init__(self) -> None:
        self.on = False
        self.statements: list[tuple[str, tuple[Any, ...], float]] = []
        for name in ("fetch", "fetchrow", "fetchval", "execute"):
            original = getattr(asyncpg.connection.Connection, name)
            setattr(asyncpg.connection.Connection, name, self._wrap(original))

    def _wrap(self, original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def recorded(conn: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            if not self.on:
                return await original(conn, query, *args, **kwargs)
            started = time.perf_counter()
            try:
                return await original(conn, query, *args, **kwargs)
            finally:
                self.statements.append((query, args, (time.perf_counter() - started) * 1000))

        return recorded


async def explain(url: str, recorder: Recorder, call: Callable[[], Awaitable[Any]]) -> None:
    """The call's statements of 20 ms or more, each under EXPLAIN (ANALYZE, BUFFERS)."""
    recorder.statements.clear()
    recorder.on = True
    try:
        await call()
    finally:
        recorder.on = False
    conn = await asyncpg.connect(asyncpg_url(url))
    try:
        for query, args, ms in recorder.statements:
            if ms < 20 or not query.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            plan = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {query}", *args)
            print(f"\n  {ms:.0f} ms: {' '.join(query.split())[:600]}")
            for row in plan:
                print(f"    {row[0]}")
    finally:
        await conn.close()


async def run_all(
    shop: Shop,
    now: datetime,
    title: str,
    runs_count: int = RUNS,
    only: str = "",
    explained: tuple[str, Recorder] | None = None,
) -> None:
    """`explained`: the database URL and the recorder: each call over the goal explained."""
    print(f"\n{title}: median of {runs_count} runs, ms")
    print(f"{'call':<52} {'median':>8} {'min':>8} {'max':>8}  goal")
    for name, call in calls(shop, now).items():
        if only not in name:
            continue
        try:
            runs = await timed(call, runs_count)
        except BaseORMException as exc:
            print(f"{name:<52} failed: {exc}", flush=True)
            continue
        median = statistics.median(runs)
        verdict = "ok" if median < GOAL_MS else "SLOW"
        print(
            f"{name:<52} {median:>8.1f} {min(runs):>8.1f} {max(runs):>8.1f}  {verdict}", flush=True
        )
        if explained is not None and median >= GOAL_MS:
            await explain(*explained, call)


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


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseed", action="store_true", help="rebuild the schema, seed again")
    parser.add_argument(
        "--try-indexes", action="store_true", help="also time with the suggested indexes"
    )
    parser.add_argument(
        "--database", default=DATABASE, help=f"database to seed and time (default {DATABASE})"
    )
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs per call ({RUNS})")
    parser.add_argument("--only", default="", help="time the calls whose name contains this")
    parser.add_argument("--scale", type=int, default=1, help="a shop this many times larger")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the slow calls' statements"
    )
    args = parser.parse_args()
    global ANSWERS, UNANSWERED_INVITATIONS, ORDERS, CUSTOMERS
    ANSWERS *= args.scale
    UNANSWERED_INVITATIONS *= args.scale
    ORDERS *= args.scale
    CUSTOMERS *= args.scale
    recorder = Recorder() if args.explain else None
    url = f"{SERVER}/{args.database}"
    await create_database(args.database)
    await prepare(url, reseed=args.reseed)
    await init_db(url)
    try:
        await with_indexes(url, create=False)  # a run stopped midway may have left them
        shop, now = await bench_shop(url)
        explained = (url, recorder) if recorder is not None else None
        await run_all(shop, now, "indexes of the migrations", args.runs, args.only, explained)
        if args.try_indexes:
            await with_indexes(url, create=True)
            try:
                await run_all(shop, now, "with the suggested indexes", args.runs, args.only)
            finally:
                await with_indexes(url, create=False)
    finally:
        await close_db()


if __name__ == "__main__":
    asyncio.run(main())
