"""`db/sqlite_batch.py`, the one-trip statements of the one-click answer on SQLite: each
statement on its own, batches that arrive together committed together (one fsync) yet
failing alone, and never inside someone else's transaction."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Awaitable
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from feedback_service import db, internals
from feedback_service.db.operations import SqliteOperations
from feedback_service.db.sqlite_batch import run_batch
from feedback_service.outbox.models import WebhookEndpoint
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_shop

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="SQLite only: PostgreSQL uses single statements",
)

RENAME = 'UPDATE "shop" SET name = :name WHERE slug = :slug'
DUPLICATE_SLUG = 'UPDATE "shop" SET slug = :new_slug WHERE slug = :slug'
NAME_OF = 'SELECT name FROM "shop" WHERE slug = :slug'


def sqlite_batch(statements: Any, *, until_insert: bool = False) -> Awaitable[list[Any]]:
    """The statements (:name parameters) in one trip, as the one-click answer sends them."""
    operations = db.ops()
    assert isinstance(operations, SqliteOperations)
    compiled = [operations.compile(sql, params) for sql, params in statements]
    return run_batch(internals.current_client(), compiled, until_insert=until_insert)


async def test_statements_stand_on_their_own(db: str) -> None:
    await create_shop("One", "one")
    await create_shop("Two", "two")
    with pytest.raises(IntegrityError):
        await sqlite_batch(
            [
                (RENAME, {"name": "Renamed", "slug": "one"}),
                (DUPLICATE_SLUG, {"new_slug": "two", "slug": "one"}),
            ]
        )
    assert await Shop.get(slug="one").values_list("name", flat=True) == "Renamed"
    inserted, found, missing = await sqlite_batch(
        [
            (
                'INSERT INTO "click" (invitation_id, score, outcome, user_agent, created_at)'
                " SELECT 1, 1, 'pending', '', '2026-01-01' WHERE 0",
                {},
            ),
            ('SELECT slug FROM "shop" WHERE name = :name', {"name": "Two"}),
            ('SELECT slug FROM "shop" WHERE name = :name', {"name": "Nobody"}),
        ]
    )
    assert (inserted, found, missing) == (None, {"slug": "two"}, None)
    shop = await Shop.get(slug="two")
    (rowid,) = await sqlite_batch(
        [
            (
                'INSERT INTO "webhook_endpoint" (shop_id, url, secret, events, created_at)'
                " VALUES (:shop, 'https://example.com/h', 's', '[]', '2026-01-01')",
                {"shop": shop.id},
            )
        ]
    )
    assert rowid == (await WebhookEndpoint.get(shop=shop)).id


async def test_a_batch_waits_for_an_open_transaction_and_is_not_part_of_it(db: str) -> None:
    await create_shop("One", "one")
    await create_shop("Two", "two")
    started = asyncio.Event()

    async def rolled_back() -> None:
        with pytest.raises(RuntimeError):
            async with in_transaction():
                await Shop.filter(slug="one").update(name="Never")
                started.set()
                await asyncio.sleep(0.05)
                raise RuntimeError("undo")

    async def batch() -> None:
        await started.wait()
        await sqlite_batch([(RENAME, {"name": "Kept", "slug": "two"})])

    await asyncio.gather(rolled_back(), batch())
    names = dict(await Shop.all().values_list("slug", "name"))
    assert names == {"one": "One", "two": "Kept"}


async def test_until_insert_skips_what_follows_a_row_inserted(db: str) -> None:
    shop, _ = await create_shop("One", "one")
    insert = (
        'INSERT INTO "webhook_endpoint" (shop_id, url, secret, events, created_at)'
        " SELECT :shop, 'https://example.com/h', 's', '[]', '2026-01-01' WHERE :insert"
    )
    lookup = ('SELECT name FROM "shop" WHERE id = :shop', {"shop": shop.id})
    rowid, skipped = await sqlite_batch(
        [(insert, {"shop": shop.id, "insert": 1}), lookup], until_insert=True
    )
    assert rowid == (await WebhookEndpoint.get(shop=shop)).id and skipped is None
    # Nothing inserted: the lookup runs.
    nothing, found = await sqlite_batch(
        [(insert, {"shop": shop.id, "insert": 0}), lookup], until_insert=True
    )
    assert (nothing, found) == (None, {"name": "One"})
    assert await WebhookEndpoint.filter(shop=shop).count() == 1


async def _together(*batches: Awaitable[Any]) -> list[Any]:
    """The batches' outcomes (or exceptions), all queued while aiosqlite's thread is busy,
    as clicks arriving under load are."""
    release = threading.Event()
    async with internals.current_client().acquire_connection() as connection:
        busy = asyncio.ensure_future(connection._execute(release.wait))
    tasks = [asyncio.ensure_future(batch) for batch in batches]
    await asyncio.sleep(0.05)  # each task has queued its batch
    release.set()
    await busy
    return await asyncio.gather(*tasks, return_exceptions=True)


async def _trace(statements: list[str] | None) -> None:
    """Record the statements aiosqlite's thread runs into `statements` (None: stop)."""
    async with internals.current_client().acquire_connection() as connection:
        callback = statements.append if statements is not None else None
        await connection._execute(connection._conn.set_trace_callback, callback)


async def test_batches_arriving_together_share_one_commit_and_fail_alone(db: str) -> None:
    slugs = [f"s{n}" for n in range(30)]
    for slug in slugs:
        await create_shop(slug.upper(), slug)

    def rename(slug: str) -> Awaitable[list[object]]:
        # s7 renames itself, then fails taking s8's slug: its rename stays, its lookup does
        # not run, and the batches committed with it are not undone.
        if slug == "s7":
            return sqlite_batch(
                [
                    (RENAME, {"name": "Seven", "slug": slug}),
                    (DUPLICATE_SLUG, {"new_slug": "s8", "slug": slug}),
                    (NAME_OF, {"slug": slug}),
                ]
            )
        return sqlite_batch(
            [(RENAME, {"name": f"New {slug}", "slug": slug}), (NAME_OF, {"slug": slug})]
        )

    statements: list[str] = []
    await _trace(statements)
    results = await _together(*(rename(slug) for slug in slugs))
    await _trace(None)

    assert isinstance(results[7], IntegrityError)
    assert [r for r in results if isinstance(r, BaseException)] == [results[7]]
    for slug, result in zip(slugs, results, strict=True):
        if slug != "s7":
            assert result == [None, {"name": f"New {slug}"}]
    names = dict(await Shop.all().values_list("slug", "name"))
    assert names == {slug: "Seven" if slug == "s7" else f"New {slug}" for slug in slugs}
    # 30 batches, one transaction: one commit (one fsync) for all.
    assert statements.count("BEGIN IMMEDIATE") == statements.count("COMMIT") == 1


async def test_a_group_whose_commit_fails_fails_every_batch(db: str) -> None:
    """A commit that cannot happen (here a foreign key checked at commit) fails every batch
    of the group, and none of them is stored."""
    await create_shop("One", "one")
    shop = await Shop.get(slug="one")
    endpoint = (
        'INSERT INTO "webhook_endpoint" (shop_id, url, secret, events, created_at)'
        " VALUES (:shop, 'https://example.com/h', 's', '[]', '2026-01-01')"
    )
    results = await _together(
        sqlite_batch([(RENAME, {"name": "Renamed", "slug": "one"})]),
        sqlite_batch([("PRAGMA defer_foreign_keys = ON", {}), (endpoint, {"shop": 999999})]),
        sqlite_batch([(endpoint, {"shop": shop.id})]),
    )
    assert all(isinstance(result, IntegrityError) for result in results), results
    assert await Shop.get(slug="one").values_list("name", flat=True) == "One"
    assert await WebhookEndpoint.all().count() == 0
    # The connection is usable again: the next batch commits on its own.
    assert await sqlite_batch(
        [(RENAME, {"name": "Renamed", "slug": "one"}), (NAME_OF, {"slug": "one"})]
    ) == [
        None,
        {"name": "Renamed"},
    ]
