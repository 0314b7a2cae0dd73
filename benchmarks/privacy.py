"""GDPR export and erasure of one customer in a shop whose outbox holds many messages.

    .venv/bin/python benchmarks/privacy.py [--rows 100000] [--database-url URL]

Without --database-url, a new SQLite file in a temporary directory. A PostgreSQL URL's
schema `public` is DROPPED and recreated: give a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from feedback_service.db import close_db, init_db, migrate
from feedback_service.orders.models import Customer
from feedback_service.outbox.models import OutboxMessage
from feedback_service.privacy import services as privacy
from feedback_service.shops.services import create_shop

EMAIL = "someone@example.fr"


def webhook(shop_id: int, i: int, customer_id: int, now: datetime) -> OutboxMessage:
    data = {"id": i, "survey": "nps", "score": i % 11, "customer_id": customer_id}
    data["comment"] = "Un commentaire d'une longueur ordinaire, sur la livraison. " * 3
    return OutboxMessage(
        shop_id=shop_id,
        kind="webhook",
        message_id=f"msg_{i}",
        payload={"type": "comment.added", "timestamp": now.isoformat(), "data": data},
        due_at=now,
        state="done",
    )


async def fill(rows: int) -> int:
    shop, _ = await create_shop("Bench", "bench")
    others = await Customer.create(shop=shop, email="others@example.fr")
    person = await Customer.create(shop=shop, email=EMAIL, name="Some One")
    now = datetime.now(UTC)
    for start in range(0, rows, 5000):
        await OutboxMessage.bulk_create(
            [
                # One message in a thousand is about the person.
                webhook(shop.id, i, person.id if i % 1000 == 0 else others.id, now)
                for i in range(start, min(rows, start + 5000))
            ]
        )
    return shop.id


async def main(database_url: str, rows: int) -> None:
    if database_url.startswith("postgres"):
        conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await conn.close()
    await migrate(database_url)
    await init_db(database_url)
    try:
        await fill(rows)
        shop = await Customer.get(email=EMAIL).prefetch_related("shop")
        started = time.perf_counter()
        exported = await privacy.export_customer(shop.shop, EMAIL)
        export_s = time.perf_counter() - started
        started = time.perf_counter()
        await privacy.erase_customer(shop.shop, EMAIL, Path(tempfile.mkdtemp()))
        erase_s = time.perf_counter() - started
        engine = database_url.split(":", 1)[0]
        print(
            f"{engine}: {rows} outbox rows, {len(exported['messages'])} about the customer: "
            f"export {export_s * 1000:.0f} ms, erase {erase_s * 1000:.0f} ms"
        )
    finally:
        await close_db()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or f"sqlite://{tempfile.mkdtemp()}/privacy.sqlite3"
    asyncio.run(main(url, args.rows))
