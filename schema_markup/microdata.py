"""Values as schema.org and Google's review-snippet rules want them.

Google reads ratings as dot-decimal numbers, dates as ISO 8601 and wants author
names under 100 characters; shops' locales want none of that, so the visible text
is formatted elsewhere and these helpers give the machine-readable twin.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from schema_markup.text import clean_line, truncate

SCHEMA_ORG = "https://schema.org/"
BEST_RATING = 5
WORST_RATING = 1
# Google: "the author name must be less than 100 characters".
MAX_AUTHOR_NAME = 99


def rounded_rating(value: float) -> Decimal:
    """An average rating to one decimal, half up (4.25 -> 4.3, not the float's 4.2)."""
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rating_value(value: float) -> str:
    """Dot-decimal rating for markup: 4.333 -> "4.3", 5 -> "5.0"."""
    return str(rounded_rating(value))


def local_date(value: datetime | date, tz: tzinfo = UTC) -> date:
    """The calendar date of an instant in `tz` (naive datetimes are taken as UTC)."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(tz).date()
    return value


def iso_date(value: datetime | date, tz: tzinfo = UTC) -> str:
    """ISO 8601 date, e.g. "2024-03-12", as datePublished wants it."""
    return local_date(value, tz).isoformat()


def iso_timestamp(value: datetime) -> str:
    """ISO 8601 with a UTC offset, e.g. "2024-03-12T09:30:00+00:00"."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.isoformat(timespec="seconds")


def author_name(name: str) -> str:
    """The author's name as shown and marked up: one line, under 100 characters."""
    return truncate(clean_line(name), MAX_AUTHOR_NAME)
