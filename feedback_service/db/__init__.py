"""The database: start-up and shutdown, migrations, and raw SQL written once for both
engines.

Raw SQL (where the ORM's query building costs more than the query) takes `:name`
parameters, and values only as parameters:

    row = await db.fetch_one("SELECT name FROM shop WHERE slug = :slug", {"slug": slug})

What differs between SQLite and PostgreSQL lives in `operations`, one class per engine:
domain code asks `db.ops()` for a snippet of SQL and never which engine it runs on.
Importing this module does nothing: `init_db` or `migrate` picks the engine, and
`TORTOISE_ORM` (for Tortoise's own CLI) reads the settings only when asked for.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from tortoise import Tortoise
from tortoise.connection import get_connection
from tortoise.fields import DatetimeField
from tortoise.migrations.api import migrate as tortoise_migrate

from feedback_service import internals, moments
from feedback_service.db.config import APP_LABEL, MODEL_MODULES, is_postgres, tortoise_config
from feedback_service.db.operations import (
    Operations,
    PostgresOperations,
    Row,
    SqliteOperations,
)
from feedback_service.db.rows import columns, from_row

__all__ = [
    "APP_LABEL",
    "MODEL_MODULES",
    "Row",
    "as_date",
    "as_float",
    "as_int",
    "clamp_dates",
    "close_db",
    "columns",
    "dialect",
    "execute",
    "fetch",
    "fetch_one",
    "fetch_report",
    "from_row",
    "init_db",
    "lock_transaction",
    "migrate",
    "ops",
    "plan_with_values",
    "retried",
    "tortoise_config",
    "write_and_read",
]

_NO_PARAMS: Mapping[str, Any] = {}
_engine: Operations | None = None  # of the database opened last


def _use(database_url: str) -> None:
    global _engine
    internals.check_versions()
    _engine = PostgresOperations() if is_postgres(database_url) else SqliteOperations()


def ops() -> Operations:
    """The SQL of the engine the database runs on. (The statements of the one-click answer
    read `_engine` first: a call less each.)"""
    global _engine
    if _engine is None:  # Tortoise opened by other code than init_db (a migration)
        postgres = get_connection("default").capabilities.dialect == "postgres"
        _engine = PostgresOperations() if postgres else SqliteOperations()
    return _engine


def dialect() -> str:
    """The engine the database runs on: "sqlite" or "postgres"."""
    return ops().name


async def init_db(database_url: str) -> None:
    _use(database_url)
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str) -> None:
    _use(database_url)
    await tortoise_migrate(config=tortoise_config(database_url))
    await clamp_dates(moments.EARLIEST, moments.LATEST)
    await Tortoise.close_connections()


async def clamp_dates(earliest: datetime, latest: datetime) -> int:
    """Moves every stored date outside [earliest, latest] to the nearer bound; how many rows
    changed. The API once stored dates Python cannot read back (year 1 at +14:00 is year 0
    in UTC): each page that read such a row failed. One scan per table, at each release."""
    engine = ops()
    changed = 0
    for model in Tortoise.apps[APP_LABEL].values():
        meta = model._meta
        dates = [
            '"' + meta.fields_db_projection[name] + '"'
            for name, field in meta.fields_map.items()
            if isinstance(field, DatetimeField)
        ]
        if not dates:
            continue
        setters = ", ".join(
            f"{c} = CASE WHEN {engine.before_earliest(c)} THEN :earliest"
            f" WHEN {engine.after_latest(c)} THEN :latest ELSE {c} END"
            for c in dates
        )
        outside = " OR ".join(
            f"{engine.before_earliest(c)} OR {engine.after_latest(c)}" for c in dates
        )
        sql = f'UPDATE "{meta.db_table}" SET {setters} WHERE {outside}'
        changed += await execute(sql, engine.date_bounds(earliest, latest))
    return changed


# --- raw SQL ---------------------------------------------------------------------------------


async def fetch(sql: str, params: Mapping[str, Any] = _NO_PARAMS) -> Sequence[Row]:
    """The rows of a query, in the current transaction if any."""
    return await (_engine or ops()).fetch(sql, params)


async def fetch_one(sql: str, params: Mapping[str, Any] = _NO_PARAMS) -> Row | None:
    """The first row of a query (None: no row), in the current transaction if any; the
    fastest way there for a single row (SQLite: see sqlite_batch)."""
    return await (_engine or ops()).fetch_one(sql, params)


async def execute(sql: str, params: Mapping[str, Any] = _NO_PARAMS) -> int:
    """Run a statement, in the current transaction if any; how many rows it changed."""
    return await (_engine or ops()).execute(sql, params)


async def fetch_report(sql: str, params: Mapping[str, Any] = _NO_PARAMS) -> list[Row]:
    """The rows of an aggregate over many rows (a report), with the settings the engine
    needs for those (PostgreSQL: see PostgresOperations.REPORT_SETTINGS)."""
    return list(await ops().fetch_report(sql, params))


async def write_and_read(
    write: str, read: str, params: Mapping[str, Any], *, read_after_insert: bool = True
) -> tuple[int | None, Row | None]:
    """Outside a transaction, in one round trip: `write`, an INSERT of at most one row into
    a table with an `id` (`… SELECT … WHERE …`, `ON CONFLICT …`), then `read`, a query that
    does not read what the write changes. The id the write inserted (None: none; after an
    upsert that updated, either) and the read's first row (None: none; with
    `read_after_insert=False`, SQLite does not run the read after an insert)."""
    return await (_engine or ops()).write_and_read(
        write, read, params, read_after_insert=read_after_insert
    )


async def lock_transaction(key: int) -> None:
    """Until the current transaction ends, the others that take this key wait (SQLite: a
    transaction that writes has the database to itself already)."""
    await ops().lock_transaction(key)


T = TypeVar("T")
ATTEMPTS = 3


async def retried(run: Callable[[], Awaitable[T]]) -> T:
    """`run()`, run again (up to ATTEMPTS times in all) when the engine rolled it back for a
    concurrent transaction to go on: a deadlock's victim on PostgreSQL. `run` must be safe
    to run again: its transactions were rolled back, and the other's work is now visible."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await run()
        except Exception as exc:
            if attempt == ATTEMPTS or not ops().gave_way(exc):
                raise
            await asyncio.sleep(random.uniform(0, 0.01 * attempt))  # not in step again
    raise AssertionError("unreachable")


async def plan_with_values() -> None:
    """Until the current transaction ends, each statement is planned with its values (long
    `in_list`s on PostgreSQL: see PostgresOperations.plan_with_values)."""
    await ops().plan_with_values()


# --- values of aggregates --------------------------------------------------------------------


def as_int(value: Any) -> int:
    """SUM() of counts is NUMERIC on PostgreSQL and NULL over no rows."""
    return int(value or 0)


def as_float(value: Any) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, (Decimal, int, float, str)) else None


def as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def __getattr__(name: str) -> Any:
    """`TORTOISE_ORM`, for Tortoise's own CLI (`tortoise -c feedback_service.db.TORTOISE_ORM
    makemigrations`), built from the settings when the CLI asks for it."""
    if name == "TORTOISE_ORM":
        from feedback_service.settings import Settings

        return tortoise_config(Settings().database_url)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
