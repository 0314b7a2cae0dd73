"""Aggregate queries written once and run on SQLite or PostgreSQL.

Queries use `:name` parameters; `fetch` rewrites them to `?` (SQLite) or `$n` (asyncpg)
and converts values the way each engine stores them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

# `::` is PostgreSQL's cast, never a parameter.
_PARAMETER = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")

Row = dict[str, Any]


def connection() -> BaseDBAsyncClient:
    return get_connection("default")


def dialect() -> str:
    return str(connection().capabilities.dialect)


def compile_query(sql: str, params: Mapping[str, Any], dialect: str) -> tuple[str, list[Any]]:
    """`:name` parameters to the engine's placeholders, with the values in order."""
    values: list[Any] = []
    numbers: dict[str, int] = {}

    def placeholder(match: re.Match[str]) -> str:
        name = match.group(1)
        value = params[name]
        if dialect == "postgres":
            if name not in numbers:
                values.append(value)
                numbers[name] = len(values)
            return f"${numbers[name]}"
        values.append(_sqlite_value(value))
        return "?"

    return _PARAMETER.sub(placeholder, sql), values


def _sqlite_value(value: Any) -> Any:
    # Tortoise stores aware datetimes as UTC text, "2024-05-01 08:00:00+00:00", and
    # compares them as text: parameters must use the same spelling to compare right.
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(sep=" ")
    return value


# PostgreSQL settings for these queries only, until their transaction ends. JIT compiles an
# aggregate over many rows in 50–500 ms, longer than the query then runs; the hash joins
# and aggregates over a shop's customers and orders (a hundred thousand rows) stay in
# memory, not on disk.
# A call runs its queries side by side already: parallel workers only add to their cost.
_POSTGRES_SETTINGS = (
    "SET LOCAL jit = off; SET LOCAL work_mem = '32MB'; "
    "SET LOCAL max_parallel_workers_per_gather = 0"
)


async def fetch(sql: str, params: Mapping[str, Any]) -> list[Row]:
    conn = connection()
    dialect = str(conn.capabilities.dialect)
    query, values = compile_query(sql, params, dialect)
    if dialect != "postgres":
        return list(await conn.execute_query_dict(query, values))
    async with in_transaction() as transaction:
        await transaction.execute_script(_POSTGRES_SETTINGS)
        return list(await transaction.execute_query_dict(query, values))


def week_start(column: str) -> str:
    """SQL for the Monday (UTC) of the week of a timestamp column."""
    if dialect() == "postgres":
        return f"CAST(date_trunc('week', {column} AT TIME ZONE 'UTC') AS date)"
    # 'weekday 0' moves forward to Sunday (or stays on it); six days back is Monday.
    return f"date({column}, 'weekday 0', '-6 days')"


def month_start(column: str) -> str:
    """SQL for the first day (UTC) of the month of a timestamp column."""
    if dialect() == "postgres":
        return f"CAST(date_trunc('month', {column} AT TIME ZONE 'UTC') AS date)"
    return f"date({column}, 'start of month')"


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
