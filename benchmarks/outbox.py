"""Webhook deliveries per second to a loopback receiver, with 1 and 2 workers on PostgreSQL.

    .venv/bin/python benchmarks/outbox.py [--rows 2000]

Uses the database `bench_outbox` on postgres://postgres@127.0.0.1:5432 (created if missing).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from feedback_service.db import close_db, init_db, migrate
from feedback_service.outbox.models import OutboxMessage, WebhookEndpoint
from feedback_service.outbox.webhooks import new_secret
from feedback_service.shops.models import Shop

SERVER = "postgres://postgres@127.0.0.1:5432"
URL = f"{SERVER}/bench_outbox"
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def reset_database() -> None:
    conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        await conn.execute("DROP DATABASE IF EXISTS bench_outbox WITH (FORCE)")
        await conn.execute("CREATE DATABASE bench_outbox")
    finally:
        await conn.close()


async def run(workers: int, rows: int, receiver_url: str, received: list[int]) -> float:
    await OutboxMessage.all().delete()
    await WebhookEndpoint.all().delete()
    await Shop.all().delete()
    shop = await Shop.create(slug="bench", name="Bench")
    endpoint = await WebhookEndpoint.create(
        shop=shop, url=receiver_url, events=["comment.added"], secret=new_secret()
    )
    now = datetime.now(UTC)
    await OutboxMessage.bulk_create(
        [
            OutboxMessage(
                shop=shop,
                kind="webhook",
                endpoint=endpoint,
                message_id=f"msg_{workers}_{n}",
                payload={"type": "comment.added", "timestamp": now.isoformat(), "data": {"n": n}},
                due_at=now,
            )
            for n in range(rows)
        ],
        batch_size=1000,
    )
    received.clear()
    env = {
        **os.environ,
        "DATABASE_URL": URL,
        "WEBHOOK_ALLOW_PRIVATE": "true",
        "SECRET_KEY": "bench",
        "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
    }
    started = time.perf_counter()
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "feedback_service.cli",
            "worker",
            "--once",
            env=env,
            cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    for proc in procs:
        await asyncio.wait_for(proc.wait(), 600)
    elapsed = time.perf_counter() - started
    done = await OutboxMessage.filter(state="done").count()
    assert done == rows, f"only {done} of {rows} delivered"
    return elapsed


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    await reset_database()
    await migrate(URL)
    await init_db(URL)
    received: list[int] = []

    async def hook(request):  # type: ignore[no-untyped-def]
        await request.body()
        received.append(1)
        return Response(status_code=204)

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/hook", hook, methods=["POST"])]),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    print(f"{args.rows} webhooks to a loopback receiver, PostgreSQL, worker batch of 20")
    print(f"{'workers':>8} {'seconds':>8} {'deliveries/s':>13} {'received':>9}")
    for workers in (1, 2):
        elapsed = await run(workers, args.rows, f"http://127.0.0.1:{port}/hook", received)
        print(f"{workers:>8} {elapsed:>8.2f} {args.rows / elapsed:>13.0f} {len(received):>9}")
    server.should_exit = True
    await task
    await close_db()


if __name__ == "__main__":
    asyncio.run(main())
