"""The arithmetic of survey metrics: NPS and its interval, shares with a Wilson interval,
and the tests that tell a real change from noise. Figures worked out by hand or taken from
statsmodels."""

from __future__ import annotations

import math

import pytest

from feedback_service.metrics.stats import (
    DOWN,
    NO_DATA,
    NOISE,
    UP,
    Change,
    Nps,
    Share,
    compare_nps,
    compare_shares,
    nps_interval,
    verdict,
    wilson_interval,
)


def test_nps_and_its_interval_by_hand() -> None:
    nps = Nps(promoters=5, passives=3, detractors=2)
    # NPS = 50% − 20% = 30; var = [0.5 + 0.2 − 0.3²] / 10 = 0.061; SE = √0.061 = 0.24698
    # 95%: 30 ± 1.96 × 0.24698 × 100 = 30 ± 48.408
    assert nps.score == pytest.approx(30.0)
    assert nps.standard_error == pytest.approx(math.sqrt(0.061) * 100)
    assert nps.ci95 == pytest.approx((-18.408, 78.408), abs=1e-3)


def test_nps_interval_is_clipped_to_the_scale() -> None:
    # 2 promoters, 1 detractor: 33.3 ± 1.96 × √([2/3 + 1/3 − 1/9] / 3) × 100 = 33.3 ± 106.7
    assert nps_interval(Nps(2, 0, 1)) == pytest.approx((-73.36, 100.0), abs=1e-2)
    # Everyone a promoter: no spread, the interval is the point.
    assert nps_interval(Nps(3, 0, 0)) == (100.0, 100.0)
    assert nps_interval(Nps()) is None and Nps().score is None


def test_wilson_interval_known_values() -> None:
    # Reference values: statsmodels proportion_confint(method="wilson"), z = 1.95996.
    assert wilson_interval(8, 10) == pytest.approx((0.49016, 0.94332), abs=1e-4)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.27753), abs=1e-4)
    assert wilson_interval(50, 100) == pytest.approx((0.40383, 0.59617), abs=1e-4)
    assert wilson_interval(10, 10) == pytest.approx((0.72247, 1.0), abs=1e-4)
    assert wilson_interval(0, 0) is None
    assert Share(5, 8).ci95 == pytest.approx((30.574, 86.316), abs=1e-2)


def test_comparison_tests_by_hand() -> None:
    # Previous: 10 passives, 10 detractors → −50, SE = √([0.5 − 0.25] / 20) = 11.18 points.
    # Current: 15 promoters, 5 passives → 75, SE = √([0.75 − 0.5625] / 20) = 9.68 points.
    # z = 125 / √(11.18² + 9.68²) = 8.45
    change = compare_nps(Nps(15, 5, 0), Nps(0, 10, 10))
    assert change.change == pytest.approx(125.0)
    assert change.z == pytest.approx(125 / math.hypot(math.sqrt(0.0125), math.sqrt(0.009375)) / 100)
    assert change.verdict == UP
    assert compare_nps(Nps(0, 10, 10), Nps(15, 5, 0)).verdict == DOWN
    # 5 P / 5 D → 0 against 6 P / 4 D → 20: z = 20 / √(31.62² + 30.98²) = 0.45
    noise = compare_nps(Nps(6, 0, 4), Nps(5, 0, 5))
    assert noise.z == pytest.approx(0.452, abs=1e-3) and noise.verdict == NOISE
    # Two proportions, 9/10 against 2/10: pooled 0.55, SE = √(0.55 × 0.45 × 0.2) = 22.25 points
    shares = compare_shares(Share(9, 10), Share(2, 10))
    assert shares.z == pytest.approx(70 / (math.sqrt(0.55 * 0.45 * 0.2) * 100))
    assert shares.verdict == UP
    assert compare_shares(Share(5, 10), Share(5, 10)).verdict == NOISE
    assert compare_shares(Share(5, 10), Share()).verdict == NO_DATA
    # No spread at all in either period: a difference is real, no difference is noise.
    assert compare_nps(Nps(3, 0, 0), Nps(0, 0, 3)).verdict == UP
    assert compare_nps(Nps(3, 0, 0), Nps(3, 0, 0)).verdict == NOISE


def test_nps_counts_add_up_and_answers_add_together() -> None:
    nps = Nps(promoters=5, passives=3, detractors=2) + Nps(promoters=1, detractors=4)
    assert (nps.promoters, nps.passives, nps.detractors, nps.n) == (6, 3, 6, 15)
    assert nps.score == pytest.approx(0.0)
    assert Nps().n == 0 and Nps().standard_error is None and Nps().ci95 is None
    assert Nps(0, 0, 4).score == -100.0 and Nps(0, 0, 4).ci95 == (-100.0, -100.0)


def test_a_narrower_confidence_gives_a_narrower_interval() -> None:
    nps = Nps(30, 50, 20)
    low95, high95 = nps_interval(nps) or (0.0, 0.0)
    low80, high80 = nps_interval(nps, z=1.2816) or (0.0, 0.0)
    assert low95 < low80 < 10.0 < high80 < high95  # NPS 10 in both
    assert nps.ci95 == nps_interval(nps)


def test_shares_in_percent() -> None:
    share = Share(hits=3, n=4) + Share(hits=1, n=4)
    assert (share.hits, share.n, share.value) == (4, 8, 50.0)
    assert Share().value is None and Share().ci95 is None
    low, high = Share(hits=50, n=100).ci95 or (0.0, 0.0)
    assert low == pytest.approx(40.383, abs=1e-2) and high == pytest.approx(59.617, abs=1e-2)


def test_a_wilson_interval_stays_within_zero_and_one_and_holds_its_share() -> None:
    for hits, n in [(0, 1), (1, 1), (1, 3), (99, 100), (3, 1000)]:
        interval = wilson_interval(hits, n)
        assert interval is not None
        low, high = interval
        assert 0.0 <= low <= hits / n <= high <= 1.0, (hits, n)
    # More answers, a narrower interval around the same share.
    narrow, wide = wilson_interval(80, 100), wilson_interval(8, 10)
    assert narrow is not None and wide is not None
    assert narrow[1] - narrow[0] < wide[1] - wide[0]


def test_verdicts_at_the_critical_value() -> None:
    assert verdict(5.0, 1.96) == UP
    assert verdict(-5.0, -1.96) == DOWN
    assert verdict(5.0, 1.95) == NOISE
    assert verdict(5.0, 1.5, critical=1.2816) == UP
    assert verdict(0.0, None) == NOISE and verdict(-1.0, None) == DOWN


def test_a_period_without_answers_is_not_compared() -> None:
    assert compare_nps(Nps(), Nps(5, 0, 0)) == Change(None, 100.0, None, None, NO_DATA)
    assert compare_nps(Nps(5, 0, 0), Nps()).verdict == NO_DATA
    assert compare_shares(Share(), Share()) == Change(None, None, None, None, NO_DATA)
    same = compare_shares(Share(0, 10), Share(0, 10))  # no spread, no change
    assert (same.change, same.z, same.verdict) == (0.0, None, NOISE)
