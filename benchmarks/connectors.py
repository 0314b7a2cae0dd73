"""Platform webhooks in: how fast a signed Shopify delivery is answered (the platform waits
at most 5 s), and how many deliveries per second one worker makes into orders.

    .venv/bin/python benchmarks/connectors.py [--orders 1000] [--database-url URL]

Default: a fresh SQLite file in a temporary directory. A PostgreSQL URL must name a
database the script may empty (its schema is dropped and migrated).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

from feedback_service.app import create_app
from feedback_service.connectors.models import ConnectorDelivery
from feedback_service.connectors.services import create_connector, endpoint_url
from feedback_service.db import close_db, init_db, migrate
from feedback_service.links import Links
from feedback_service.orders.models import Order
from feedback_service.settings import Settings
from feedback_service.shops.services import create_shop
from feedback_service.worker import Worker

KEY = "shpss_bench_0123456789abcdef0123456789"
SAMPLE = Path(__file__).resolve().parents[1] / "tests/connectors/payloads/shopify_order.json"


def signed(order_id: int) -> tuple[bytes, dict[str, str]]:
    data = json.loads(SAMPLE.read_text())
    created = datetime.now(UTC) - timedelta(days=2)
    data.update(
        id=order_id,
        name=f"#{order_id}",
        email=f"c{order_id % 5000}@example.com",
        created_at=created.isoformat(),
        updated_at=created.isoformat(),
        fulfillment_status="fulfilled",
        test=False,
    )
    body = json.dumps(data).encode()
    signature = base64.b64encode(hmac.new(KEY.encode(), body, hashlib.sha256).digest()).decode()
    return body, {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/fulfilled",
        "X-Shopify-Hmac-Sha256": signature,
        "X-Shopify-Shop-Domain": "bench.myshopify.com",
        "X-Shopify-Webhook-Id": f"bench-{order_id}",
    }


async def reset(url: str) -> None:
    if url.startswith("postgres"):
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()


async def main(orders: int, url: str, data_dir: Path) -> None:
    await reset(url)
    await migrate(url)
    await init_db(url)
    settings = Settings(
        database_url=url,
        public_base_url="http://127.0.0.1:8000",
        secret_key="bench",
        data_dir=data_dir,
    )
    shop, _ = await create_shop("Bench", "bench")
    connector = await create_connector(shop, "shopify", KEY)
    hook = endpoint_url(Links(settings), connector)
    app = create_app(settings, manage_db=False)
    bodies = [signed(1_000_000 + n) for n in range(orders)]
    latencies = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
        for body, headers in bodies:
            started = time.perf_counter()
            response = await client.post(hook, content=body, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
    started = time.perf_counter()
    await Worker(settings).run_once()
    elapsed = time.perf_counter() - started
    made = await Order.all().count()
    failed = await ConnectorDelivery.filter(outcome="failed").count()
    latencies.sort()
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"{engine}, {orders} signed Shopify deliveries (orders/fulfilled, 2 items each)")
    print(
        f"answer: median {statistics.median(latencies):.1f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f} ms, max {latencies[-1]:.1f} ms"
    )
    print(
        f"worker: {made} orders (+ their review requests) in {elapsed:.1f} s = "
        f"{made / elapsed:.0f} deliveries/s; failed: {failed}"
    )
    await close_db()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite://{tmp}/bench.sqlite3"
        asyncio.run(main(args.orders, url, Path(tmp)))
