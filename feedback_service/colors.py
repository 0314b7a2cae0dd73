"""Colour contrast (WCAG 2.1): which text colour stays readable on a shop's colour."""

from __future__ import annotations

from functools import cache

DARK_TEXT = "#111827"
LIGHT_TEXT = "#ffffff"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: str) -> float:
    """Relative luminance of "#rrggbb"."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(first: str, second: str) -> float:
    """Contrast ratio of two "#rrggbb" colours, from 1 to 21."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@cache  # a shop has one colour; emails ask for it on each button
def text_color_on(background: str) -> str:
    """White or near-black, whichever reads better on the background."""
    if contrast(LIGHT_TEXT, background) >= contrast(DARK_TEXT, background):
        return LIGHT_TEXT
    return DARK_TEXT
