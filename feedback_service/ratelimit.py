"""Rate limits (limits, in memory): 429 with Retry-After when one is exceeded."""

from __future__ import annotations

import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from feedback_service.errors import RateLimited

# Per link and address: generous for a person, tight for a script.
ANSWERS = parse("20/hour")
LOGIN = parse("10/minute")
API = parse("1200/minute")
COMMENTS = parse("20/hour")

_limiter = MovingWindowRateLimiter(MemoryStorage())


async def hit(limit: RateLimitItem, *keys: str) -> None:
    if await _limiter.hit(limit, *keys):
        return
    stats = await _limiter.get_window_stats(limit, *keys)
    raise RateLimited(
        "Too many requests; try again later.",
        retry_after=max(1, int(stats.reset_time - time.time())),
    )


async def reset() -> None:
    """Forget every counter (tests start each case from zero)."""
    await _limiter.storage.reset()


REVIEW_FORMS = parse("30/hour")
HELPFUL = parse("30/minute")
