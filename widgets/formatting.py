"""What the visible text says, in the reader's locale and the shop's timezone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date
from babel.numbers import format_decimal

from schema_markup import BEST_RATING, local_date, rounded_rating


def shop_timezone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@dataclass(frozen=True)
class Formatter:
    locale: str
    tz: tzinfo = UTC

    def day(self, value: datetime | date) -> date:
        """The calendar day of an instant in the shop's timezone: what dates show."""
        return local_date(value, self.tz)

    def long_date(self, day: date) -> str:
        """'March 12, 2024' / '12 mars 2024'; its ISO twin is `day.isoformat()`."""
        return _long_date(day, self.locale)

    def rating(self, value: float) -> str:
        """'4.3' / '4,3': the same rounding as the markup's rating_value."""
        return _rating(rounded_rating(value), self.locale)

    def number(self, value: int) -> str:
        """'1,234' / '1 234'."""
        return _number(value, self.locale)


# Babel takes tens of microseconds a call, and a page shows the same few days, ratings
# and small counts over and over: each is formatted once per locale.
@lru_cache(maxsize=4096)
def _long_date(day: date, locale: str) -> str:
    return format_date(day, format="long", locale=locale)


@lru_cache(maxsize=256)
def _rating(value: Decimal, locale: str) -> str:
    return format_decimal(value, format="0.0", locale=locale)


@lru_cache(maxsize=4096)
def _number(value: int, locale: str) -> str:
    return format_decimal(value, locale=locale)


def star_counts(value: float) -> tuple[int, int]:
    """(filled, empty) star characters: the shown rating rounded half up to a whole star."""
    whole = int(rounded_rating(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    filled = min(max(whole, 0), BEST_RATING)
    return filled, BEST_RATING - filled


def bar_width(part: int, total: int) -> str:
    """CSS width of a distribution bar, e.g. '74%'."""
    if total <= 0:
        return "0%"
    return f"{round(100 * max(part, 0) / total)}%"
