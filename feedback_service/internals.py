"""Every use of a library's private parts, in one module, checked against the versions it
was written for.

Each function reaches past a library's public API where a benchmark showed the public way
cost too much, and names that benchmark. `check_versions()` runs at start-up (the app's
lifespan, the worker, every command that opens the database): another version of one of
these libraries stops the process with an error that says what to do, instead of failing
on a click. tests/test_internals.py checks that no other module touches these names.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from importlib.metadata import version as installed_version
from typing import Any, TypeVar

import aiosqlite
import asyncpg
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.connection import get_connection
from tortoise.models import Model

ModelT = TypeVar("ModelT", bound=Model)

# The release series each library's private parts below were read in.
WRITTEN_FOR = {"tortoise-orm": "1.1", "aiosqlite": "0.22"}


class UnsupportedVersion(RuntimeError):
    """A library is not of the version this module was written for."""


def check_versions() -> None:
    """Raise UnsupportedVersion unless every library is of the series it was written for."""
    for library, series in WRITTEN_FOR.items():
        found = installed_version(library)
        if found.split(".")[:2] != series.split("."):
            raise UnsupportedVersion(
                f"{library} {found} is installed, but feedback_service/internals.py uses "
                f"private parts of {library} {series}.x. Install {library} {series}.x "
                f"(pip install '{library}=={series}.*'), or read each function of "
                f"feedback_service/internals.py against {library} {found}, adapt it and "
                "update WRITTEN_FOR."
            )


# --- tortoise-orm ---------------------------------------------------------------------------


def current_client() -> BaseDBAsyncClient:
    """connections.get("default"), in the current transaction if any, without its check that
    the event loop is the one the client was made on (2-3% of a click's CPU,
    benchmarks/answer_cpu.py): the app and the test suite each run one loop. Tortoise keeps
    the clients in a context variable (`_get_storage`); the first call of a context takes
    the public way."""
    client: BaseDBAsyncClient | None = connections._get_storage().get("default")
    return client if client is not None else get_connection("default")


def asyncpg_pool(client: BaseDBAsyncClient) -> asyncpg.Pool | None:
    """The asyncpg pool behind Tortoise's PostgreSQL client (`_pool`), for queries outside
    a transaction (None in one, or before the pool opens): Tortoise's wrapper around it (its
    lock, its exception translation, a dict per row) cost 8% of a click's CPU
    (benchmarks/answer_cpu.py)."""
    if isinstance(client, TransactionalDBClient):
        return None
    pool: asyncpg.Pool | None = getattr(client, "_pool", None)
    return pool


def model_from_db(model: type[ModelT], values: dict[str, Any]) -> ModelT:
    """An instance of a whole row read by raw SQL, by column, converted as Tortoise converts
    its own rows (`_init_from_db`): the model's __init__ checks every field again (4% of a
    click's CPU, benchmarks/answer_cpu.py)."""
    return model._init_from_db(**values)


def partial_model(model: type[ModelT]) -> ModelT:
    """An instance with no field set yet, flagged partial as `_init_from_db` flags the rows
    of `.only()`: saving it then needs `update_fields`, and the fields not set are not there
    to read. `_init_from_db` works the conversions out again on every partial row (~10% of a
    click's CPU, benchmarks/answer_cpu.py); db/rows.py sets the converted fields."""
    instance = model.__new__(model)
    set_attribute = object.__setattr__
    set_attribute(instance, "_partial", True)
    set_attribute(instance, "_saved_in_db", True)
    set_attribute(instance, "_await_when_save", {})
    generated = model._meta.db_pk_column in model._meta.generated_db_fields
    set_attribute(instance, "_custom_generated_pk", not generated)
    return instance


# --- aiosqlite ------------------------------------------------------------------------------


def queue_on_sqlite_thread(
    connection: aiosqlite.Connection, call: Callable[[sqlite3.Connection], None]
) -> None:
    """Queue `call(sqlite3 connection)` on aiosqlite's thread without waiting for it (its
    `_tx` queue, `_conn`, `_running`, `_connection`): db/sqlite_batch.py answers the callers
    itself once a commit group ran, so one trip to the thread and one fsync serve every click
    that came meanwhile (the one-click answer on SQLite, benchmarks/http_bench.py: the
    thread was the bottleneck). Raises ValueError once the connection is closed."""
    if not connection._running or connection._connection is None:
        raise ValueError("Connection closed")
    raw = connection._conn
    connection._tx.put_nowait((None, lambda: call(raw)))
