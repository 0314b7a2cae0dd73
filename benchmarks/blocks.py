"""Review block render time with 1,000 published reviews on one product.

    .venv/bin/python benchmarks/blocks.py [--database-url URL] [--runs 200]

Default database: a fresh SQLite file in /tmp. For PostgreSQL pass
postgres://postgres@127.0.0.1:5432/bench_blocks (the database is created if missing).
Times the whole request through the app (ASGI, no network): page 1 (20 reviews) from the
process's rendered blocks and rendered anew (BLOCK_CACHE_MB=0), a later page, the full
page, the badge and a 304 revalidation; and the refresh that follows a moderation
(rating counts and, since issue 19, the highlights). The reviews are English and French
texts about delivery, quality, price and packaging, with their stored sentiment.
Compare two versions by running this file with each one's PYTHONPATH, one after the other.
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
from feedback_service.sentiment import analyse
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop

TEXTS = [
    ("fr", "Très bon produit, livraison rapide. La bouilloire chauffe vite et reste froide."),
    ("en", "Arrived the next day and well packed. Great quality for the price, I use it daily."),
    ("fr", "Colis abîmé et livraison en retard de dix jours. Le produit fonctionne, sans plus."),
    ("en", "The lid broke after a month. Poor quality, and customer service never replied."),
    ("fr", "Bon rapport qualité prix, emballage soigné. Je recommande cette boutique."),
    ("en", "Too expensive for what it is, but delivery was quick."),
]


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


async def seed() -> int:
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
    sentiments = []
    for language, text in TEXTS:
        found = analyse(text, language)
        sentiments.append(
            {
                "sentiment_score": found.score,
                "sentiment_label": found.label,
                "aspects": found.as_dict()["aspects"],
            }
        )
    await Review.bulk_create(
        [
            Review(
                shop=shop,
                product=product,
                rating=1 + n % 5,
                title=f"Avis numéro {n}",
                body=TEXTS[n % len(TEXTS)][1],
                author_name=f"Client {n}",
                language=TEXTS[n % len(TEXTS)][0],
                **sentiments[n % len(TEXTS)],
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
    return product.id


async def timed_refresh(product_id: int, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await refresh_product_rating(product_id)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


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
    product_id = await seed()
    settings = Settings(
        database_url=args.database_url, secret_key="bench", data_dir=tempfile.mkdtemp()
    )
    app = create_app(settings, manage_db=False)
    uncached = create_app(settings.model_copy(update={"block_cache_mb": 0}), manage_db=False)
    block = "/w/bench/products/P1/reviews"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=uncached), base_url=settings.base_url
    ) as client:
        rendered = await timed(client, block, args.runs)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=settings.base_url
    ) as client:
        etag = (await client.get(block)).headers["etag"]
        rows = [
            ("block, page 1 (20 of 1,000)", await timed(client, block, args.runs)),
            ("block, page 1, rendered anew", rendered),
            (
                "block, page 30, sort=helpful",
                await timed(client, block + "?page=30&sort=helpful", args.runs),
            ),
            ("full product page", await timed(client, "/w/bench/products/P1", args.runs)),
            ("badge", await timed(client, "/w/bench/products/P1/badge", args.runs)),
            ("304 revalidation", await timed(client, block, args.runs, {"If-None-Match": etag})),
            ("refresh after a moderation", await timed_refresh(product_id, args.runs // 4)),
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
