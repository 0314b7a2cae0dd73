"""The value types metrics are built from, without a database: periods, segments, counted
answers, order totals and their JSON."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feedback_service.errors import InvalidInput
from feedback_service.metrics.stats import Nps, Share
from feedback_service.metrics.values import (
    MAX_LIFETIME_YEARS,
    Answers,
    OrderTotals,
    Period,
    SegmentRule,
    answers_json,
    check_segment,
    check_survey,
    nps_group,
    order_totals_json,
)

JANUARY = Period(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 31, tzinfo=UTC))


def test_a_period_is_aware_and_not_empty() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Period(datetime(2024, 1, 1), datetime(2024, 1, 31, tzinfo=UTC))
    with pytest.raises(InvalidInput) as refused:
        Period(JANUARY.end, JANUARY.start)
    assert refused.value.fields == {"from": "must be before to"}


def test_the_previous_period_has_the_same_length_and_ends_where_this_one_starts() -> None:
    before = JANUARY.previous()
    assert before.end == JANUARY.start
    assert before.end - before.start == JANUARY.end - JANUARY.start
    assert JANUARY.as_json() == {
        "from": "2024-01-01T00:00:00+00:00",
        "to": "2024-01-31T00:00:00+00:00",
    }


def test_segments_by_number_of_orders() -> None:
    rule = SegmentRule()
    assert [rule.name(n) for n in (None, 0, 1, 2, 3, 4, 10)] == [
        "none",
        "new",
        "new",
        "occasional",
        "occasional",
        "regular",
        "regular",
    ]
    assert SegmentRule(3, 6).params() == {"occasional_from": 3, "regular_from": 6}
    # The SQL names segments the same way, with the thresholds as parameters.
    assert SegmentRule().case("o") == (
        "CASE WHEN o IS NULL THEN 'none' WHEN o < :occasional_from THEN 'new' "
        "WHEN o < :regular_from THEN 'occasional' ELSE 'regular' END"
    )


@pytest.mark.parametrize(("occasional", "regular"), [(1, 4), (4, 4), (5, 3)])
def test_thresholds_that_clash_are_refused(occasional: int, regular: int) -> None:
    with pytest.raises(ValueError, match="2 <= occasional_from < regular_from"):
        SegmentRule(occasional, regular)


def test_unknown_survey_kinds_and_segments_are_bad_input() -> None:
    check_survey(None)
    check_survey("csat")
    check_segment("regular")
    with pytest.raises(InvalidInput):
        check_survey("ces")
    with pytest.raises(InvalidInput):
        check_segment("vip")


@pytest.mark.parametrize(
    ("kind", "score", "group"),
    [
        ("nps", 10, "promoter"),
        ("nps", 9, "promoter"),
        ("nps", 8, "passive"),
        ("nps", 7, "passive"),
        ("nps", 6, "detractor"),
        ("nps", 0, "detractor"),
        ("thermometer", 4, "promoter"),  # gold
        ("thermometer", 3, "passive"),  # green
        ("thermometer", 2, "detractor"),  # yellow
        ("thermometer", 1, "detractor"),  # red
        ("csat", 5, None),
    ],
)
def test_nps_groups(kind: str, score: int, group: str | None) -> None:
    assert nps_group(kind, score) == group


def counted(*rows: tuple[str, int, int]) -> Answers:
    answers = Answers()
    for kind, score, n in rows:
        answers.add_row({"kind": kind, "score": score, "n": n})
    return answers


def test_every_survey_metric_comes_from_the_counted_answers() -> None:
    answers = counted(
        ("nps", 10, 3),
        ("nps", 8, 1),
        ("nps", 2, 1),
        ("thermometer", 4, 2),
        ("thermometer", 3, 1),
        ("thermometer", 1, 1),
        ("csat", 5, 2),
        ("csat", 3, 2),
    )
    assert answers.n == 13
    assert answers.nps() == Nps(promoters=5, passives=2, detractors=2)  # thermometer folded in
    assert answers.happiness_factor() == Share(3, 4)  # gold and green
    assert answers.csat() == Share(2, 4)  # 4 and 5
    assert answers.count("nps", range(9, 11)) == 3
    both = answers + counted(("csat", 4, 1))
    assert both.csat() == Share(3, 5) and answers.csat() == Share(2, 4)


def test_answers_as_json() -> None:
    body = answers_json(counted(("nps", 10, 2), ("nps", 0, 1)))
    assert body["n"] == 3
    assert body["nps"]["score"] == 33.3 and body["nps"]["n"] == 3
    assert body["happiness_factor"] == {"score": None, "ci95": None, "happy": 0, "n": 0}
    assert body["csat"]["satisfied"] == 0


TOTALS = OrderTotals(
    customers=10,
    repeat_customers=4,
    orders=20,
    lapsed=3,
    lapsed_a_year=2,
    customers_last_year=8,
    orders_last_year=12,
    multi_category=2,
    single_category=8,
    sales=1000.0,
    priced_orders=16,
)


def test_loyalty_ratios() -> None:
    assert TOTALS.repurchase_rate == Share(4, 10)
    assert TOTALS.churn_rate == Share(3, 10) and TOTALS.retention_rate == Share(7, 10)
    assert TOTALS.upsell_ratio == 0.25
    assert TOTALS.average_order_value == 62.5  # sales over the orders with a price
    assert TOTALS.orders_per_customer == 2.0
    assert TOTALS.sales_per_customer == 125.0  # unpriced orders count at the average
    assert TOTALS.orders_per_year == 1.5
    assert TOTALS.expected_lifetime_years == 5.0  # 1 / (2 lapsed a year / 10)
    assert TOTALS.clv == 62.5 * 1.5 * 5.0


def test_loyalty_without_customers_or_churn() -> None:
    nobody = OrderTotals()
    assert nobody.clv is None and nobody.upsell_ratio is None
    assert nobody.expected_lifetime_years is None
    assert OrderTotals(customers=5).expected_lifetime_years == MAX_LIFETIME_YEARS
    assert (TOTALS + TOTALS).customers == 20 and (TOTALS + TOTALS).sales == 2000.0


def test_order_totals_as_json() -> None:
    body = order_totals_json(TOTALS)
    assert body["repurchase_rate"]["score"] == 40.0
    assert body["clv"] == 468.75 and body["orders_per_customer_per_year"] == 1.5
    assert order_totals_json(OrderTotals())["repurchase_rate"] == {"score": None, "ci95": None}
