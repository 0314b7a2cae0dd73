"""SQLite: statements in a single trip to aiosqlite's thread, committed together with the
other batches waiting then (one fsync for all)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.exceptions import IntegrityError, OperationalError

from feedback_service import internals

# A statement with `?n` placeholders and its values.
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
    statements: Sequence[Statement]
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

    def run(self, loop: asyncio.AbstractEventLoop, conn: sqlite3.Connection) -> None:
        """In aiosqlite's thread: every waiting batch, then their futures set in the loop.

        Every SQLite step (BEGIN, each statement, each row fetched, COMMIT) lets go of the
        GIL, and taking it back waits for the busy event loop thread: hence no transaction
        for a batch alone (each statement commits on its own), the first row only, and an
        inserted id from the cursor rather than RETURNING. A failing statement undoes itself
        only (SQLite aborts the statement, not the transaction): its batch fails, the others
        stand, unless the error ended the transaction, which fails them all."""
        with self.lock:
            batches, self.waiting = self.waiting, []
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


_groups: weakref.WeakKeyDictionary[Any, _CommitGroup] = weakref.WeakKeyDictionary()


async def run_batch(
    client: BaseDBAsyncClient, statements: Sequence[Statement], *, until_insert: bool = False
) -> list[Outcome]:
    """Outside a transaction: the statements in a single trip to aiosqlite's thread
    (committed with the other batches waiting then: see _CommitGroup). For each statement
    its first row as a dict, else the rowid it inserted (INSERT), else None. With
    `until_insert`, the statements after one that inserted a row are not run (None). A
    failing statement raises (IntegrityError as Tortoise raises it) and keeps what the
    statements before it did.

    Tortoise makes a trip per statement (plus BEGIN and COMMIT) and holds its connection
    lock until each comes back, so the thread idles while the event loop gets round to the
    next one. This holds the lock only to queue the batch: once no Tortoise transaction is
    open, the thread runs what it was given in order."""
    assert not isinstance(client, TransactionalDBClient)
    loop = asyncio.get_running_loop()
    future: asyncio.Future[list[Outcome]] = loop.create_future()
    batch = _Batch(statements, until_insert, future)
    async with client.acquire_connection() as connection:  # Tortoise's lock on its connection
        group = _groups.get(connection) or _groups.setdefault(connection, _CommitGroup())
        with group.lock:
            group.waiting.append(batch)
            first = len(group.waiting) == 1
        if first:  # else a run queued already takes it
            internals.queue_on_sqlite_thread(connection, partial(group.run, loop))
    try:
        return await future
    except sqlite3.IntegrityError as exc:
        raise IntegrityError(exc) from exc
    except sqlite3.OperationalError as exc:
        raise OperationalError(exc) from exc
