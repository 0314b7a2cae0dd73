"""A campaign to 10,000 customers: the upload's request, the preview, the worker's fan-out.

    .venv/bin/python benchmarks/campaigns.py [--customers 10000] [--engines sqlite,postgres]

Half of the list are customers the shop has (a fifth of them asked recently: held), half are
new. SQLite in a temporary file; PostgreSQL in the database `bench_campaigns` on
postgres://postgres@127.0.0.1:5432 (dropped and created).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime

import asyncpg
import httpx

from feedback_service.app import create_app
from feedback_service.db import close_db, init_db, migrate
from feedback_service.orders.models import Customer
from feedback_service.outbox.models import OutboxMessage
from feedback_service.settings import Settings
from feedback_service.shops.services import create_shop, create_user
from feedback_service.worker import Worker

POSTGRES = "postgres://postgres@127.0.0.1:5432/bench_campaigns"


async def reset_postgres() -> None:
    conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        await conn.execute("DROP DATABASE IF EXISTS bench_campaigns WITH (FORCE)")
        await conn.execute("CREATE DATABASE bench_campaigns")
    finally:
        await conn.close()


def csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match
    return match.group(1)


async def bench(engine: str, url: str, customers: int) -> None:
    await migrate(url)
    await init_db(url)
    try:
        settings = Settings(
            database_url=url, secret_key="bench", public_base_url="http://127.0.0.1:8000"
        )
        shop, _ = await create_shop("Bench", "bench", locale="fr")
        await create_user(shop, "boss@bench.fr", "correct horse battery", role="admin")
        known = customers // 2
        now = datetime.now(UTC)
        await Customer.bulk_create(
            [
                Customer(
                    shop=shop,
                    email=f"c{n}@bench.fr",
                    locale="fr" if n % 2 else "en",
                    last_invited_at=now if n % 5 == 0 else None,
                )
                for n in range(known)
            ],
            batch_size=1000,
        )
        lines = ["email,name,locale"] + [
            f"c{n}@bench.fr,Customer {n},{'fr' if n % 2 else 'en'}" for n in range(customers)
        ]
        upload = ("\n".join(lines) + "\n").encode()
        app = create_app(settings, manage_db=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
            form = await client.get("/admin/login")
            await client.post(
                "/admin/login",
                data={
                    "email": "boss@bench.fr",
                    "password": "correct horse battery",
                    "csrf": csrf(form.text),
                },
            )
            token = csrf((await client.get("/admin/campaigns")).text)
            started = time.perf_counter()
            made = await client.post(
                "/admin/campaigns",
                data={"csrf": token, "kind": "nps", "audience": "list"},
                files={"file": ("list.csv", upload, "text/csv")},
            )
            upload_s = time.perf_counter() - started
            assert made.status_code == 303, made.text[:500]
            started = time.perf_counter()
            preview = await client.get(made.headers["location"])
            preview_s = time.perf_counter() - started
            assert f'data-recipients="{customers}"' in preview.text
            await client.post(
                made.headers["location"], data={"csrf": csrf(preview.text), "action": "send"}
            )
        started = time.perf_counter()
        await Worker(settings).run_once()
        fan_out_s = time.perf_counter() - started
        emails = await OutboxMessage.filter(kind="email").count()
        print(
            f"{engine:8} {customers} recipients ({len(upload) / 1e6:.2f} MB list): "
            f"upload request {upload_s * 1000:.0f} ms, preview {preview_s * 1000:.0f} ms, "
            f"worker fan-out {fan_out_s:.1f} s = {customers / fan_out_s:.0f} recipients/s "
            f"({emails} emails queued, {customers - emails} held)"
        )
    finally:
        await close_db()


async def run(engine: str, customers: int) -> None:
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            await bench(engine, f"sqlite://{tmp}/bench.sqlite3", customers)
    else:
        await reset_postgres()
        await bench(engine, POSTGRES, customers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--engines", default="sqlite,postgres")
    args = parser.parse_args()
    engines = args.engines.split(",")
    if len(engines) == 1:
        asyncio.run(run(engines[0], args.customers))
        return
    for engine in engines:  # Tortoise keeps each model's compiled queries: one engine a process
        command = [sys.executable, __file__, "--customers", str(args.customers)]
        subprocess.run([*command, "--engines", engine], check=True)


if __name__ == "__main__":
    main()
