"""Tortoise configuration, start-up and shutdown, migrations."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, partial
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.backends.base.config_generator import generate_config
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.fields import DatetimeField
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.models import Model

from feedback_service import moments

ModelT = TypeVar("ModelT", bound=Model)

APP_LABEL = "feedback"
MODEL_MODULES = [
    "feedback_service.shops.models",
    "feedback_service.orders.models",
    "feedback_service.surveys.models",
    "feedback_service.outbox.models",
    "feedback_service.reviews.models",
    "feedback_service.alerts.models",
    "feedback_service.connectors.models",
    "feedback_service.questions.models",
]


def tortoise_config(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite://") and not database_url.startswith("sqlite://:memory:"):
        path = Path(database_url.removeprefix("sqlite://").split("?", 1)[0])
        path.parent.mkdir(parents=True, exist_ok=True)
        # Readable by its owner only, like the secret key; SQLite gives its -wal and -shm
        # files the database file's mode.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    config = generate_config(
        database_url,
        app_modules={APP_LABEL: MODEL_MODULES},
        connection_label="default",
    )
    credentials = config["connections"]["default"]["credentials"]
    if database_url.startswith("sqlite"):
        # An acknowledged answer must survive a crash: WAL with a full fsync per commit.
        credentials.setdefault("synchronous", "FULL")
        credentials.setdefault("busy_timeout", 5000)
        # Tortoise truncates the WAL to 16 kB at each checkpoint, so every commit then
        # grows the file again and its fsync writes the size too: 1.6-2x the time per commit.
        credentials["journal_size_limit"] = 64 * 1024 * 1024
    if database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        credentials["reset"] = _keep_session
    config["apps"][APP_LABEL]["migrations"] = "feedback_service.migrations"
    config["use_tz"] = True
    config["timezone"] = "UTC"
    return config


async def _keep_session(connection: object) -> None:
    """asyncpg's reset of a pooled connection, minus its query (unlisten, close cursors,
    reset settings, unlock advisory locks: a round trip and ~20% of a click's CPU). asyncpg
    still rolls back an open transaction first; the app listens to nothing, keeps no cursor
    or advisory lock and only uses SET LOCAL, so there is nothing else to undo."""


_dialect: list[str] = []  # of the database init_db opened last (looked up on every click)


async def init_db(database_url: str) -> None:
    _dialect[:] = ["sqlite" if database_url.startswith("sqlite") else "postgres"]
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str) -> None:
    await tortoise_migrate(config=tortoise_config(database_url))
    await clamp_dates(moments.EARLIEST, moments.LATEST)
    await Tortoise.close_connections()


async def clamp_dates(earliest: datetime, latest: datetime) -> int:
    """Moves every stored date outside [earliest, latest] to the nearer bound; how many rows
    changed. The API once stored dates Python cannot read back (year 1 at +14:00 is year 0
    in UTC): each page that read such a row failed. One scan per table, at each release."""
    conn = connections.get("default")
    sqlite = conn.capabilities.dialect == "sqlite"

    # SQLite keeps the text with its offset: julianday() compares instants, not strings,
    # and only where the date's text is within a day of a bound (3x faster on 1M rows).
    def below(column: str) -> str:
        if sqlite:
            return f"({column} < {{2}} AND julianday({column}) < julianday({{0}}))"
        return f"{column} < {{0}}"

    def above(column: str) -> str:
        if sqlite:  # julianday() is NULL past 9999-12-31 UTC
            return (
                f"({column} > {{3}} AND "
                f"coalesce(julianday({column}) > julianday({{1}}), {column} IS NOT NULL))"
            )
        return f"{column} > {{1}}"

    bounds: list[Any] = [earliest, latest]
    if sqlite:
        day = timedelta(days=1)
        bounds = [earliest.isoformat(), latest.isoformat()]
        bounds += [(earliest + day).date().isoformat(), (latest - day).date().isoformat()]
    changed = 0
    for model in Tortoise.apps[APP_LABEL].values():
        meta = model._meta
        columns = [
            '"' + meta.fields_db_projection[name] + '"'
            for name, field in meta.fields_map.items()
            if isinstance(field, DatetimeField)
        ]
        if not columns:
            continue
        setters = ", ".join(
            f"{c} = CASE WHEN {below(c)} THEN {{0}} WHEN {above(c)} THEN {{1}} ELSE {c} END"
            for c in columns
        )
        outside = " OR ".join(f"{below(c)} OR {above(c)}" for c in columns)
        sql = f'UPDATE "{meta.db_table}" SET {setters} WHERE {outside}'
        rows, _ = await conn.execute_query(_placeholders(sql, conn.capabilities.dialect), bounds)
        changed += rows
    return changed


# --- raw SQL for the hot paths (the ORM's query building costs more than the query) ------


@cache
def _placeholders(template: str, dialect: str) -> str:
    """{0}, {1}... become $1, $2... (asyncpg) or ?1, ?2... (SQLite)."""
    mark = "$" if dialect == "postgres" else "?"
    return re.sub(r"\{(\d+)\}", lambda m: f"{mark}{int(m[1]) + 1}", template)


def dialect() -> str:
    """The database's dialect: "postgres" or "sqlite"."""
    return _dialect[0]


def _client() -> Any:
    """connections.get("default"), in the current transaction if any, without the check
    that the event loop is the one the client was made on (2-3% of a click's CPU): the app
    and the test suite each run one loop. Tortoise keeps the clients in a context variable
    (private, `_get_storage`); the first call of a context takes the public way."""
    client = connections._get_storage().get("default")
    return client if client is not None else connections.get("default")


def _pool(conn: Any) -> asyncpg.Pool | None:
    """The asyncpg pool behind Tortoise's PostgreSQL client, outside a transaction (and
    once Tortoise has opened it); None otherwise."""
    if _dialect[0] != "postgres" or isinstance(conn, TransactionalDBClient):
        return None
    pool: asyncpg.Pool | None = getattr(conn, "_pool", None)
    return pool


async def fetch(template: str, *values: Any) -> Sequence[Mapping[str, Any]]:
    """Rows of a query written with {0}, {1}... placeholders, in the current transaction if any.

    On PostgreSQL outside a transaction, straight from the pool: Tortoise's wrapper (its
    lock, its exception translation, a dict per row) cost 8% of a click's CPU."""
    conn = _client()
    pool = _pool(conn)
    if pool is not None:
        try:
            rows: list[asyncpg.Record] = await pool.fetch(
                _placeholders(template, "postgres"), *values
            )
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise IntegrityError(exc) from exc
        return rows
    sql = _placeholders(template, conn.capabilities.dialect)
    return await conn.execute_query_dict(sql, list(values))


async def execute(template: str, *values: Any) -> int:
    """Run a statement written with {0}, {1}... placeholders; how many rows it changed."""
    conn = _client()
    pool = _pool(conn)
    if pool is not None:
        try:
            status: str = await pool.execute(_placeholders(template, "postgres"), *values)
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise IntegrityError(exc) from exc
        return int(status.rsplit(" ", 1)[-1]) if status[-1:].isdigit() else 0
    changed, _ = await conn.execute_query(
        _placeholders(template, conn.capabilities.dialect), list(values)
    )
    return changed


Statement = tuple[str, Sequence[Any]]
# What a statement of a batch gives back: its first row, else the rowid it inserted, else None.
Outcome = dict[str, Any] | int | None


def _outcome(conn: sqlite3.Connection, sql: str, values: Sequence[Any]) -> Outcome:
    cursor = conn.execute(sql, values)
    row = cursor.fetchone()
    if row is not None:
        return dict(row)
    inserted = cursor.rowcount > 0 and sql.lstrip()[:6].upper() == "INSERT"
    return cursor.lastrowid if inserted else None  # (lastrowid outlives its INSERT)


def _run_statements(
    conn: sqlite3.Connection, statements: Sequence[Statement], until_insert: bool
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for sql, values in statements:
        outcomes.append(_outcome(conn, sql, values))
        if until_insert and isinstance(outcomes[-1], int):
            return outcomes + [None] * (len(statements) - len(outcomes))
    return outcomes


@dataclass
class _Batch:
    statements: list[Statement]
    until_insert: bool
    future: asyncio.Future[list[Outcome]]
    outcome: list[Outcome] | BaseException | None = None


@dataclass
class _CommitGroup:
    """The batches waiting for one aiosqlite connection's thread. They run there together,
    in one transaction: one commit, hence one fsync of the WAL (synchronous=FULL), for all
    the clicks that came in while the thread was busy. That fsync (~0.1 ms here) was most of
    the thread's time per commit, and the thread, which serves every request, was the
    bottleneck of the one-click answer under load. Each batch is answered after the commit."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    waiting: list[_Batch] = field(default_factory=list)


_groups: weakref.WeakKeyDictionary[Any, _CommitGroup] = weakref.WeakKeyDictionary()


def _run_group(
    group: _CommitGroup, conn: sqlite3.Connection, loop: asyncio.AbstractEventLoop
) -> None:
    """In aiosqlite's thread: every waiting batch, then their futures set in the loop.

    Every SQLite step (BEGIN, each statement, each row fetched, COMMIT) lets go of the GIL,
    and taking it back waits for the busy event loop thread: hence no transaction for a
    batch alone (each statement commits on its own), the first row only, and an inserted
    id from the cursor rather than RETURNING. A failing statement undoes itself only (SQLite
    aborts the statement, not the transaction): its batch fails, the others stand, unless
    the error ended the transaction, which fails them all."""
    with group.lock:
        batches, group.waiting = group.waiting, []
    grouped = len(batches) > 1
    try:
        if grouped:
            conn.execute("BEGIN IMMEDIATE")
        for batch in batches:
            try:
                batch.outcome = _run_statements(conn, batch.statements, batch.until_insert)
            except Exception as exc:
                if grouped and not conn.in_transaction:
                    raise
                batch.outcome = exc
        if grouped:
            conn.execute("COMMIT")
    except Exception as exc:
        if conn.in_transaction:
            with contextlib.suppress(Exception):
                conn.rollback()
        for batch in batches:
            batch.outcome = exc
    loop.call_soon_threadsafe(_settle, batches)


def _settle(batches: list[_Batch]) -> None:
    for batch in batches:
        if batch.future.done():  # its caller was cancelled
            continue
        if isinstance(batch.outcome, BaseException):
            batch.future.set_exception(batch.outcome)
        else:
            assert batch.outcome is not None
            batch.future.set_result(batch.outcome)


async def sqlite_batch(
    statements: Sequence[Statement], *, until_insert: bool = False
) -> list[Outcome]:
    """SQLite only, outside a transaction: statements written with {0}, {1}... in a single
    trip to aiosqlite's thread (committed with the other batches waiting then: see
    _CommitGroup). For each statement its first row as a dict, else the rowid it inserted
    (INSERT), else None. With `until_insert`, the statements after one that inserted a row
    are not run (None). A failing statement raises (IntegrityError as Tortoise raises it)
    and keeps what the statements before it did.

    Tortoise makes a trip per statement (plus BEGIN and COMMIT) and holds its connection
    lock until each comes back, so the thread idles while the event loop gets round to the
    next one. This holds the lock only to queue the batch: once no Tortoise transaction is
    open, the thread runs what it was given in order."""
    client = _client()
    assert dialect() == "sqlite" and not isinstance(client, TransactionalDBClient)
    loop = asyncio.get_running_loop()
    future: asyncio.Future[list[Outcome]] = loop.create_future()
    batch = _Batch(
        [(_placeholders(sql, "sqlite"), list(values)) for sql, values in statements],
        until_insert,
        future,
    )
    async with client.acquire_connection() as connection:  # Tortoise's lock on its connection
        if not connection._running or connection._connection is None:
            raise ValueError("Connection closed")
        group = _groups.get(connection) or _groups.setdefault(connection, _CommitGroup())
        with group.lock:
            group.waiting.append(batch)
            first = len(group.waiting) == 1
        if first:  # else a run queued already takes it
            # aiosqlite's queue (private, the same since 0.17): the thread runs the call.
            run = partial(_run_group, group, connection._conn, loop)
            connection._tx.put_nowait((None, run))
    try:
        return await future
    except sqlite3.IntegrityError as exc:
        raise IntegrityError(exc) from exc
    except sqlite3.OperationalError as exc:
        raise OperationalError(exc) from exc


def first_row(outcome: Outcome) -> dict[str, Any] | None:
    """The row a batch statement gave back (None: it found nothing)."""
    assert not isinstance(outcome, int)
    return outcome


@cache
def columns(model: type[Model], alias: str, only: tuple[str, ...] | None = None) -> str:
    """Every column of a model (or `only` these), as `alias.col AS "alias.col"`, for
    `from_row`."""
    return ", ".join(f'{alias}."{c}" AS "{alias}.{c}"' for c in only or model._meta.db_fields)


Conversion = tuple[str, str, Callable[[Any], Any] | None, bool]


@cache
def _conversions(model: type[Model], alias: str, only: tuple[str, ...]) -> list[Conversion]:
    """For each selected column: its key in the row, the attribute it sets, how its value is
    converted (None: the driver's value as it is) and whether None skips the conversion —
    what Tortoise's `_init_from_db` works out again on every partial row."""
    meta = model._meta
    plan: dict[str, Conversion] = {}
    for key, attribute, _ in meta.db_native_fields:
        plan[key] = (f"{alias}.{key}", attribute, None, False)
    for key, attribute, default_field in meta.db_default_fields:
        plan[key] = (f"{alias}.{key}", attribute, default_field.field_type, True)
    for key, attribute, complex_field in meta.db_complex_fields:
        plan[key] = (f"{alias}.{key}", attribute, complex_field.to_python_value, False)
    return [plan[column] for column in only]


def from_row(
    model: type[ModelT], row: Mapping[str, Any], alias: str, only: tuple[str, ...] | None = None
) -> ModelT | None:
    """The model instance selected with `columns(model, alias, only)`, None for a LEFT JOIN
    miss. With `only`, a partial instance: the other fields are not there to read."""
    if row[f"{alias}.{model._meta.db_pk_column}"] is None:
        return None
    if only is None:
        return model._init_from_db(**{c: row[f"{alias}.{c}"] for c in model._meta.db_fields})
    # A partial row, as Tortoise's _init_from_db builds one, minus its per-row bookkeeping.
    instance = model.__new__(model)
    set_attribute = object.__setattr__
    for flag, value in (("_partial", True), ("_saved_in_db", True), ("_await_when_save", {})):
        set_attribute(instance, flag, value)
    generated = model._meta.db_pk_column in model._meta.generated_db_fields
    set_attribute(instance, "_custom_generated_pk", not generated)
    for key, attribute, convert, none_as_is in _conversions(model, alias, only):
        value = row[key]
        if convert is not None and not (none_as_is and value is None):
            value = convert(value)
        set_attribute(instance, attribute, value)
    return instance


# For Tortoise's own CLI: `tortoise -c feedback_service.db.TORTOISE_ORM makemigrations`.
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", "sqlite://data/feedback.sqlite3"))
