"""Small inline SVG charts rendered on the server: readable without JavaScript, in print and
in dark mode (colours come from the page's CSS), each with a title and a description."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 12, 28


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None
    low: float | None = None
    high: float | None = None


def _svg(title: str, description: str, body: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>{body}</svg>"
    )


def line_with_band(
    points: Sequence[Point], *, low: float, high: float, title: str, description: str
) -> Markup:
    """A line of values with its confidence band; gaps where a period has no value."""
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = inner_w / max(1, len(points) - 1)

    def x(i: int) -> float:
        return PAD_LEFT + i * step

    def y(v: float) -> float:
        return PAD_TOP + (high - v) / (high - low) * inner_h

    parts = []
    for tick in (low, (low + high) / 2, high):
        parts.append(
            f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}"/><text class="axis" x="{PAD_LEFT - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{tick:g}</text>'
        )
    band_top = [(x(i), y(p.high)) for i, p in enumerate(points) if p.high is not None]
    band_bottom = [(x(i), y(p.low)) for i, p in enumerate(points) if p.low is not None]
    if band_top and band_bottom:
        outline = band_top + band_bottom[::-1]
        coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in outline)
        parts.append(f'<polygon class="band" points="{coords}"/>')
    segment: list[str] = []
    for i, p in enumerate(points):
        if p.value is None:
            if len(segment) > 1:
                parts.append(f'<polyline class="line" points="{" ".join(segment)}"/>')
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(p.value):.1f}")
        parts.append(f'<circle class="dot" cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="3"/>')
    if len(segment) > 1:
        parts.append(f'<polyline class="line" points="{" ".join(segment)}"/>')
    every = max(1, len(points) // 6)
    for i, p in enumerate(points):
        if i % every == 0:
            parts.append(
                f'<text class="axis" x="{x(i):.1f}" y="{HEIGHT - 8}" text-anchor="middle">'
                f"{escape(p.label)}</text>"
            )
    return _svg(title, description, "".join(parts))


def bars(values: Sequence[tuple[str, float]], *, title: str, description: str) -> Markup:
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    top = max([v for _, v in values] + [1])
    width = inner_w / max(1, len(values))
    parts = []
    for i, (label, value) in enumerate(values):
        h = value / top * inner_h
        bx = PAD_LEFT + i * width + width * 0.15
        parts.append(
            f'<rect class="bar" x="{bx:.1f}" y="{PAD_TOP + inner_h - h:.1f}" '
            f'width="{width * 0.7:.1f}" height="{h:.1f}"/>'
            f'<text class="axis" x="{bx + width * 0.35:.1f}" y="{HEIGHT - 8}" '
            f'text-anchor="middle">{escape(label)}</text>'
            f'<text class="value" x="{bx + width * 0.35:.1f}" y="{PAD_TOP + inner_h - h - 4:.1f}" '
            f'text-anchor="middle">{value:g}</text>'
        )
    return _svg(title, description, "".join(parts))
