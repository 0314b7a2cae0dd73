"""100,000 orders in: POST /api/v1/orders/batch over HTTP, and `feedback-service import-orders`.

    .venv/bin/python benchmarks/bulk_orders.py [--orders 100000] [--engines sqlite,postgres]

For each engine: a fresh database with a shop and 200 products; the orders (2 items each,
30,000 customers, so most have several) posted in batches of 1,000 to a uvicorn server on
127.0.0.1, one request after the other, then posted again (each one "updated"); then, on a
fresh database, the same orders imported from a CSV file (generic preset, one row per item)
by the command line, then imported again with other items. Prints orders/s and the peak
memory (max RSS) of the server and of the command.

A key may send 60 batches a minute (ratelimit.API_BATCHES): the client waits when told to
(429, Retry-After). The figures give the server's own rate (time spent in requests) and the
wall-clock rate with those waits.

PostgreSQL: the database `test_h17b` on postgres://postgres@127.0.0.1:5432 (its schema is
dropped and made again).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from feedback_service.db import close_db, init_db, migrate
from feedback_service.orders.models import Customer, Order, OrderItem, Product
from feedback_service.shops.services import create_shop

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgres://postgres@127.0.0.1:5432/test_h17b"
PRODUCTS = 200
CUSTOMERS = 30_000
BATCH = 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def orders(count: int, version: int) -> list[dict[str, Any]]:
    rng = random.Random(version)
    result = []
    for n in range(count):
        customer = n % CUSTOMERS
        day = 1 + n % 28
        result.append(
            {
                "id": f"BO-{n:06d}",
                "customer": {
                    "email": f"customer{customer}@example.com",
                    "name": f"Client {customer}",
                },
                "items": [
                    {
                        "sku": f"SKU-{rng.randrange(PRODUCTS)}",
                        "quantity": 1 + rng.randrange(3),
                        "unit_price": f"{rng.randrange(500, 9000) / 100:.2f}",
                    }
                    for _ in range(2)
                ],
                "ordered_at": f"2026-{1 + n % 11:02d}-{day:02d}T10:00:00Z",
            }
        )
    return result


async def fresh_database(engine: str, workdir: Path, name: str) -> tuple[str, str]:
    if engine == "sqlite":
        url = f"sqlite://{workdir}/{name}.sqlite3"
    else:
        url = PG_URL
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()
    await migrate(url)
    await init_db(url)
    try:
        shop, key = await create_shop("Bench", "bench")
        await Product.bulk_create(
            [
                Product(shop=shop, sku=f"SKU-{n}", name=f"Product {n}", url="https://x.example/")
                for n in range(PRODUCTS)
            ]
        )
    finally:
        await close_db()
    return url, key


def environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
        "PYTHONPATH": str(ROOT),
    }


def peak_mb(pid: int) -> float:
    """The process's peak RSS so far (VmHWM: counted from its exec, unlike the rusage of a
    child, which keeps the parent's size at fork)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "feedback_service.asgi:app",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=environment(url),
        cwd=ROOT,
    )


async def post_batches(
    url: str, key: str, count: int, expected: str
) -> tuple[float, float, float, int]:
    """(wall seconds, seconds in requests, server peak MB, 429 answers)."""
    port = free_port()
    server = start_server(url, port)
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=300
    ) as client:
        for _ in range(200):
            try:
                if (await client.get("/healthz")).status_code == 200:
                    break
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
        items = orders(count, version=1)
        busy = 0.0
        limited = 0
        start = time.perf_counter()
        for first in range(0, count, BATCH):
            body = {"orders": items[first : first + BATCH]}
            while True:
                began = time.perf_counter()
                answer = await client.post("/api/v1/orders/batch", json=body)
                busy += time.perf_counter() - began
                if answer.status_code != 429:
                    break
                limited += 1
                await asyncio.sleep(int(answer.headers["Retry-After"]))
            assert answer.status_code == 200, answer.text[:500]
            results = answer.json()["results"]
            wanted = "created" if expected == "created" else "updated"
            assert all(r["status"] == wanted for r in results), results[:3]
        wall = time.perf_counter() - start
    peak = peak_mb(server.pid)
    server.terminate()
    server.wait()
    return wall, busy, peak, limited


def import_csv(url: str, count: int, workdir: Path, version: int) -> tuple[float, float, str]:
    """(wall seconds, peak MB of the command, its summary line)."""
    path = workdir / "orders.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "email", "name", "ordered_at", "sku", "quantity", "unit_price"])
        for order in orders(count, version=version):
            for item in order["items"]:
                writer.writerow(
                    [
                        order["id"],
                        order["customer"]["email"],
                        order["customer"]["name"],
                        order["ordered_at"],
                        item["sku"],
                        item["quantity"],
                        item["unit_price"],
                    ]
                )
    start = time.perf_counter()
    command = subprocess.Popen(
        [sys.executable, "-m", "feedback_service.cli", "import-orders", "bench", str(path)],
        env=environment(url),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    peak = 0.0
    while command.poll() is None:  # VmHWM only grows: the last reading is the peak
        try:
            peak = max(peak, peak_mb(command.pid))
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.2)
    out, _ = command.communicate()
    wall = time.perf_counter() - start
    summary = next((line for line in out.splitlines() if "created" in line), out[-300:])
    return wall, peak, summary.strip()


async def check(url: str, count: int, source: str) -> str:
    await init_db(url)
    try:
        stored = (await Order.filter(source=source).count(), await OrderItem.all().count())
        assert stored == (count, 2 * count), stored
        customers = await Customer.all().count()
        total = sum(await Customer.all().values_list("orders_count", flat=True))
        assert total == count, total
    finally:
        await close_db()
    return f"{stored[0]} orders ({source}), {stored[1]} items, {customers} customers, totals right"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--engines", default="sqlite,postgres")
    args = parser.parse_args()
    engines = args.engines.split(",")
    if len(engines) > 1:  # Tortoise keeps per-engine query state: one process per engine
        for engine in engines:
            subprocess.run(
                [sys.executable, __file__, "--orders", str(args.orders), "--engines", engine],
                check=True,
            )
        return
    asyncio.run(bench(engines[0], args.orders))


async def bench(engine: str, count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        url, key = await fresh_database(engine, workdir, "batch")
        for run in ("created", "sent again"):
            wall, busy, server_mb, limited = await post_batches(url, key, count, run)
            print(
                f"{engine:8} batch {run:10} {count} orders: {count / busy:,.0f} orders/s in "
                f"requests ({busy:.1f} s); {count / wall:,.0f} orders/s wall ({wall:.1f} s, "
                f"{limited} × 429); server peak {server_mb:.0f} MB",
                flush=True,
            )
        print(f"{engine:8} stored {await check(url, count, 'api')}", flush=True)
        url, _ = await fresh_database(engine, workdir, "csv")
        for run in ("created", "sent again"):
            wall, peak, summary = import_csv(
                url, count, workdir, version=1 if run == "created" else 2
            )
            print(
                f"{engine:8} csv   {run:10} {count} orders: {count / wall:,.0f} orders/s "
                f"({wall:.1f} s, the whole command); command peak {peak:.0f} MB; {summary}",
                flush=True,
            )
        print(f"{engine:8} stored {await check(url, count, 'csv')}", flush=True)


if __name__ == "__main__":
    main()
