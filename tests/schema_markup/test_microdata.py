"""The machine-readable twins of what pages show: ratings, dates and author names."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from schema_markup.microdata import (
    BEST_RATING,
    MAX_AUTHOR_NAME,
    WORST_RATING,
    author_name,
    iso_date,
    iso_timestamp,
    local_date,
    rating_value,
    rounded_rating,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(4.25, "4.3"), (4.24, "4.2"), (4.333, "4.3"), (5, "5.0"), (1.05, "1.1"), (0.0, "0.0")],
)
def test_rating_value_is_dot_decimal_rounded_half_up(value: float, expected: str) -> None:
    assert rating_value(value) == expected


def test_rounded_rating_rounds_the_written_decimal_not_the_float() -> None:
    # 2.675 is 2.67499999... as a float: round() gives 2.67, a reader expects 2.7.
    assert round(2.675, 2) == 2.67
    assert rounded_rating(2.675) == Decimal("2.7")
    assert rounded_rating(4.25) == Decimal("4.3")
    assert (WORST_RATING, BEST_RATING) == (1, 5)


def test_iso_dates_follow_the_given_timezone() -> None:
    late = datetime(2024, 3, 12, 23, 30, tzinfo=UTC)
    assert iso_date(late) == "2024-03-12"
    assert iso_date(late, ZoneInfo("Europe/Paris")) == "2024-03-13"
    assert iso_date(date(2024, 1, 2)) == "2024-01-02"
    assert iso_date(datetime(2024, 1, 2, 12, 0)) == "2024-01-02"


def test_local_date_takes_naive_instants_as_utc_and_keeps_plain_dates() -> None:
    naive = datetime(2024, 6, 30, 23, 0)
    assert local_date(naive, ZoneInfo("Europe/Paris")) == date(2024, 7, 1)
    assert local_date(naive, ZoneInfo("America/New_York")) == date(2024, 6, 30)
    assert local_date(date(2024, 6, 30), ZoneInfo("Asia/Tokyo")) == date(2024, 6, 30)


def test_iso_timestamps_have_seconds_and_an_offset() -> None:
    assert iso_timestamp(datetime(2024, 3, 12, 9, 30, 15, 999999)) == "2024-03-12T09:30:15+00:00"
    plus_two = timezone(timedelta(hours=2))
    assert iso_timestamp(datetime(2024, 3, 12, 9, 30, tzinfo=plus_two)) == (
        "2024-03-12T09:30:00+02:00"
    )


def test_author_names_stay_under_100_characters() -> None:
    assert author_name("  Alice \n M. ") == "Alice M."
    long = author_name("x" * 500)
    assert len(long) == MAX_AUTHOR_NAME == 99 and long.endswith("…")
    assert author_name("\u202eevil\x00") == "evil"
