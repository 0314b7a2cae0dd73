"""Review block render time with 1,000 published reviews on one product.

    .venv/bin/python benchmarks/blocks.py [--database-url URL] [--runs 200]

Default database: a fresh SQLite file in /tmp. For PostgreSQL pass
postgres://postgres@127.0.0.1:5432/bench_blocks (the database is created if missing).
Times the whole request through the app (ASGI, no network): a full render of page 1
(20 reviews), a later page, and a 304 revalidation.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from feedback_service.app import create_app
from feedback_service.db import close_db, init_db, migrate
from feedback_service.orders.models import Product
from feedback_service.reviews.models import Review
from feedback_service.reviews.services import refresh_product_rating
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop


async def fresh_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def seed() -> None:
    shop = await Shop.create(slug="bench", name="Bench", locale="fr")
    product = await Product.create(
        shop=shop,
        sku="P1",
        name="Bouilloire",
        url="https://shop.example/p1",
        image_url="https://shop.example/p1.jpg",
        brand="Acme",
        gtin="3700000000017",
    )
    start = datetime(2025, 1, 1, tzinfo=UTC)
    await Review.bulk_create(
        [
            Review(
                shop=shop,
                product=product,
                rating=1 + n % 5,
                title=f"Avis numéro {n}",
                body="Très bon produit, livraison rapide. " * 8,
                author_name=f"Client {n}",
                language="fr" if n % 3 else "en",
                status="published",
                verified=n % 2 == 0,
                source="bench",
                source_id=str(n),
                submitted_at=start + timedelta(hours=n),
                published_at=start + timedelta(hours=n),
                experienced_at=start,
                answers=[["Taille", "Juste"]],
                helpful_count=n % 7,
            )
            for n in range(1000)
        ],
        batch_size=500,
    )
    await refresh_product_rating(product.id)


async def timed(
    client: httpx.AsyncClient, path: str, runs: int, headers: dict[str, str] | None = None
) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = await client.get(path, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert answer.status_code in (200, 304)
    return samples


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=f"sqlite://{tempfile.mkdtemp()}/bench.sqlite3")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    await fresh_database(args.database_url)
    await migrate(args.database_url)
    await init_db(args.database_url)
    await seed()
    settings = Settings(
        database_url=args.database_url, secret_key="bench", data_dir=tempfile.mkdtemp()
    )
    app = create_app(settings, manage_db=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=settings.base_url
    ) as client:
        block = "/w/bench/products/P1/reviews"
        etag = (await client.get(block)).headers["etag"]
        rows = [
            ("block, page 1 (20 of 1,000)", await timed(client, block, args.runs)),
            (
                "block, page 30, sort=helpful",
                await timed(client, block + "?page=30&sort=helpful", args.runs),
            ),
            ("full product page", await timed(client, "/w/bench/products/P1", args.runs)),
            ("badge", await timed(client, "/w/bench/products/P1/badge", args.runs)),
            ("304 revalidation", await timed(client, block, args.runs, {"If-None-Match": etag})),
        ]
    engine = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    print(f"{engine}, 1,000 published reviews, {args.runs} requests each, in-process ASGI")
    print(f"{'request':<32} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8}")
    for name, samples in rows:
        samples.sort()
        p50 = statistics.median(samples)
        p99 = samples[int(len(samples) * 0.99) - 1]
        print(f"{name:<32} {p50:>8.2f} {p99:>8.2f} {1000 / statistics.mean(samples):>8.0f}")
    await close_db()


if __name__ == "__main__":
    asyncio.run(main())
