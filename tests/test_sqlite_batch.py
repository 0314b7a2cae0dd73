"""`db.sqlite_batch`, the one-trip statements of the one-click answer on SQLite: whole or
not at all, and never inside someone else's transaction."""

from __future__ import annotations

import asyncio

import pytest
from conftest import TEST_DATABASE_URL
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from feedback_service.db import sqlite_batch
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
        await sqlite_batch([(RENAME, ("Renamed", "one")), (DUPLICATE_SLUG, ("two", "one"))])
    assert await Shop.get(slug="one").values_list("name", flat=True) == "One"
    rows = await sqlite_batch(
        [(RENAME, ("Renamed", "one")), ('SELECT name FROM "shop" WHERE slug = {0}', ("one",))]
    )
    assert rows == [[], [{"name": "Renamed"}]]


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
        await sqlite_batch([(RENAME, ("Kept", "two"))])

    await asyncio.gather(rolled_back(), batch())
    names = dict(await Shop.all().values_list("slug", "name"))
    assert names == {"one": "One", "two": "Kept"}
