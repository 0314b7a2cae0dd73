"""Time of one full page (50 items) of GET /api/v1/reviews and GET /api/v1/responses.

    .venv/bin/python benchmarks/api_lists.py [--runs 300]
    .venv/bin/python benchmarks/api_lists.py --compare OTHER_CHECKOUT [--rounds 6]

Times the whole request through the app (ASGI, no network) on a SQLite file of 1,000
reviews and 1,000 answers with their customers and orders. --compare seeds one file, then
runs this checkout and OTHER_CHECKOUT (e.g. the code before a change) in turns, each in its
own process, so that both see the same machine load; it prints each one's median per round
and the median of the rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

HERE = Path(__file__).resolve()
ENDPOINTS = {
    "GET /api/v1/reviews": "/api/v1/reviews",
    "GET /api/v1/responses": "/api/v1/responses",
}
SECRET = "bench-secret-key-not-for-production"


async def seed(url: str) -> str:
    """The shop's API key, once its rows are written."""
    from feedback_service.db import close_db, init_db, migrate
    from feedback_service.orders.models import Customer, Order, Product
    from feedback_service.reviews.models import Review
    from feedback_service.shops.services import create_shop
    from feedback_service.surveys.models import Invitation, Response

    await migrate(url)
    await init_db(url)
    shop, key = await create_shop("Bench", "bench", locale="fr")
    product = await Product.create(shop=shop, sku="P1", name="Bouilloire", url="https://s.fr/p1")
    start = datetime(2025, 1, 1, tzinfo=UTC)
    await Customer.bulk_create(
        [
            Customer(shop=shop, email=f"c{n}@example.fr", name=f"Client {n}", external_id=str(n))
            for n in range(1000)
        ]
    )
    customers = await Customer.filter(shop=shop).order_by("id")
    await Order.bulk_create(
        [Order(shop=shop, customer=c, external_id=f"O{c.id}", ordered_at=start) for c in customers]
    )
    orders = {o.customer_id: o for o in await Order.filter(shop=shop)}
    await Invitation.bulk_create(
        [
            Invitation(shop=shop, kind="nps", customer=c, order=orders[c.id], locale="fr")
            for c in customers
        ]
    )
    invitations = await Invitation.filter(shop=shop).order_by("id")
    await Response.bulk_create(
        [
            Response(
                shop=shop,
                invitation=i,
                customer_id=i.customer_id,
                kind="nps",
                score=n % 11,
                comment="Livraison rapide, produit conforme. " * 3 if n % 2 else None,
                commented_at=start + timedelta(hours=n) if n % 2 else None,
                sentiment_label="positive" if n % 2 else None,
                dedupe_key=f"i{i.id}",
            )
            for n, i in enumerate(invitations)
        ],
        batch_size=500,
    )
    await Review.bulk_create(
        [
            Review(
                shop=shop,
                product=product,
                rating=1 + n % 5,
                title=f"Avis numéro {n}",
                body="Très bon produit, livraison rapide. " * 8,
                author_name=f"Client {n}",
                status="published",
                verified=n % 2 == 0,
                source="bench",
                source_id=str(n),
                submitted_at=start + timedelta(hours=n),
                published_at=start + timedelta(hours=n),
                experienced_at=start,
                answers=[["Taille", "Juste"]],
                helpful_count=n % 7,
                reply_body="Merci !" if n % 3 == 0 else None,
                reply_at=start + timedelta(days=1) if n % 3 == 0 else None,
            )
            for n in range(1000)
        ],
        batch_size=500,
    )
    await close_db()
    return key


async def measure(url: str, key: str, runs: int) -> dict[str, float]:
    """Median milliseconds of one page per endpoint (first page, then a later one): wall
    time, and the CPU time of the process (its SQLite thread included), which other work on
    the machine disturbs less."""
    from feedback_service import ratelimit
    from feedback_service.app import create_app
    from feedback_service.db import close_db, init_db
    from feedback_service.settings import Settings

    await init_db(url)
    settings = Settings(
        database_url=url,
        public_base_url="http://127.0.0.1:8000",
        secret_key=SECRET,
        data_dir=Path(tempfile.mkdtemp()),
    )
    app = create_app(settings, manage_db=False)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {key}"}
    medians: dict[str, float] = {}
    async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
        for name, path in ENDPOINTS.items():
            first = await client.get(path, headers=headers)
            assert first.status_code == 200 and len(first.json()["items"]) == 50, first.text
            cursor = first.json()["next_cursor"]
            wall, cpu = [], []
            for n in range(runs):
                await ratelimit.reset()  # the API's rate limit is not what is measured
                params = {"cursor": cursor} if n % 2 else None
                began, began_cpu = time.perf_counter(), time.process_time()
                answer = await client.get(path, headers=headers, params=params)
                wall.append(time.perf_counter() - began)
                cpu.append(time.process_time() - began_cpu)
                assert answer.status_code == 200
            medians[name] = statistics.median(wall) * 1000
            medians[f"{name} (CPU)"] = statistics.median(cpu) * 1000
    await close_db()
    return medians


def run_in(checkout: str, url: str, key: str, runs: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": checkout}
    command = [sys.executable, str(HERE), "--measure", url, "--key", key, "--runs", str(runs)]
    # In a scratch directory: importing feedback_service.db creates data/ where it runs.
    scratch = tempfile.mkdtemp()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True, cwd=scratch)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def compare(other: str, rounds: int, runs: int) -> None:
    this = str(HERE.parents[1])
    url = f"sqlite://{tempfile.mkdtemp()}/bench.sqlite3"
    key = asyncio.run(seed(url))
    figures: dict[str, dict[str, list[float]]] = {"new": {}, "old": {}}
    for round_ in range(rounds):
        for label, checkout in (("old", other), ("new", this)):
            for name, ms in run_in(checkout, url, key, runs).items():
                figures[label].setdefault(name, []).append(ms)
        shown = (
            f"{name}: old {figures['old'][name][-1]:.2f}, new {figures['new'][name][-1]:.2f} ms"
            for name in figures["new"]
        )
        print(f"round {round_ + 1}: " + "; ".join(shown))
    for name in figures["new"]:
        old = statistics.median(figures["old"][name])
        new = statistics.median(figures["new"][name])
        print(f"{name}: old {old:.2f} ms, new {new:.2f} ms ({(new - old) / old:+.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--compare", metavar="OTHER_CHECKOUT")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--measure", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare:
        compare(args.compare, args.rounds, args.runs)
    elif args.measure:
        print(json.dumps(asyncio.run(measure(args.measure, args.key, args.runs))))
    else:
        url = f"sqlite://{tempfile.mkdtemp()}/bench.sqlite3"
        key = asyncio.run(seed(url))
        for name, ms in asyncio.run(measure(url, key, args.runs)).items():
            print(f"{name}: {ms:.2f} ms per page of 50 (median)")


if __name__ == "__main__":
    main()
