"""`db.sqlite_batch`, the one-trip statements of the one-click answer on SQLite: whole or
not at all when atomic, each on its own otherwise, and never inside someone else's
transaction."""

from __future__ import annotations

import asyncio

import pytest
from conftest import TEST_DATABASE_URL
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from feedback_service.db import sqlite_batch
from feedback_service.outbox.models import WebhookEndpoint
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_shop

pytestmark = pytest.mark.skipif(
    bool(TEST_DATABASE_URL), reason="SQLite only: PostgreSQL uses single statements"
)

RENAME = 'UPDATE "shop" SET name = {0} WHERE slug = {1}'
DUPLICATE_SLUG = 'UPDATE "shop" SET slug = {0} WHERE slug = {1}'


async def test_a_failing_statement_undoes_the_batch(db: str) -> None:
    await create_shop("One", "one")
    await create_shop("Two", "two")
    with pytest.raises(IntegrityError):
        await sqlite_batch(
            [(RENAME, ("Renamed", "one")), (DUPLICATE_SLUG, ("two", "one"))], atomic=True
        )
    assert await Shop.get(slug="one").values_list("name", flat=True) == "One"
    outcomes = await sqlite_batch(
        [(RENAME, ("Renamed", "one")), ('SELECT name FROM "shop" WHERE slug = {0}', ("one",))],
        atomic=True,
    )
    assert outcomes == [None, {"name": "Renamed"}]


async def test_statements_not_atomic_stand_on_their_own(db: str) -> None:
    await create_shop("One", "one")
    await create_shop("Two", "two")
    with pytest.raises(IntegrityError):
        await sqlite_batch(
            [(RENAME, ("Renamed", "one")), (DUPLICATE_SLUG, ("two", "one"))], atomic=False
        )
    assert await Shop.get(slug="one").values_list("name", flat=True) == "Renamed"
    inserted, found, missing = await sqlite_batch(
        [
            (
                'INSERT INTO "click" (invitation_id, score, outcome, user_agent, created_at)'
                " SELECT 1, 1, 'pending', '', '2026-01-01' WHERE 0",
                (),
            ),
            ('SELECT slug FROM "shop" WHERE name = {0}', ("Two",)),
            ('SELECT slug FROM "shop" WHERE name = {0}', ("Nobody",)),
        ],
        atomic=False,
    )
    assert (inserted, found, missing) == (None, {"slug": "two"}, None)
    shop = await Shop.get(slug="two")
    (rowid,) = await sqlite_batch(
        [
            (
                'INSERT INTO "webhook_endpoint" (shop_id, url, secret, events, created_at)'
                " VALUES ({0}, 'https://example.com/h', 's', '[]', '2026-01-01')",
                (shop.id,),
            )
        ],
        atomic=False,
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
        await sqlite_batch([(RENAME, ("Kept", "two"))], atomic=True)

    await asyncio.gather(rolled_back(), batch())
    names = dict(await Shop.all().values_list("slug", "name"))
    assert names == {"one": "One", "two": "Kept"}


async def test_until_insert_skips_what_follows_a_row_inserted(db: str) -> None:
    shop, _ = await create_shop("One", "one")
    insert = (
        'INSERT INTO "webhook_endpoint" (shop_id, url, secret, events, created_at)'
        " SELECT {0}, 'https://example.com/h', 's', '[]', '2026-01-01' WHERE {1}"
    )
    lookup = ('SELECT name FROM "shop" WHERE id = {0}', (shop.id,))
    rowid, skipped = await sqlite_batch(
        [(insert, (shop.id, 1)), lookup], atomic=False, until_insert=True
    )
    assert rowid == (await WebhookEndpoint.get(shop=shop)).id and skipped is None
    # Nothing inserted: the lookup runs.
    nothing, found = await sqlite_batch(
        [(insert, (shop.id, 0)), lookup], atomic=False, until_insert=True
    )
    assert (nothing, found) == (None, {"name": "One"})
    assert await WebhookEndpoint.filter(shop=shop).count() == 1
