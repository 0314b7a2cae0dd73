"""The in-memory rate-limit counters: fixed windows from a key's first hit."""

from __future__ import annotations

import gc

import pytest
from limits import parse

from feedback_service import ratelimit
from feedback_service.errors import RateLimited

THREE_A_MINUTE = parse("3/minute")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: now[0])
    return now


async def test_a_window_counts_from_its_first_hit_then_starts_again(clock: list[float]) -> None:
    counters = ratelimit.MemoryCounters()
    assert [await counters.hit(THREE_A_MINUTE, "a") for _ in range(4)] == [True] * 3 + [False]
    assert await counters.hit(THREE_A_MINUTE, "b")  # each key its own window
    clock[0] += 20
    assert await counters.seconds_left(THREE_A_MINUTE, "a") == 40
    assert not await counters.hit(THREE_A_MINUTE, "a")
    clock[0] += 40
    assert await counters.hit(THREE_A_MINUTE, "a")  # a new window
    await counters.reset()
    assert await counters.seconds_left(THREE_A_MINUTE, "a") == 0


async def test_expired_windows_are_swept_at_most_once_a_minute(clock: list[float]) -> None:
    counters = ratelimit.MemoryCounters()
    await counters.hit(THREE_A_MINUTE, "old")
    clock[0] += 61
    await counters.hit(parse("3/hour"), "new")
    assert len(counters.windows) == 1  # the sweep ran with this hit, "old" had expired
    clock[0] += 30
    await counters.hit(THREE_A_MINUTE, "soon")
    clock[0] += 61
    await counters.hit(THREE_A_MINUTE, "other")
    assert len(counters.windows) == 2  # "soon" expired, swept; "new" still counts


async def test_hit_past_the_limit_says_when_to_try_again(clock: list[float]) -> None:
    ratelimit.configure(None)
    for _ in range(3):
        await ratelimit.hit(THREE_A_MINUTE, "x")
    clock[0] += 15
    with pytest.raises(RateLimited) as refused:
        await ratelimit.hit(THREE_A_MINUTE, "x")
    assert refused.value.retry_after == 45
    assert await ratelimit.exceeded(THREE_A_MINUTE, "x")
    await ratelimit.reset()
    assert not await ratelimit.exceeded(THREE_A_MINUTE, "x")


async def test_the_garbage_collector_does_not_walk_the_windows() -> None:
    """Under load tens of thousands of keys: full collections that walk them stall every
    request (limits' lock per key did)."""
    counters = ratelimit.MemoryCounters()
    for n in range(100):
        await counters.hit(THREE_A_MINUTE, f"key{n}")
    gc.collect()
    assert not any(gc.is_tracked(window) for window in counters.windows.values())
