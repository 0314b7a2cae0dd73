"""What the visible text says: dates in the shop's timezone, numbers in the reader's locale,
stars and bars from the same rounding as the markup."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from widgets.formatting import Formatter, bar_width, shop_timezone, star_counts

PARIS = shop_timezone("Europe/Paris")


def test_an_unknown_or_malformed_timezone_is_utc() -> None:
    assert shop_timezone("Nowhere/Atlantis") is UTC
    assert shop_timezone("") is UTC
    assert shop_timezone("../../etc/passwd") is UTC
    assert str(PARIS) == "Europe/Paris"


def test_dates_are_calendar_days_of_the_shop_in_the_readers_words() -> None:
    late = datetime(2024, 3, 12, 23, 30, tzinfo=UTC)
    assert Formatter("fr", PARIS).day(late) == date(2024, 3, 13)
    assert Formatter("en").day(late) == date(2024, 3, 12)
    assert Formatter("en").long_date(date(2024, 3, 12)) == "March 12, 2024"
    assert Formatter("fr").long_date(date(2024, 3, 12)) == "12 mars 2024"


def test_ratings_and_counts_in_each_locale() -> None:
    english, french = Formatter("en"), Formatter("fr")
    assert english.rating(4.25) == "4.3"  # half up, as the markup's "4.3"
    assert french.rating(4.25) == "4,3"
    assert english.rating(5) == "5.0"
    assert english.number(1234) == "1,234"
    assert french.number(1234) == "1\u202f234"  # French groups digits with a narrow space
    assert french.number(7) == "7"


@pytest.mark.parametrize(
    ("value", "stars"),
    [
        (4.3, (4, 1)),
        (4.45, (5, 0)),  # shown as 4.5, which rounds up to 5 stars
        (2.49, (3, 2)),  # shown as 2.5
        (2.44, (2, 3)),
        (0, (0, 5)),
        (7, (5, 0)),  # never more than five, never fewer than none
        (-2, (0, 5)),
    ],
)
def test_stars_follow_the_shown_rating(value: float, stars: tuple[int, int]) -> None:
    assert star_counts(value) == stars


@pytest.mark.parametrize(
    ("part", "total", "width"),
    [(3, 4, "75%"), (1, 3, "33%"), (2, 3, "67%"), (5, 5, "100%"), (0, 0, "0%"), (-1, 5, "0%")],
)
def test_distribution_bars(part: int, total: int, width: str) -> None:
    assert bar_width(part, total) == width
