"""Metrics API: GET /api/v1/metrics?survey=&from=&to=&segment=&latest_only="""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import Response

from feedback_service import moments
from feedback_service.errors import InvalidInput
from feedback_service.http import ModelResponse
from feedback_service.metrics import services
from feedback_service.metrics.schemas import Metrics
from feedback_service.metrics.values import Period, check_segment, check_survey
from feedback_service.shops.api import api_shop

DEFAULT_PERIOD = timedelta(days=90)
# The comparison looks back one more period: bounds keep every date computable.
MAX_PERIOD = timedelta(days=3660)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def shop_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_moment(value: str, name: str, tz: ZoneInfo, *, end: bool) -> datetime:
    """An ISO date-time with its timezone, or a date: a whole day in the shop's timezone
    (`to=2024-03-31` includes the 31st)."""
    invalid = InvalidInput(f"{name} is a date or an ISO 8601 date-time.", fields={name: "invalid"})
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time.min, tzinfo=tz)
            if end:
                moment += timedelta(days=1)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise invalid from None
    return moments.checked(moment, name).astimezone(UTC)


def parse_period(date_from: str | None, date_to: str | None, tz: ZoneInfo) -> Period:
    """Default: the last 90 days; `from` alone runs until now, `to` alone starts 90 days
    before it."""
    start = parse_moment(date_from, "from", tz, end=False) if date_from else None
    end = parse_moment(date_to, "to", tz, end=True) if date_to else services.utcnow()
    if start is None:
        start = end - DEFAULT_PERIOD
    if start >= end:
        raise InvalidInput("from must be before to.", fields={"from": "must be before to"})
    if end - start > MAX_PERIOD:
        raise InvalidInput("A period is at most 10 years.", fields={"from": "period too long"})
    return Period(start, end)


def parse_flag(value: str | None, name: str, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise InvalidInput(f"{name} is true or false.", fields={name: "true or false"})


async def get_metrics(request: Request) -> Response:
    shop = await api_shop(request)
    params = request.query_params
    survey = params.get("survey") or None
    check_survey(survey)
    segment = params.get("segment") or None
    check_segment(segment)
    period = parse_period(params.get("from"), params.get("to"), shop_timezone(shop.timezone))
    latest_only = parse_flag(params.get("latest_only"), "latest_only", default=True)
    summary = await services.metrics_summary(
        shop, survey, period.start, period.end, segment=segment, latest_only=latest_only
    )
    return ModelResponse(Metrics.model_validate(summary))
