"""RATE_LIMIT_URL: the counters live in Redis, so every web process shares them."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from admin_helpers import log_in

from feedback_service import ratelimit
from feedback_service.app import create_app
from feedback_service.settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_limits() -> Iterator[None]:
    if not _redis_is_up():  # the machine runs one; say so rather than pass silently
        pytest.fail("Redis is not running at 127.0.0.1:6379")
    yield
    ratelimit.configure(None)


async def test_two_processes_share_the_login_limit_through_redis(
    redis_limits: None, settings: Settings, db: str
) -> None:
    shared = settings.model_copy(update={"rate_limit_url": REDIS_URL})
    await ratelimit.reset()
    statuses = []
    for tries in (6, 5):  # two processes: each its own app and connection to Redis
        app = create_app(shared, manage_db=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
            for n in range(tries):
                answer = await log_in(client, "x@shop.fr", f"guess-{n}")
                statuses.append(answer.status_code)
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429 and int(answer.headers["retry-after"]) >= 1
    await ratelimit.reset()


def test_a_rate_limit_url_must_be_redis() -> None:
    with pytest.raises(ValueError, match="redis://"):
        ratelimit.configure("memcached://127.0.0.1:11211")
