"""Small inline SVG charts rendered on the server: readable without JavaScript, in print and
in dark mode (colours come from the page's CSS classes and variables), each named by its
<title> and <desc> through aria-labelledby."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 16, 16, 30
# At most this many x-axis labels, so they never overlap.
MAX_LABELS = 7


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None
    low: float | None = None
    high: float | None = None


def _svg(
    chart_id: str, title: str, description: str, body: str, width: int = WIDTH, height: int = HEIGHT
) -> Markup:
    chart_id = escape(chart_id)
    return Markup(
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>{body}</svg>'
    )


def _runs(points: Sequence[Point]) -> list[list[int]]:
    """Indexes of the points with a value, in runs without gaps."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i, p in enumerate(points):
        if p.value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(i)
    if current:
        runs.append(current)
    return runs


def line_with_band(
    points: Sequence[Point],
    *,
    low: float,
    high: float,
    title: str,
    description: str,
    chart_id: str = "trend",
) -> Markup:
    """A line of values with its confidence band; gaps where a period has no value."""
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = inner_w / max(1, len(points) - 1)

    def x(i: int) -> float:
        return PAD_LEFT + (i * step if len(points) > 1 else inner_w / 2)

    def y(v: float) -> float:
        v = min(max(v, low), high)
        return PAD_TOP + (high - v) / (high - low) * inner_h

    parts = []
    for tick in (low, (low + high) / 2, high):
        parts.append(
            f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}"/><text class="axis" x="{PAD_LEFT - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{tick:g}</text>'
        )
    for run in _runs(points):
        banded = [i for i in run if points[i].low is not None and points[i].high is not None]
        if len(banded) > 1:
            top = [f"{x(i):.1f},{y(points[i].high or 0):.1f}" for i in banded]
            bottom = [f"{x(i):.1f},{y(points[i].low or 0):.1f}" for i in reversed(banded)]
            parts.append(f'<polygon class="band" points="{" ".join(top + bottom)}"/>')
        elif banded:  # a lone period: its interval as an error bar
            i = banded[0]
            parts.append(
                f'<line class="whisker" x1="{x(i):.1f}" x2="{x(i):.1f}" '
                f'y1="{y(points[i].low or 0):.1f}" y2="{y(points[i].high or 0):.1f}"/>'
            )
        if len(run) > 1:
            line = " ".join(f"{x(i):.1f},{y(points[i].value or 0):.1f}" for i in run)
            parts.append(f'<polyline class="line" points="{line}"/>')
        for i in run:
            parts.append(
                f'<circle class="dot" cx="{x(i):.1f}" cy="{y(points[i].value or 0):.1f}" r="3"/>'
            )
    every = max(1, -(-len(points) // MAX_LABELS))
    for i, p in enumerate(points):
        if i % every == 0:
            # Labels at the ends are anchored inside the drawing, so none is cut off.
            anchor = "start" if i == 0 else "end" if i == len(points) - 1 else "middle"
            parts.append(
                f'<text class="axis" x="{x(i):.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">'
                f"{escape(p.label)}</text>"
            )
    return _svg(chart_id, title, description, "".join(parts))


def bars(
    values: Sequence[tuple[str, float]],
    *,
    title: str,
    description: str,
    chart_id: str = "bars",
    classes: Sequence[str] | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Markup:
    """One bar per value, its number above it; `classes` name a colour per bar. A narrower
    `width` keeps the text readable where the chart is shown small."""
    left = right = 8  # no y axis: the numbers are on the bars
    inner_w = width - left - right
    inner_h = height - PAD_TOP - PAD_BOTTOM
    top = max([v for _, v in values] + [1])
    slot = inner_w / max(1, len(values))
    parts = [
        f'<line class="grid" x1="{left}" x2="{width - right}" '
        f'y1="{PAD_TOP + inner_h}" y2="{PAD_TOP + inner_h}"/>'
    ]
    for i, (label, value) in enumerate(values):
        h = value / top * inner_h
        bx = left + i * slot + slot * 0.15
        kind = f" {escape(classes[i])}" if classes else ""
        parts.append(
            f'<rect class="bar{kind}" x="{bx:.1f}" y="{PAD_TOP + inner_h - h:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{h:.1f}"/>'
            f'<text class="axis" x="{bx + slot * 0.35:.1f}" y="{height - 8}" '
            f'text-anchor="middle">{escape(label)}</text>'
            f'<text class="value" x="{bx + slot * 0.35:.1f}" y="{PAD_TOP + inner_h - h - 4:.1f}" '
            f'text-anchor="middle">{value:g}</text>'
        )
    return _svg(chart_id, title, description, "".join(parts), width, height)
