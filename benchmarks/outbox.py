"""Webhook fan-out: deliveries per second to a loopback receiver, with 1 and 2 workers.

    .venv/bin/python benchmarks/outbox.py                        # 2,000 on both engines
    .venv/bin/python benchmarks/outbox.py --rows 100000 --delay 0.2 --fail-every 20
    .venv/bin/python benchmarks/outbox.py --code /old/checkout .  # old vs new, same run

`--rows` `response.confirmed` events wait in the outbox of one shop with one endpoint (as
answers leave them), then W queue workers (`feedback-service worker`, for each W of
--workers, started with PYTHONPATH set to each --code folder in turn) deliver them to a
Starlette receiver in this process, which answers after --delay seconds, and 500 to the
first attempt of one event in --fail-every (the worker retries it 5 s later). The run ends
when no row is pending. Columns: seconds from the first attempt to the last delivery,
deliveries/s (events delivered over those seconds), retries (attempts beyond the first;
the 500s given), duplicates (an event answered 2xx more than once: at-least-once delivery
allows them only after a crash, so 0 here), failed rows, the most deliveries the receiver
had in hand at once, and the workers' CPU per attempt.

SQLite in a temporary file; PostgreSQL in --pg-database (default bench_outbox, dropped and
created). Each engine runs in its own process (Tortoise keeps per-dialect state).
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_bench  # noqa: E402
from campaign import environment, start_process, stop_process  # noqa: E402

from feedback_service.db import close_db, init_db, migrate  # noqa: E402
from feedback_service.outbox.models import OutboxMessage, WebhookEndpoint  # noqa: E402
from feedback_service.outbox.webhooks import new_secret  # noqa: E402
from feedback_service.shops.models import Shop  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


class Receiver:
    """Answers each delivery after `delay`; 500 to the first attempt of every `fail_every`th
    event; counts attempts and successes per webhook-id."""

    def __init__(self, delay: float, fail_every: int) -> None:
        self.delay = delay
        self.fail_every = fail_every
        self.attempts: Counter[str] = Counter()
        self.delivered: Counter[str] = Counter()
        self.failed = 0
        self.first = self.last = 0.0
        self.in_flight = 0
        self.most_in_flight = 0

    async def hook(self, request: Request) -> Response:
        await request.body()
        webhook_id = request.headers.get("webhook-id", "")
        self.attempts[webhook_id] += 1
        self.first = self.first or time.perf_counter()
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight -= 1
        number = int(webhook_id.rsplit("_", 1)[-1])
        if self.fail_every and number % self.fail_every == 0 and self.attempts[webhook_id] == 1:
            self.failed += 1
            return Response(status_code=500)
        self.delivered[webhook_id] += 1
        self.last = time.perf_counter()
        return Response(status_code=204)


async def seed(rows: int, receiver_url: str, label: str) -> None:
    await OutboxMessage.all().delete()
    await WebhookEndpoint.all().delete()
    await Shop.all().delete()
    shop = await Shop.create(slug="bench", name="Bench")
    endpoint = await WebhookEndpoint.create(
        shop=shop, url=receiver_url, events=["response.confirmed"], secret=new_secret()
    )
    now = datetime.now(UTC)
    for start in range(0, rows, 10_000):
        await OutboxMessage.bulk_create(
            [
                OutboxMessage(
                    shop=shop,
                    kind="webhook",
                    endpoint=endpoint,
                    message_id=f"msg_{label}_{n}",
                    payload={
                        "type": "response.confirmed",
                        "timestamp": now.isoformat(),
                        "data": {
                            "customer": {"email": f"c{n}@bench.test", "external_id": f"C{n}"},
                            "order_id": f"O{n}",
                            "id": n,
                            "survey": "nps",
                            "score": n % 11,
                            "label": str(n % 11),
                            "comment": None,
                            "invitation_id": n,
                            "customer_id": n,
                            "created_at": now.isoformat(),
                        },
                    },
                    subject=f"response:{n}",
                    due_at=now,
                )
                for n in range(start, min(rows, start + 10_000))
            ],
            batch_size=1000,
        )


async def run(
    code: Path,
    workers: int,
    url: str,
    receiver: Receiver,
    receiver_url: str,
    args: argparse.Namespace,
) -> None:
    label = f"{code.name}{workers}"
    await seed(args.rows, receiver_url, label)
    receiver.attempts.clear()
    receiver.delivered.clear()
    receiver.failed = receiver.most_in_flight = 0
    receiver.first = receiver.last = 0.0
    workdir = Path(args.workdir)
    env = environment(code, url, http_bench.free_port(), workdir, WEBHOOK_ALLOW_PRIVATE="true")
    argv = [sys.executable, "-m", "feedback_service.cli", "worker"]
    started = time.perf_counter()
    procs = [
        await start_process(argv, env, workdir / f"worker-{label}-{n}.log") for n in range(workers)
    ]
    try:
        while await OutboxMessage.filter(state="pending").exists():
            if time.perf_counter() - started > args.timeout:
                break
            await asyncio.sleep(0.5)
    finally:
        cpu = sum([await stop_process(proc) for proc in procs])
    seconds = max(receiver.last - receiver.first, 1e-9)
    delivered = len(receiver.delivered)
    attempts = sum(receiver.attempts.values())
    duplicates = sum(n - 1 for n in receiver.delivered.values())
    failed = await OutboxMessage.filter(state="failed").count()
    print(
        f"{code.name:<12} {workers:>7} {seconds:>8.1f} {delivered / seconds:>12.0f}"
        f" {delivered:>9} {attempts - len(receiver.attempts):>7} {receiver.failed:>5}"
        f" {duplicates:>10} {failed:>6} {receiver.most_in_flight:>9}"
        f" {cpu * 1000 / max(attempts, 1):>7.2f}",
        flush=True,
    )


async def bench(engine: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench_outbox_") as workdir:
        args.workdir = workdir
        url = await http_bench.fresh_database(engine, Path(workdir), args.pg_database)
        await migrate(url)
        await init_db(url)
        receiver = Receiver(args.delay, args.fail_every)
        port = http_bench.free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                Starlette(routes=[Route("/hook", receiver.hook, methods=["POST"])]),
                host="127.0.0.1",
                port=port,
                log_level="warning",
                lifespan="off",
                backlog=4096,
            )
        )
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        print(
            f"\n{engine}: {args.rows} response.confirmed events to one endpoint answering in"
            f" {args.delay * 1000:.0f} ms, 500 to the first attempt of one in {args.fail_every}"
        )
        header = (
            f"{'code':<12} {'workers':>7} {'seconds':>8} {'deliveries/s':>12} {'delivered':>9}"
            f" {'retries':>7} {'500s':>5} {'duplicates':>10} {'failed':>6} {'in flight':>9}"
            f" {'CPU ms':>7}"
        )
        print(header)
        print("-" * len(header))
        try:
            for workers in args.workers:
                for code in args.code:
                    await run(code, workers, url, receiver, f"http://127.0.0.1:{port}/hook", args)
        finally:
            server.should_exit = True
            await task
            await close_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--engines", nargs="+", default=list(http_bench.ENGINES), choices=http_bench.ENGINES
    )
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--delay", type=float, default=0.0, help="the receiver's answer time, s")
    parser.add_argument(
        "--fail-every", type=int, default=0, help="500 to the first attempt of 1 in N"
    )
    parser.add_argument(
        "--code", nargs="+", type=Path, default=[ROOT], help="checkouts to run, in turn"
    )
    parser.add_argument("--pg-database", default="bench_outbox", help="dropped and created")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds a run may take")
    args = parser.parse_args()
    args.code = [code.resolve() for code in args.code]
    if len(args.engines) > 1:  # one process per engine; the last --engines given wins
        for engine in args.engines:
            subprocess.run(
                [sys.executable, __file__, *sys.argv[1:], "--engines", engine], check=True
            )
        return
    asyncio.run(bench(args.engines[0], args))


if __name__ == "__main__":
    main()
