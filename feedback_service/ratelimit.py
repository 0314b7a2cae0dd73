"""Rate limits: 429 with Retry-After when one is exceeded.

Each limit is a fixed window: N hits from the first one, for the window's length (a
counter per key, the cheapest to keep; at worst 2N across a window's end). Counters live
in each process's memory, or in Redis (limits' storage) when RATE_LIMIT_URL is set, so that
several web processes share them."""

from __future__ import annotations

import time
from typing import Protocol

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string

from feedback_service.errors import RateLimited

# Per link and address: generous for a person, tight for a script.
ANSWERS = parse("20/hour")
# Password guesses are refused per account and address, and per address whatever the
# account; an account guessed from many addresses is slowed down (LOGIN_DELAY seconds
# per attempt), never refused: whoever knows a staff email could lock its owner out.
LOGIN = parse("10/minute")
LOGIN_ADDRESS = parse("30/minute")
LOGIN_ACCOUNT = parse("30/minute")
LOGIN_DELAY = 1.0
API = parse("1200/minute")
# A batch (up to 1,000 orders or invitations) is one API request, and one of these.
API_BATCHES = parse("60/minute")
COMMENTS = parse("20/hour")

SWEEP_EVERY = 60.0  # seconds between two sweeps of expired counters


class Counters(Protocol):
    async def hit(self, limit: RateLimitItem, *keys: str) -> bool:
        """Count a hit; whether it is within the limit."""

    async def seconds_left(self, limit: RateLimitItem, *keys: str) -> float:
        """Until the window of these keys ends."""

    async def reset(self) -> None:
        """Forget every counter."""


class MemoryCounters:
    """This process's counters: per key, the hits of its window and when it ends.

    limits' own memory storage kept an asyncio.Lock per key (objects the garbage collector
    walked on each full collection: under load, tens of thousands of keys, collections of
    30-90 ms that stalled every request) and swept every key after each hit, with a thread
    hop per key (a tenth of the server's CPU under load). The counters are only touched
    from the event loop's thread, by code that never awaits in between: no lock. A window
    is a tuple of numbers, which the collector stops tracking. A sweep runs at most once a
    minute; an expired window starts again when next hit."""

    def __init__(self) -> None:
        self.windows: dict[str, tuple[int, float]] = {}  # key: (hits, end, monotonic)
        self.next_sweep = 0.0

    async def hit(self, limit: RateLimitItem, *keys: str) -> bool:
        now = time.monotonic()
        if now >= self.next_sweep:
            self.next_sweep = now + SWEEP_EVERY
            self.windows = {k: w for k, w in self.windows.items() if w[1] > now}
        key = limit.key_for(*keys)
        window = self.windows.get(key)
        if window is None or window[1] <= now:
            hits, end = 1, now + limit.get_expiry()
        else:
            hits, end = window[0] + 1, window[1]
        self.windows[key] = (hits, end)
        return hits <= limit.amount

    async def seconds_left(self, limit: RateLimitItem, *keys: str) -> float:
        window = self.windows.get(limit.key_for(*keys))
        return 0.0 if window is None else window[1] - time.monotonic()

    async def reset(self) -> None:
        self.windows.clear()


class SharedCounters:
    """Counters in a storage of limits (Redis), through its public API."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.limiter = FixedWindowRateLimiter(storage)

    async def hit(self, limit: RateLimitItem, *keys: str) -> bool:
        return await self.limiter.hit(limit, *keys)

    async def seconds_left(self, limit: RateLimitItem, *keys: str) -> float:
        stats = await self.limiter.get_window_stats(limit, *keys)
        return stats.reset_time - time.time()

    async def reset(self) -> None:
        await self.storage.reset()


_counters: Counters = MemoryCounters()


def configure(url: str | None) -> None:
    """Where the counters live: redis://host:port/db (or rediss://), else memory."""
    global _counters
    if not url:
        _counters = MemoryCounters()
        return
    if not url.startswith(("redis://", "rediss://")):
        raise ValueError("RATE_LIMIT_URL is a redis:// or rediss:// URL")
    shared = storage_from_string(f"async+{url}", key_prefix="feedback_service")
    assert isinstance(shared, Storage)  # "async+" gives the asyncio flavour
    _counters = SharedCounters(shared)


async def hit(limit: RateLimitItem, *keys: str) -> None:
    if await _counters.hit(limit, *keys):
        return
    raise RateLimited(
        "Too many requests; try again later.",
        retry_after=max(1, int(await _counters.seconds_left(limit, *keys))),
    )


async def exceeded(limit: RateLimitItem, *keys: str) -> bool:
    """Count a hit; whether it went past the limit (for a slow-down rather than a 429)."""
    return not await _counters.hit(limit, *keys)


async def reset() -> None:
    """Forget every counter (tests start each case from zero)."""
    await _counters.reset()


REVIEW_FORMS = parse("30/hour")
HELPFUL = parse("30/minute")
