"""Rate limits (limits): 429 with Retry-After when one is exceeded.

Each limit is a fixed window: N hits from the first one, for the window's length (a
counter per key, the cheapest to keep; at worst 2N across a window's end). Counters live
in each process's memory, or in Redis when RATE_LIMIT_URL is set, so that several web
processes share them."""

from __future__ import annotations

import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
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

SWEEP_EVERY = 60.0  # seconds between two sweeps of expired entries


class _Unlocked:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


_UNLOCKED = _Unlocked()


class _NoLocks(dict[str, _Unlocked]):
    """Every key's lock, none kept: the counters are only touched from the event loop's
    thread, by code that never awaits in between. limits keeps an asyncio.Lock per key,
    objects the garbage collector walked on each full collection (under load, tens of
    thousands of keys: collections of 30-90 ms that stalled every request)."""

    def __missing__(self, key: str) -> _Unlocked:
        return _UNLOCKED


class _SweepingMemoryStorage(MemoryStorage):
    """limits' in-memory storage, minus its sweep after every hit and its lock per key.

    limits 5 starts a sweep of every key whenever the previous one has ended, with a thread
    hop per key: with a key per invitation and address, that was a tenth of the server's
    CPU under load. Here a sweep runs at most once a minute, in the loop; an expired counter
    is reset when next read, so a late sweep only keeps memory a little longer. (The two
    methods override limits' private ones, hence the mangled names.)
    """

    _next_sweep = 0.0

    def __init__(self) -> None:
        super().__init__()
        self.locks = _NoLocks()  # type: ignore[assignment]

    async def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_EVERY
            self._MemoryStorage__expire_events()

    def _MemoryStorage__expire_events(self) -> None:
        now = time.time()
        for key, expiry in list(self.expirations.items()):
            if expiry <= now:
                self.storage.pop(key, None)
                self.expirations.pop(key, None)
                self.locks.pop(key, None)


_limiter = FixedWindowRateLimiter(_SweepingMemoryStorage())


def configure(url: str | None) -> None:
    """Where the counters live: redis://host:port/db (or rediss://), else memory."""
    global _limiter
    storage: Storage
    if url:
        if not url.startswith(("redis://", "rediss://")):
            raise ValueError("RATE_LIMIT_URL is a redis:// or rediss:// URL")
        shared = storage_from_string(f"async+{url}", key_prefix="feedback_service")
        assert isinstance(shared, Storage)  # "async+" gives the asyncio flavour
        storage = shared
    else:
        storage = _SweepingMemoryStorage()
    _limiter = FixedWindowRateLimiter(storage)


async def hit(limit: RateLimitItem, *keys: str) -> None:
    if await _limiter.hit(limit, *keys):
        return
    stats = await _limiter.get_window_stats(limit, *keys)
    raise RateLimited(
        "Too many requests; try again later.",
        retry_after=max(1, int(stats.reset_time - time.time())),
    )


async def exceeded(limit: RateLimitItem, *keys: str) -> bool:
    """Count a hit; whether it went past the limit (for a slow-down rather than a 429)."""
    return not await _limiter.hit(limit, *keys)


async def reset() -> None:
    """Forget every counter (tests start each case from zero)."""
    await _limiter.storage.reset()


REVIEW_FORMS = parse("30/hour")
HELPFUL = parse("30/minute")
