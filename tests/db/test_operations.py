"""The SQL layer: `:name` parameters on both engines, values only as parameters, and each
engine's snippets giving the same rows."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from feedback_service import db
from feedback_service.db.operations import PostgresOperations, SqliteOperations
from feedback_service.outbox.models import OutboxMessage, WebhookEndpoint
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_shop

QUERY = (
    "SELECT CAST(x AS date)::text, ':quoted', 'it''s :not' FROM t"
    " WHERE a = :shop AND b < :end AND c = :shop"
)


def test_named_parameters_become_numbered_placeholders_each_value_passed_once() -> None:
    at_two = datetime(2024, 1, 1, 1, tzinfo=timezone(timedelta(hours=2)))
    params = {"shop": 7, "end": at_two, "unused": 1}
    on_pg, pg_values = PostgresOperations().compile(QUERY, params)
    assert on_pg == QUERY.replace(":shop", "$1").replace(":end", "$2")
    assert pg_values == [7, at_two]
    on_sqlite, sqlite_values = SqliteOperations().compile(QUERY, params)
    assert on_sqlite == QUERY.replace(":shop", "?1").replace(":end", "?2")
    assert sqlite_values == [7, at_two]


def test_sqlite_gets_times_as_tortoise_stores_them_and_lists_as_json() -> None:
    sql, values = SqliteOperations().compile(
        "SELECT :at, :naive, :ids",
        {
            "at": datetime(2024, 1, 1, 1, tzinfo=timezone(timedelta(hours=2))),
            "naive": datetime(2024, 1, 1, 1),
            "ids": [1, 2],
        },
    )
    with closing(sqlite3.connect(":memory:")) as connection:
        row = connection.execute(sql, values).fetchone()
    assert row == ("2023-12-31 23:00:00+00:00", "2024-01-01 01:00:00", "[1, 2]")


def test_a_parameter_without_a_value_is_named() -> None:
    with pytest.raises(KeyError, match="end"):
        PostgresOperations().compile(QUERY, {"shop": 7})


async def _messages(shop: Shop, *payloads: Any) -> list[int]:
    now = datetime.now(UTC)
    ids = []
    for n, payload in enumerate(payloads):
        message = await OutboxMessage.create(
            shop=shop, kind="webhook", message_id=f"m{n}", payload=payload, due_at=now
        )
        ids.append(message.id)
    return ids


@pytest.mark.usefixtures("db")
async def test_in_list_and_json_text_find_rows_by_a_list_of_values() -> None:
    shop, _ = await create_shop("One", "one")
    ids = await _messages(shop, {"data": {"id": 1}}, {"data": {"id": 2}}, {"data": {}}, [])
    ops = db.ops()
    by_data_id = (
        "SELECT id FROM outbox_message"
        f" WHERE {ops.in_list(ops.json_text('payload', 'data', 'id'), ':ids')} ORDER BY id"
    )
    rows = await db.fetch(by_data_id, {"ids": ["2", "1", "9"]})
    assert [row["id"] for row in rows] == ids[:2]
    assert await db.fetch(by_data_id, {"ids": []}) == []
    by_id = f"SELECT id FROM outbox_message WHERE {ops.in_list('id', ':ids')} ORDER BY id"
    rows = await db.fetch(by_id, {"ids": [ids[3], ids[1]]})
    assert [row["id"] for row in rows] == [ids[1], ids[3]]


@pytest.mark.usefixtures("db")
async def test_json_items_are_the_elements_of_array_columns_only() -> None:
    shop, _ = await create_shop("One", "one")
    await _messages(shop, [{"name": "b"}, {"name": "a"}], {"name": "not an array"}, [{}])
    ops = db.ops()
    rows = await db.fetch(
        f"SELECT {ops.json_text('e.value', 'name')} AS name"
        f" FROM outbox_message m CROSS JOIN {ops.json_items('m.payload')} e ORDER BY 1"
    )
    names = sorted(row["name"] for row in rows if row["name"] is not None)
    assert (names, len(rows)) == (["a", "b"], 3)


@pytest.mark.usefixtures("db")
async def test_statements_outside_and_inside_a_transaction() -> None:
    await create_shop("One", "one")
    await create_shop("Two", "two")
    name_of = "SELECT name FROM shop WHERE slug = :slug"
    rename = "UPDATE shop SET name = :name WHERE slug = :slug"
    row = await db.fetch_one(name_of, {"slug": "one"})
    assert row is not None and row["name"] == "One"
    assert await db.fetch_one(name_of, {"slug": "nobody"}) is None
    assert await db.execute(rename, {"name": "Uno", "slug": "one"}) == 1
    with pytest.raises(IntegrityError):  # as Tortoise raises it, on either path
        await db.execute("UPDATE shop SET slug = 'two' WHERE slug = :slug", {"slug": "one"})
    async with in_transaction():
        await db.lock_transaction(12345)
        await db.plan_with_values()
        assert await db.execute(rename, {"name": "Dos", "slug": "two"}) == 1
        row = await db.fetch_one(name_of, {"slug": "two"})
        assert row is not None and row["name"] == "Dos"
    report = await db.fetch_report(
        "SELECT COUNT(*) AS n FROM shop WHERE name <> :name", {"name": ""}
    )
    assert db.as_int(report[0]["n"]) == 2


@pytest.mark.usefixtures("db")
async def test_write_and_read_in_one_round_trip() -> None:
    shop, _ = await create_shop("One", "one")
    write = (
        'INSERT INTO "webhook_endpoint" (shop_id, url, secret, events, created_at)'
        " SELECT id, 'https://example.com/h', 's', '[]', :now FROM \"shop\" WHERE id = :shop"
        ' AND NOT EXISTS (SELECT 1 FROM "webhook_endpoint" WHERE shop_id = :shop)'
    )
    read = 'SELECT name FROM "shop" WHERE id = :shop'
    params = {"shop": shop.id, "now": datetime.now(UTC)}
    inserted, row = await db.write_and_read(write, read, params)
    assert inserted == (await WebhookEndpoint.get(shop=shop)).id
    assert row is not None and row["name"] == "One"
    inserted, row = await db.write_and_read(write, read, params, read_after_insert=False)
    assert inserted is None and row is not None and row["name"] == "One"
    assert await db.write_and_read(write, read, {**params, "shop": shop.id + 1}) == (None, None)


@pytest.mark.usefixtures("db")
async def test_a_deadlocks_victim_runs_again_and_both_go_through() -> None:
    """Two transactions updating two shops in opposite orders: PostgreSQL rolls one back
    (deadlock detected) and `db.retried` runs it again. (SQLite has one writer: they run
    one after the other, nothing to retry.)"""
    first, _ = await create_shop("One", "one")
    second, _ = await create_shop("Two", "two")
    postgres = db.ops().name == "postgres"
    both_hold_one = asyncio.Barrier(2)
    runs: list[str] = []

    async def move(name: str, ids: tuple[int, int]) -> None:
        runs.append(name)
        async with in_transaction():
            await Shop.filter(id=ids[0]).update(name=f"{name} first")
            if postgres and len(runs) <= 2:  # each holds one row, then asks for the other's
                await both_hold_one.wait()
            await Shop.filter(id=ids[1]).update(name=f"{name} then")

    await asyncio.gather(
        db.retried(lambda: move("a", (first.id, second.id))),
        db.retried(lambda: move("b", (second.id, first.id))),
    )
    # Whichever went last updated both rows: each went through once, completely.
    assert {shop.name for shop in await Shop.all()} in (
        {"a then", "a first"},
        {"b then", "b first"},
    )
    assert len(runs) == (3 if postgres else 2)  # the victim ran twice


def test_only_a_transaction_the_engine_gave_up_is_run_again() -> None:
    import asyncpg

    deadlock = asyncpg.exceptions.DeadlockDetectedError("deadlock detected")
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = deadlock
    assert PostgresOperations().gave_way(deadlock) and PostgresOperations().gave_way(wrapped)
    assert not PostgresOperations().gave_way(IntegrityError("duplicate key"))
    assert not SqliteOperations().gave_way(deadlock)
