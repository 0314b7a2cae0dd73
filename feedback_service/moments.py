"""The dates the service accepts from outside (timezone-aware, from 1970 to 2100 in UTC) and
the dates it answers.

Every stored date is read back in UTC: one outside what Python can convert (year 1 at
+14:00 is year 0 in UTC) would break every page that reads its row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, PlainSerializer

from feedback_service.errors import InvalidInput

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
OUT_OF_RANGE = "must be between 1970-01-01 and 2100-01-01 (UTC)"


def in_range(moment: datetime) -> datetime:
    """The moment itself, or ValueError when it has no timezone or lies out of range."""
    if moment.tzinfo is None:
        raise ValueError("must carry a timezone, e.g. 2026-11-23T10:00:00Z")
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(OUT_OF_RANGE) from None
    if not EARLIEST <= utc <= LATEST:
        raise ValueError(OUT_OF_RANGE)
    return moment


def checked(moment: datetime, field: str) -> datetime:
    """`in_range` for a query parameter or a form field: InvalidInput naming it."""
    try:
        return in_range(moment)
    except ValueError as exc:
        raise InvalidInput(f"{field} {exc}.", fields={field: str(exc)}) from None


def parse(value: str, field: str) -> datetime:
    """An ISO 8601 date-time with its timezone, in range, or InvalidInput naming `field`."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        message = f"{field} is an ISO 8601 date-time."
        raise InvalidInput(message, fields={field: "invalid"}) from None
    return checked(moment, field)


# The type of every date-time field of a request body (API, CSV import).
AwareDatetime = Annotated[datetime, AfterValidator(in_range)]

# The type of every date-time of an answer: ISO 8601 as Python writes it (+00:00, not Z).
Moment = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str, when_used="json")]
