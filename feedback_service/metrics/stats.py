"""The arithmetic of survey metrics: NPS and its interval, shares with a Wilson interval,
and the tests that tell a real change from noise. Plain numbers in, plain numbers out."""

from __future__ import annotations

import math
from dataclasses import dataclass

# 95% two-sided: the interval a shop reads as "the true figure is very likely in here".
Z95 = 1.96

UP = "up_likely_real"
DOWN = "down_likely_real"
NOISE = "within_noise"
# One of the two periods has no answers: there is nothing to compare.
NO_DATA = "not_enough_data"

Interval = tuple[float, float]


@dataclass(frozen=True)
class Nps:
    """Answers sorted into promoters, passives and detractors; the score is %P − %D."""

    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> float | None:
        if self.n == 0:
            return None
        return (self.promoters - self.detractors) / self.n * 100

    @property
    def standard_error(self) -> float | None:
        """In NPS points: each answer is +1, 0 or −1, so var = [p + d − (p − d)²] / n."""
        if self.n == 0:
            return None
        p = self.promoters / self.n
        d = self.detractors / self.n
        variance = max(p + d - (p - d) ** 2, 0.0) / self.n
        return math.sqrt(variance) * 100

    @property
    def ci95(self) -> Interval | None:
        return nps_interval(self)

    def __add__(self, other: Nps) -> Nps:
        return Nps(
            self.promoters + other.promoters,
            self.passives + other.passives,
            self.detractors + other.detractors,
        )


def nps_interval(nps: Nps, z: float = Z95) -> Interval | None:
    """The normal-approximation interval of the NPS, clipped to the scale [-100, 100]."""
    if nps.score is None or nps.standard_error is None:
        return None
    margin = z * nps.standard_error
    return (max(nps.score - margin, -100.0), min(nps.score + margin, 100.0))


def wilson_interval(hits: int, n: int, z: float = Z95) -> Interval | None:
    """Wilson score interval of a proportion, as fractions in [0, 1].

    Unlike p ± z·SE it stays inside [0, 1] and behaves with few answers or a share near
    0% or 100%, which is the usual case for a small shop.
    """
    if n == 0:
        return None
    p = hits / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    margin = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (max(centre - margin, 0.0), min(centre + margin, 1.0))


@dataclass(frozen=True)
class Share:
    """A share of a whole, e.g. happy customers among those who answered; value in %."""

    hits: int = 0
    n: int = 0

    @property
    def value(self) -> float | None:
        return None if self.n == 0 else self.hits / self.n * 100

    @property
    def ci95(self) -> Interval | None:
        interval = wilson_interval(self.hits, self.n)
        return None if interval is None else (interval[0] * 100, interval[1] * 100)

    def __add__(self, other: Share) -> Share:
        return Share(self.hits + other.hits, self.n + other.n)


@dataclass(frozen=True)
class Change:
    """This period against the previous one: the point change and whether it is real."""

    current: float | None
    previous: float | None
    change: float | None
    z: float | None
    verdict: str


def verdict(change: float, z: float | None, critical: float = Z95) -> str:
    if z is None:  # no spread at all in either period: any difference is a real one
        return NOISE if change == 0 else (UP if change > 0 else DOWN)
    if z >= critical:
        return UP
    if z <= -critical:
        return DOWN
    return NOISE


def compare_nps(current: Nps, previous: Nps) -> Change:
    """Two-sample z-test on the NPS difference: z = diff / sqrt(se1² + se2²)."""
    if current.score is None or previous.score is None:
        return Change(current.score, previous.score, None, None, NO_DATA)
    assert current.standard_error is not None and previous.standard_error is not None
    change = current.score - previous.score
    spread = math.hypot(current.standard_error, previous.standard_error)
    z = change / spread if spread > 0 else None
    return Change(current.score, previous.score, change, z, verdict(change, z))


def compare_shares(current: Share, previous: Share) -> Change:
    """Two-proportion z-test with the pooled share, as for an A/B test."""
    if current.value is None or previous.value is None:
        return Change(current.value, previous.value, None, None, NO_DATA)
    change = current.value - previous.value
    pooled = (current.hits + previous.hits) / (current.n + previous.n)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / current.n + 1 / previous.n)) * 100
    z = change / spread if spread > 0 else None
    return Change(current.value, previous.value, change, z, verdict(change, z))
