"""The review block in a shop's page through nginx SSI, with and without nginx's cache, and
what gzip saves on what the app sends.

    .venv/bin/python benchmarks/ssi_bench.py [--requests 3000] [--concurrency 8] [--reviews 100]

Everything on 127.0.0.1: a fresh SQLite file with one product and its published reviews,
the app under uvicorn (one process), and Debian's nginx (tests/ssi_helpers.py, the README's
recipe) serving a static product page that includes the head, badge and reviews blocks.
Each row sends a bounded number of requests over `--concurrency` keep-alive connections
(benchmarks/http_bench.RawConnection, a few tens of microseconds a request) after a
warm-up, and prints requests/s and latency percentiles. "app" is the reviews fragment
straight from the app, for reference; "nginx, no cache" makes the three includes hit the
app on every page; "nginx, cache" is the recipe. Then the sizes of each answer plain and
gzipped (the app's COMPRESS_RESPONSES, level 6, against level 9) and the time to pack it.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

import http_bench  # noqa: E402
from ssi_helpers import HONOUR_APP_CACHE_CONTROL, NO_CACHE, NginxShop, free_port  # noqa: E402

from feedback_service.app import COMPRESS_LEVEL  # noqa: E402
from feedback_service.db import close_db, init_db, migrate  # noqa: E402
from feedback_service.orders.models import Product  # noqa: E402
from feedback_service.reviews.models import Review  # noqa: E402
from feedback_service.reviews.services import refresh_product_rating  # noqa: E402
from feedback_service.shops.models import Shop  # noqa: E402
from feedback_service.shops.services import create_shop  # noqa: E402
from feedback_service.tokens import feed_token  # noqa: E402

WARMUP = 200
WORDS = (
    "bouilloire rapide silencieuse bec verse eau chaude minutes poignée solide couvercle"
    " facile nettoyer acier émaillé plaque induction gaz sifflet fort trop petit grand prix"
    " livraison emballage couleur rouge bleu cuisine matin thé café tisane famille cadeau"
    " qualité déçu ravi recommande encore fuite calcaire filtre fond chauffe vite lentement"
).split()


def review_text(n: int) -> str:
    """Varied words, as reviews are: the same sentence a hundred times packs unfairly well."""
    pick = random.Random(n)
    return " ".join(pick.choice(WORDS) for _ in range(pick.randint(12, 60))).capitalize() + "."


async def seed(url: str, page_url: str, reviews: int) -> tuple[Shop, str]:
    await migrate(url)
    await init_db(url)
    try:
        shop, key = await create_shop("Boutique Bench", "bench", locale="fr")
        product = await Product.create(
            shop=shop,
            sku="KETTLE",
            name="Bouilloire 1,5 L",
            url=page_url,
            image_url=page_url.replace(".html", ".jpg"),
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
                    body=review_text(n),
                    author_name=f"Client {n}",
                    language="fr",
                    status="published",
                    source="bench",
                    source_id=str(n),
                    submitted_at=start + timedelta(hours=n),
                    published_at=start + timedelta(hours=n),
                    verified=n % 3 == 0,
                )
                for n in range(reviews)
            ]
        )
        await refresh_product_rating(product.id)
        return shop, key
    finally:
        await close_db()


def start_app(url: str, port: int, data_dir: Path, secret: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "SECRET_KEY": secret,
        "DATA_DIR": str(data_dir),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "feedback_service.asgi:app"]
        + ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the app did not start")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def load(port: int, path: str, requests: int, concurrency: int) -> tuple[float, list[float]]:
    """requests/s and latencies (ms) of `requests` GETs over `concurrency` connections."""
    each = max(1, requests // concurrency)
    latencies: list[float] = []

    async def worker() -> None:
        connection = http_bench.RawConnection(port)
        try:
            for _ in range(each):
                begin = time.perf_counter()
                status, body = await connection.request("GET", path)
                assert status == 200 and b"fs-review" in body, (status, body[:200])
                latencies.append((time.perf_counter() - begin) * 1000)
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(latencies) / (time.perf_counter() - started), latencies


async def measure(label: str, port: int, path: str, requests: int, concurrency: int) -> None:
    await load(port, path, WARMUP, concurrency)
    rate, latencies = await load(port, path, requests, concurrency)
    print(
        f"{label:<22} {rate:>9.0f} {percentile(latencies, 0.5):>9.2f}"
        f" {percentile(latencies, 0.99):>9.2f}"
    )


def packed(body: bytes, level: int, runs: int = 50) -> tuple[int, float]:
    """gzip size at `level`, and microseconds to pack it."""
    size = len(gzip.compress(body, level))
    started = time.perf_counter()
    for _ in range(runs):
        gzip.compress(body, level)
    return size, (time.perf_counter() - started) / runs * 1_000_000


def sizes(base: str, paths: dict[str, str], headers: dict[str, str]) -> None:
    columns = ("plain B", "served gz", "level 9", "µs lvl 6", "µs lvl 9")
    print(f"\n{'answer':<22}" + "".join(f" {column:>9}" for column in columns))
    for label, path in paths.items():
        plain = httpx.get(base + path, headers={**headers, "Accept-Encoding": "identity"})
        served = httpx.get(base + path, headers={**headers, "Accept-Encoding": "gzip"})
        assert plain.status_code == served.status_code == 200, (path, plain.status_code)
        _, fast = packed(plain.content, COMPRESS_LEVEL)
        best, slow = packed(plain.content, 9)
        sent = served.num_bytes_downloaded if "content-encoding" in served.headers else "-"
        print(f"{label:<22} {len(plain.content):>9} {sent:>9} {best:>9} {fast:>9.0f} {slow:>9.0f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--reviews", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ssi_bench_") as folder:
        work = Path(folder)
        app_port = free_port()
        cached = NginxShop(
            work / "cached", app_port, "bench", "KETTLE", cache=HONOUR_APP_CACHE_CONTROL
        )
        direct = NginxShop(work / "direct", app_port, "bench", "KETTLE", cache=NO_CACHE)
        url = f"sqlite://{work}/bench.sqlite3"
        shop, key = await seed(url, cached.page_url, args.reviews)
        secret = secrets.token_urlsafe(32)
        app = start_app(url, app_port, work / "data", secret)
        try:
            with cached, direct:
                page = "/products/kettle.html"
                print(f"{args.requests} requests, {args.concurrency} connections", end=", ")
                print(f"{args.reviews} reviews")
                print(f"{'through':<22} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}")
                await measure(
                    "app (fragment)",
                    app_port,
                    "/w/bench/products/KETTLE/reviews",
                    args.requests,
                    args.concurrency,
                )
                await measure("nginx, no cache", direct.port, page, args.requests, args.concurrency)
                await measure("nginx, cache", cached.port, page, args.requests, args.concurrency)
                token = feed_token(secret, shop.id, 0)
                sizes(
                    f"http://127.0.0.1:{app_port}",
                    {
                        "reviews fragment": "/w/bench/products/KETTLE/reviews",
                        "head fragment": "/w/bench/products/KETTLE/head",
                        "badge": "/w/bench/products/KETTLE/badge",
                        "full product page": "/w/bench/products/KETTLE",
                        "shop reviews page": "/w/bench/reviews",
                        "API reviews (JSON)": "/api/v1/reviews",
                        "Google feed (XML)": f"/feeds/bench/{token}/google-product-reviews.xml",
                    },
                    {"Authorization": f"Bearer {key}"},
                )
        finally:
            app.terminate()
            app.wait(10)


if __name__ == "__main__":
    asyncio.run(main())
