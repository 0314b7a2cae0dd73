"""What differs between SQLite and PostgreSQL, one class per engine (as Django's
`operations.py`): the placeholders of `:name` parameters and how values reach the engine,
the SQL whose spelling differs, and the fastest way for a statement to reach the database.
Domain code asks `db.ops()` for a snippet and never which engine it runs on."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import asyncpg
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from feedback_service import internals
from feedback_service.db.sqlite_batch import run_batch

Row = Mapping[str, Any]

# A `:name` parameter, outside quoted text; `::` is PostgreSQL's cast, never a parameter.
_PARAMETER = re.compile(r"'(?:[^']|'')*'|(?<![:\w]):([a-z_][a-z0-9_]*)")
_COMPILED_KEPT = 2000  # statements whose placeholders are kept worked out


class Operations:
    """One engine's SQL. `:name` parameters become numbered placeholders, each value passed
    once whatever the times its name appears."""

    name: ClassVar[str]
    mark: ClassVar[str]  # of a numbered placeholder
    # After a `SELECT … FOR UPDATE`'s LIMIT: the rows another transaction holds are skipped.
    skip_locked: ClassVar[str] = ""

    def __init__(self) -> None:
        self._compiled: dict[str, tuple[str, tuple[str, ...]]] = {}

    # --- parameters ------------------------------------------------------------------------

    def compile(self, sql: str, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
        """The statement with the engine's placeholders, and its values in their order."""
        text, names = self._compiled.get(sql) or self._numbered(sql)
        return text, [params[name] for name in names]

    def _numbered(self, sql: str) -> tuple[str, tuple[str, ...]]:
        names: dict[str, str] = {}

        def placeholder(match: re.Match[str]) -> str:
            name = match[1]
            if name is None:  # quoted text
                return match[0]
            return names.setdefault(name, f"{self.mark}{len(names) + 1}")

        text = _PARAMETER.sub(placeholder, sql)
        if len(self._compiled) >= _COMPILED_KEPT:  # SQL built with values in it would grow it
            self._compiled.clear()
        compiled = self._compiled[sql] = (text, tuple(names))
        return compiled

    # --- snippets --------------------------------------------------------------------------

    def period_bucket(self, column: str, every: str, starts: str) -> str:
        """The week or month (UTC) of a time column: either the first day of its period (a
        date) or the period's number among `starts` (a list parameter of aware datetimes,
        the periods' starts), numbered from 1 and 0 before the first."""
        raise NotImplementedError

    def json_items(self, column: str) -> str:
        """The elements of a JSON array column (none when it is not an array), as a table
        whose column `value` each is: `FROM t CROSS JOIN {json_items('t.c')} a`."""
        raise NotImplementedError

    def json_text(self, value: str, *path: str) -> str:
        """The text at `path` (keys) in a JSON value, NULL where there is none."""
        raise NotImplementedError

    def in_list(self, value: str, parameter: str) -> str:
        """`value` is one of a list parameter's values (`:name`): one statement, prepared
        once, whatever the list's length."""
        raise NotImplementedError

    def answer_of_invitation(self, answer: str, invitation: str) -> str:
        """Joins a sent invitation to its answer (at most one: its dedupe key). PostgreSQL
        hashes the answers of the period on the invitation (the key, built for each
        invitation, cost the response rate 35 % more CPU on 1 M answers)."""
        return f"{answer}.invitation_id = {invitation}.id"

    def before_earliest(self, column: str) -> str:
        """A stored time before the parameter :earliest (see date_bounds)."""
        return f"{column} < :earliest"

    def after_latest(self, column: str) -> str:
        """A stored time after the parameter :latest (see date_bounds)."""
        return f"{column} > :latest"

    def date_bounds(self, earliest: datetime, latest: datetime) -> dict[str, Any]:
        """The parameters of before_earliest and after_latest."""
        return {"earliest": earliest, "latest": latest}

    # --- running statements ----------------------------------------------------------------

    async def fetch(self, sql: str, params: Mapping[str, Any]) -> Sequence[Row]:
        query, values = self.compile(sql, params)
        return await internals.current_client().execute_query_dict(query, values)

    async def fetch_one(self, sql: str, params: Mapping[str, Any]) -> Row | None:
        rows = await self.fetch(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Mapping[str, Any]) -> int:
        query, values = self.compile(sql, params)
        changed, _ = await internals.current_client().execute_query(query, values)
        return int(changed)

    async def fetch_report(self, sql: str, params: Mapping[str, Any]) -> Sequence[Row]:
        return await self.fetch(sql, params)

    async def write_and_read(
        self, write: str, read: str, params: Mapping[str, Any], *, read_after_insert: bool
    ) -> tuple[int | None, Row | None]:
        raise NotImplementedError

    def gave_way(self, exc: BaseException) -> bool:
        """The engine rolled the transaction back for another one to go on (a deadlock's
        victim, a serialization failure): run again, it succeeds. (SQLite has one writer.)"""
        return False

    async def lock_transaction(self, key: int) -> None:
        """Until the transaction ends, other transactions taking this key wait."""

    async def plan_with_values(self) -> None:
        """Until the transaction ends, each statement is planned with its values."""


class SqliteOperations(Operations):
    name = "sqlite"
    mark = "?"
    # One host, one worker: no other transaction to skip the rows of.
    skip_locked = ""

    def __init__(self) -> None:
        super().__init__()
        # Values reach SQLite through sqlite3's adapters, which convert them in C, without
        # a Python call per value (that call cost 1% of a click's instructions,
        # benchmarks/answer_cpu.py --callgrind). Registered after Tortoise's own (at the
        # import of its SQLite executor), which they replace.
        import tortoise.backends.sqlite.executor  # noqa: F401

        sqlite3.register_adapter(datetime, _utc_text)
        sqlite3.register_adapter(list, json.dumps)

    def period_bucket(self, column: str, every: str, starts: str) -> str:
        if every == "week":
            # 'weekday 0' moves forward to Sunday (or stays on it); six days back is Monday.
            return f"date({column}, 'weekday 0', '-6 days')"
        return f"date({column}, 'start of month')"

    def json_items(self, column: str) -> str:
        return f"json_each(CASE WHEN json_type({column}) = 'array' THEN {column} ELSE '[]' END)"

    def json_text(self, value: str, *path: str) -> str:
        return f"CAST(json_extract({value}, '$.{'.'.join(path)}') AS TEXT)"

    def in_list(self, value: str, parameter: str) -> str:
        return f"{value} IN (SELECT value FROM json_each({parameter}))"

    # SQLite looks each invitation's answer up by its unique dedupe key: by the invitation
    # alone it read every answer of the period per invitation (2.5 s on 20,000 answers).
    def answer_of_invitation(self, answer: str, invitation: str) -> str:
        return (
            f"{answer}.dedupe_key = 'inv:' || {invitation}.id"
            f" AND {answer}.invitation_id = {invitation}.id"
        )

    # SQLite keeps the text with its offset: julianday() compares instants, not strings, and
    # only where the date's text is within a day of a bound (3x faster on 1M rows).
    def before_earliest(self, column: str) -> str:
        return f"({column} < :earliest_day AND julianday({column}) < julianday(:earliest))"

    def after_latest(self, column: str) -> str:
        # julianday() is NULL past 9999-12-31 UTC.
        return (
            f"({column} > :latest_day AND "
            f"coalesce(julianday({column}) > julianday(:latest), {column} IS NOT NULL))"
        )

    def date_bounds(self, earliest: datetime, latest: datetime) -> dict[str, Any]:
        day = timedelta(days=1)
        return {
            "earliest": earliest,
            "latest": latest,
            "earliest_day": (earliest + day).date().isoformat(),
            "latest_day": (latest - day).date().isoformat(),
        }

    async def fetch_one(self, sql: str, params: Mapping[str, Any]) -> Row | None:
        """Outside a transaction, in a single trip to aiosqlite's thread (sqlite_batch)."""
        client = internals.current_client()
        if isinstance(client, TransactionalDBClient):
            return await super().fetch_one(sql, params)
        (outcome,) = await run_batch(client, [self.compile(sql, params)])
        return outcome if isinstance(outcome, dict) else None

    async def write_and_read(
        self, write: str, read: str, params: Mapping[str, Any], *, read_after_insert: bool
    ) -> tuple[int | None, Row | None]:
        # Each statement commits on its own, in one trip to aiosqlite's thread.
        inserted, found = await run_batch(
            internals.current_client(),
            [self.compile(write, params), self.compile(read, params)],
            until_insert=not read_after_insert,
        )
        return (
            inserted if isinstance(inserted, int) else None,
            found if isinstance(found, dict) else None,
        )


def _utc_text(value: datetime) -> str:
    """Tortoise stores aware datetimes as UTC text, "2024-05-01 08:00:00+00:00", and SQLite
    compares them as text: parameters must use the same spelling to compare right (a naive
    one stays as it is, as Tortoise's own adapter left it)."""
    if value.tzinfo is not None and value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ")


class PostgresOperations(Operations):
    name = "postgres"
    mark = "$"
    skip_locked = " FOR UPDATE SKIP LOCKED"

    # For fetch_report's queries only, until their transaction ends. JIT compiles an
    # aggregate over many rows in 50–500 ms, longer than the query then runs; the hash joins
    # and aggregates over a shop's customers and orders (a hundred thousand rows) stay in
    # memory, not on disk. A report runs its queries side by side already: parallel workers
    # only add to their cost.
    REPORT_SETTINGS = (
        "SET LOCAL jit = off; SET LOCAL work_mem = '32MB'; "
        "SET LOCAL max_parallel_workers_per_gather = 0"
    )

    def __init__(self) -> None:
        super().__init__()
        self._write_and_read: dict[tuple[str, str], str] = {}

    def period_bucket(self, column: str, every: str, starts: str) -> str:
        # A binary search over the periods' starts: several times cheaper per row than
        # date_trunc.
        return f"width_bucket({column}, CAST({starts} AS timestamptz[]))"

    def json_items(self, column: str) -> str:
        return (
            f"jsonb_array_elements(CASE WHEN jsonb_typeof({column}) = 'array'"
            f" THEN {column} ELSE '[]'::jsonb END)"
        )

    def json_text(self, value: str, *path: str) -> str:
        return f"({value} #>> '{{{','.join(path)}}}')"

    def in_list(self, value: str, parameter: str) -> str:
        return f"{value} = ANY({parameter})"

    async def fetch(self, sql: str, params: Mapping[str, Any]) -> Sequence[Row]:
        client = internals.current_client()
        query, values = self.compile(sql, params)
        pool = internals.asyncpg_pool(client)
        if pool is None:
            return await client.execute_query_dict(query, values)
        try:
            rows: list[asyncpg.Record] = await pool.fetch(query, *values)
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise IntegrityError(exc) from exc
        return rows

    async def execute(self, sql: str, params: Mapping[str, Any]) -> int:
        client = internals.current_client()
        pool = internals.asyncpg_pool(client)
        if pool is None:
            return await super().execute(sql, params)
        query, values = self.compile(sql, params)
        try:
            status: str = await pool.execute(query, *values)
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise IntegrityError(exc) from exc
        return int(status.rsplit(" ", 1)[-1]) if status[-1:].isdigit() else 0

    async def fetch_report(self, sql: str, params: Mapping[str, Any]) -> Sequence[Row]:
        query, values = self.compile(sql, params)
        async with in_transaction() as transaction:
            await transaction.execute_script(self.REPORT_SETTINGS)
            return await transaction.execute_query_dict(query, values)

    async def write_and_read(
        self, write: str, read: str, params: Mapping[str, Any], *, read_after_insert: bool
    ) -> tuple[int | None, Row | None]:
        # One statement: the read sees the rows as they were before the write.
        sql = self._write_and_read.get((write, read))
        if sql is None:
            sql = self._write_and_read[(write, read)] = (
                f'WITH w AS ({write} RETURNING id) SELECT *, (SELECT id FROM w) AS "w.id"'
                f" FROM ({read}) r"
            )
        rows = await self.fetch(sql, params)
        return (rows[0]["w.id"], rows[0]) if rows else (None, None)

    def gave_way(self, exc: BaseException) -> bool:
        # SQLSTATE class 40 (40P01 deadlock, 40001 serialization), raised as it is or as the
        # cause of Tortoise's own exception.
        while exc is not None:
            if isinstance(exc, asyncpg.exceptions.TransactionRollbackError):
                return True
            exc = exc.__cause__  # type: ignore[assignment]
        return False

    async def lock_transaction(self, key: int) -> None:
        await self.fetch("SELECT pg_advisory_xact_lock(:key)", {"key": key})

    async def plan_with_values(self) -> None:
        # asyncpg prepares each statement once; after a few runs PostgreSQL may keep a
        # generic plan, which compares every row with each of the thousand parameters of an
        # IN list (a 100,000-order import slowed from 1,000 to 300 orders/s as the tables
        # grew). Planned with the values, the list is hashed and the unique indexes used.
        await internals.current_client().execute_script(
            "SET LOCAL plan_cache_mode = force_custom_plan"
        )
