"""What the /admin dashboard shows: the filters of its GET form, the figures of a period (a
fixed handful of aggregate queries, whatever the shop's size) and their charts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.dates import format_date, get_timezone
from babel.numbers import format_decimal
from markupsafe import Markup

from feedback_service.admin.charts import Point, bars, line_with_band
from feedback_service.alerts.models import Alert, AlertStatus
from feedback_service.errors import InvalidInput
from feedback_service.i18n import N_
from feedback_service.metrics import services
from feedback_service.metrics.api import parse_period, shop_timezone
from feedback_service.metrics.aspects import AspectCount, negative_aspects
from feedback_service.metrics.recovery import Recovery, recovery
from feedback_service.metrics.stats import DOWN, NO_DATA, UP, Change, Interval, Share
from feedback_service.metrics.values import (
    SURVEYS,
    TREND_STEPS,
    Answers,
    Comparison,
    Loyalty,
    Period,
    TrendPoint,
    check_survey,
    compare,
    shop_segments,
)
from feedback_service.shops.models import Shop
from feedback_service.surveys.kinds import Kind
from feedback_service.surveys.models import Response as SurveyResponse

PRESETS = ("30", "90", "365")
DEFAULT_PRESET = "90"
# Weekly points beyond this would crowd the chart: longer periods go by month.
MAX_WEEKLY = timedelta(days=731)
LATEST_ANSWERS = 10
# Score charts sit three abreast: a narrow drawing keeps their text readable.
DISTRIBUTION_WIDTH, DISTRIBUTION_HEIGHT = 360, 200

Translate = Callable[..., str]

SEGMENT_LABELS = {
    "new": N_("New customers"),
    "occasional": N_("Occasional customers"),
    "regular": N_("Regular customers"),
    "all": N_("All customers"),
}
NPS_GROUP_LABELS = {
    "promoter": N_("Promoters"),
    "passive": N_("Passives"),
    "detractor": N_("Detractors"),
    "none": N_("No NPS answer"),
}
SURVEY_LABELS: dict[str, str] = {
    Kind.NPS: N_("NPS (0–10)"),
    Kind.THERMOMETER: N_("Thermometer"),
    Kind.CSAT: N_("CSAT (1–5)"),
}
TREND_TITLES: dict[tuple[str, str], str] = {
    (Kind.NPS, "week"): N_("NPS per week"),
    (Kind.NPS, "month"): N_("NPS per month"),
    (Kind.THERMOMETER, "week"): N_("Happiness factor per week"),
    (Kind.THERMOMETER, "month"): N_("Happiness factor per month"),
    (Kind.CSAT, "week"): N_("CSAT per week"),
    (Kind.CSAT, "month"): N_("CSAT per month"),
}
# The scores of each kind, the label of each bar and its NPS-like group (for its colour).
SCORE_BARS: dict[str, list[tuple[int, str, str]]] = {
    Kind.NPS: [
        (n, str(n), "promoter" if n >= 9 else "passive" if n >= 7 else "detractor")
        for n in range(11)
    ],
    # The thermometer's own colours, not the NPS groups'.
    Kind.THERMOMETER: [
        (1, N_("Red"), "thermo-red"),
        (2, N_("Yellow"), "thermo-yellow"),
        (3, N_("Green"), "thermo-green"),
        (4, N_("Gold"), "thermo-gold"),
    ],
    Kind.CSAT: [
        (n, str(n), "promoter" if n >= 4 else "passive" if n == 3 else "detractor")
        for n in range(1, 6)
    ],
}


# --- Filters -----------------------------------------------------------------------------

BAD_DATES = N_("Use dates like 2024-03-31, the first before the second, at most 10 years apart.")
FILTER_ERRORS = {
    "days": N_("Pick the last 30, 90 or 365 days."),
    "survey": N_("Pick a survey kind from the list."),
    "every": N_("The trend is by week or by month."),
}


@dataclass(frozen=True)
class Filters:
    """The dashboard's GET form: a preset (last N days) or from/to dates, a survey kind,
    and the step of the trend."""

    period: Period
    survey: str | None
    every: str
    preset: str  # "30", "90", "365", or "" when from/to are given
    date_from: str
    date_to: str


def parse_filters(
    params: Mapping[str, str], shop: Shop, *, now: datetime | None = None
) -> tuple[Filters, str | None]:
    """The filters of the query string, and the message (to translate) of the first wrong
    one: the dashboard then shows the last 90 days of every survey."""
    try:
        return _parse(params, shop, now or services.utcnow()), None
    except InvalidInput as exc:
        field = next(iter(exc.fields or {}), "")
        return _parse({}, shop, now or services.utcnow()), FILTER_ERRORS.get(field, BAD_DATES)


def _parse(params: Mapping[str, str], shop: Shop, now: datetime) -> Filters:
    survey = params.get("survey") or None
    check_survey(survey)
    date_from, date_to = params.get("from", "")[:40], params.get("to", "")[:40]
    if date_from or date_to:
        preset = ""
        period = parse_period(date_from or None, date_to or None, shop_timezone(shop.timezone))
    else:
        preset = params.get("days") or DEFAULT_PRESET
        if preset not in PRESETS:
            raise InvalidInput("days is 30, 90 or 365.", fields={"days": "30, 90 or 365"})
        period = Period(now - timedelta(days=int(preset)), now)
    length = period.end - period.start
    every = params.get("every") or ("week" if length <= timedelta(days=120) else "month")
    if every not in TREND_STEPS:
        raise InvalidInput("every is week or month.", fields={"every": "week or month"})
    if every == "week" and length > MAX_WEEKLY:
        every = "month"
    return Filters(period, survey, every, preset, date_from, date_to)


# --- Figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    current: Answers
    comparison: Comparison
    response_rate: Share
    sentiment: dict[str, object]
    aspects: list[AspectCount]
    trend: list[TrendPoint]
    loyalty: Loyalty
    open_alerts: int
    latest: list[SurveyResponse]
    recovery: Recovery


async def load(shop: Shop, filters: Filters) -> Dashboard:
    """Every figure of the dashboard: eleven queries, independent of the number of rows."""
    period, survey = filters.period, filters.survey
    # Independent queries: on PostgreSQL each takes its own pooled connection.
    survey_figures = asyncio.gather(
        services.answers(shop, period, survey=survey),
        services.answers(shop, period.previous(), survey=survey),
        services.response_rate(shop, period.start, period.end, survey=survey),
        services.sentiment_summary(shop, period, survey=survey),
        negative_aspects(shop, period, survey=survey),
        services.trend_points(shop, survey, period.start, period.end, every=filters.every),
    )
    shop_figures = asyncio.gather(
        services.loyalty_kpis(shop, as_of=period.end),
        Alert.filter(shop=shop, status=AlertStatus.OPEN).count(),
        SurveyResponse.filter(shop=shop)
        .order_by("-id")
        .limit(LATEST_ANSWERS)
        .select_related("customer"),
        recovery(
            shop, period.start, period.end, now=services.utcnow(), segments=shop_segments(shop)
        ),
    )
    (
        (current, previous, rate, sentiment, aspects, trend),
        (loyalty, open_alerts, latest, recovered),
    ) = await asyncio.gather(survey_figures, shop_figures)
    return Dashboard(
        filters=filters,
        current=current,
        comparison=compare(current, previous, period),
        response_rate=rate,
        sentiment=sentiment,
        aspects=aspects,
        trend=trend,
        loyalty=loyalty,
        open_alerts=open_alerts,
        latest=list(latest),
        recovery=recovered,
    )


# --- Presentation ------------------------------------------------------------------------


class Numbers:
    """Figures written the way the staff's locale writes them; "—" when there is none."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def number(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return "—"
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def signed(self, value: float | None, digits: int = 1) -> str:
        """+12.5 / -3: an NPS or a change in points."""
        if value is None:
            return "—"
        text = self.number(abs(value), digits)
        if round(value, digits) == 0:
            return text
        return ("+" if value > 0 else "−") + text

    def percent(self, value: float | None) -> str:
        if value is None:
            return "—"
        return self.number(value) + ("\u202f%" if self.locale == "fr" else "%")

    def money(self, value: float | None) -> str:
        if value is None:
            return "—"
        return format_decimal(value, format="#,##0.00", locale=self.locale)

    def interval(self, interval: Interval | None, *, signed: bool = False) -> str:
        if interval is None:
            return "—"
        show = self.signed if signed else self.number
        return f"{show(interval[0])}\u00a0–\u00a0{show(interval[1])}"

    def span(self, period: Period, timezone: str) -> str:
        """The days of a period in the shop's timezone, its last day included."""
        tz = get_timezone(timezone)
        first = period.start.astimezone(tz).date()
        last = (period.end - timedelta(microseconds=1)).astimezone(tz).date()
        return (
            f"{format_date(first, 'medium', locale=self.locale)} – "
            f"{format_date(last, 'medium', locale=self.locale)}"
        )

    def day(self, value: date, every: str) -> str:
        pattern = "d MMM" if every == "week" else "MMM yyyy"
        return format_date(value, pattern, locale=self.locale)


def verdict_text(change: Change, _: Translate, numbers: Numbers) -> str:
    """This period against the previous one in plain words, as a shop owner reads it."""
    if change.verdict == NO_DATA or change.change is None:
        return _("Not enough answers in one of the two periods to compare.")
    points = numbers.number(abs(change.change))
    if change.verdict == UP:
        return _("Up %(points)s points on the previous period: likely real.", points=points)
    if change.verdict == DOWN:
        return _("Down %(points)s points on the previous period: likely real.", points=points)
    return _(
        "%(change)s points on the previous period: within noise.",
        change=numbers.signed(change.change),
    )


@dataclass(frozen=True)
class TrendRow:
    label: str
    value: float | None
    interval: Interval | None
    n: int


@dataclass(frozen=True)
class TrendChart:
    svg: Markup
    title: str
    signed: bool
    rows: list[TrendRow]


def trend_chart(board: Dashboard, _: Translate, numbers: Numbers) -> TrendChart:
    """NPS (with mapped thermometer answers) per week or month; the happiness factor or the
    CSAT when only that survey is selected."""
    survey, every = board.filters.survey, board.filters.every
    rows: list[TrendRow] = []
    for point in board.trend:
        label = numbers.day(point.period_start, every)
        if survey == Kind.THERMOMETER:
            share = point.answers.happiness_factor()
            rows.append(TrendRow(label, share.value, share.ci95, share.n))
        elif survey == Kind.CSAT:
            share = point.answers.csat()
            rows.append(TrendRow(label, share.value, share.ci95, share.n))
        else:
            nps = point.answers.nps()
            rows.append(TrendRow(label, nps.score, nps.ci95, nps.n))
    signed = survey not in (Kind.THERMOMETER, Kind.CSAT)
    title = _(TREND_TITLES[(survey if survey and not signed else Kind.NPS, every)])
    with_values = [row for row in rows if row.value is not None]
    if with_values:
        first, last = with_values[0], with_values[-1]
        description = _(
            "%(count)s periods with answers out of %(total)s; from %(first)s (%(first_label)s) "
            "to %(last)s (%(last_label)s). The shaded band is the confidence interval (95%%).",
            count=len(with_values),
            total=len(rows),
            first=numbers.number(first.value),
            first_label=first.label,
            last=numbers.number(last.value),
            last_label=last.label,
        )
    else:
        description = _("No answers in this period.")
    svg = line_with_band(
        [
            Point(
                row.label,
                row.value,
                row.interval[0] if row.interval else None,
                row.interval[1] if row.interval else None,
            )
            for row in rows
        ],
        low=-100 if signed else 0,
        high=100,
        title=title,
        description=description,
        chart_id="trend-chart",
    )
    return TrendChart(svg, title, signed, rows)


@dataclass(frozen=True)
class Distribution:
    kind: str
    svg: Markup
    title: str
    rows: list[tuple[str, int]]
    n: int


def distributions(board: Dashboard, _: Translate) -> list[Distribution]:
    """One bar chart of answers per score for each survey kind that has answers."""
    kinds = (board.filters.survey,) if board.filters.survey else SURVEYS
    charts = []
    for kind in kinds:
        rows = [
            (_(label), board.current.by_score.get((kind, score), 0))
            for score, label, _group in SCORE_BARS[kind]
        ]
        n = sum(count for _label, count in rows)
        if n == 0:
            continue
        title = _("Answers per score: %(survey)s", survey=_(SURVEY_LABELS[kind]))
        description = ", ".join(f"{label}: {count}" for label, count in rows)
        svg = bars(
            [(label, float(count)) for label, count in rows],
            title=title,
            description=description,
            chart_id=f"scores-{kind}",
            classes=[group for _score, _label, group in SCORE_BARS[kind]],
            width=DISTRIBUTION_WIDTH,
            height=DISTRIBUTION_HEIGHT,
        )
        charts.append(Distribution(kind, svg, title, rows, n))
    return charts
