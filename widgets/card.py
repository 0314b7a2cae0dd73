"""A review's share card: the 1200×630 PNG its page gives as og:image and twitter:image.

Plain data in, PNG bytes out. The text is cut to a fixed number of characters before any
layout, so a hostile review (5,000-character words, bidi overrides, emoji) costs the same
bounded time and memory as any other; glyphs the font lacks are replaced, never drawn as
boxes or raised as errors.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from schema_markup import author_name, clean_line, truncate
from widgets.data import Product, Review, Shop
from widgets.i18n import gettext, normalize_locale

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
TEXT_WIDTH = WIDTH - 2 * MARGIN
# Characters kept of each text before layout: more could never fit on the card anyway.
MAX_NAME, MAX_TITLE, MAX_EXCERPT = 80, 120, 260

BACKGROUND = (255, 255, 255)
ACCENT = (47, 85, 151)
TEXT = (28, 28, 30)
MUTED = (96, 96, 104)
STAR = (245, 166, 35)
STAR_EMPTY = (208, 208, 214)

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
REPLACEMENT = "\ufffd"
# Joiners and emoji modifiers: invisible alone, dropped with the emoji they belong to.
_INVISIBLE = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}
_NO_BREAK = {"\u00a0", "\u202f"}
_SPACES = re.compile(" {2,}")

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=16)
def _font(size: int, bold: bool = False) -> FontType:
    """DejaVu Sans when the machine has it (Latin, Greek, Cyrillic, Arabic, Hebrew),
    else the font Pillow bundles."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=4096)
def _has_glyph(font: FontType, char: str) -> bool:
    """False when the font would draw its "missing glyph" box for `char`."""
    return _mask_of(font, char) != _mask_of(font, "\U0010fffd")


@lru_cache(maxsize=4096)
def _mask_of(font: FontType, char: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


def drawable(text: str, font: FontType) -> str:
    """`text` with what the font cannot draw replaced: symbols (emoji) dropped, anything
    else (a script the font lacks) shown as one U+FFFD per run."""
    out: list[str] = []
    for char in text:
        if char in _INVISIBLE:
            continue
        category = unicodedata.category(char)
        if category.startswith("Z") and char not in _NO_BREAK:
            char, category = " ", "Zs"
        if category[0] == "C" or (category[0] != "Z" and not _has_glyph(font, char)):
            if category[0] in "SC":  # emoji, their modifiers, controls: nothing to show
                continue
            if out and out[-1] == REPLACEMENT:
                continue
            char = REPLACEMENT if _has_glyph(font, REPLACEMENT) else "?"
        out.append(char)
    return _SPACES.sub(" ", "".join(out)).strip(" ")


def wrap(text: str, font: FontType, width: int, max_lines: int, closing: str = "") -> list[str]:
    """Lines of at most `width` pixels; a word longer than a line is cut where it must be,
    and the last line ends with "…" when the text does not fit in `max_lines`, followed by
    `closing` (the end of the text, such as a closing quotation mark, kept when it is cut)."""
    measure: Callable[[str], float] = font.getlength
    lines: list[str] = []
    line = ""
    for word in filter(None, text.split(" ")):  # not at no-break spaces: "« texte »"
        candidate = f"{line} {word}" if line else word
        if measure(candidate) <= width:
            line = candidate
            continue
        if measure(word) <= width:
            lines.append(line)
            line = word
        else:  # a word longer than a line: cut it, starting on the current line
            line = candidate
            while measure(line) > width and len(lines) <= max_lines:
                cut = _fitting_prefix(line, measure, width)
                lines.append(line[:cut].rstrip())
                line = line[cut:].lstrip()
        if len(lines) > max_lines:
            break
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        return _ellipsis(lines[:max_lines], measure, width, closing)
    return lines


def _fitting_prefix(word: str, measure: Callable[[str], float], width: int) -> int:
    low, high = 1, len(word)  # binary search: log2(260) measurements, not 260
    while low < high:
        middle = (low + high + 1) // 2
        if measure(word[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _ellipsis(
    lines: list[str], measure: Callable[[str], float], width: int, closing: str
) -> list[str]:
    whole = lines[-1]
    last = whole
    while last and measure(last + "…" + closing) > width:
        last = last[:-1]
    cut_in_a_word = last != whole and not last.endswith(" ") and whole[len(last)] != " "
    if cut_in_a_word and " " in last:
        last = last[: last.rfind(" ")]  # end at the word before the one cut
    return [*lines[:-1], last.rstrip(" \u00a0\u202f,;:") + "…" + closing]


def excerpt_lines(body: str, locale: str, font: FontType, max_lines: int) -> list[str]:
    """The review's text in quotation marks of the locale (“…” or « … »), closed even when
    it is cut."""
    quoted = gettext(locale, "“%(excerpt)s”", excerpt=body)
    closing = gettext(locale, "“%(excerpt)s”").split("%(excerpt)s")[-1]
    return wrap(quoted, font, TEXT_WIDTH, max_lines, closing)


def _star(draw: ImageDraw.ImageDraw, x: float, y: float, size: float, fill: bool) -> None:
    """A five-pointed star in the box (x, y, size): drawn, so no font needs a ★ glyph."""
    cx, cy, outer = x + size / 2, y + size / 2 + size * 0.04, size / 2
    inner = outer * 0.42
    points = [
        (
            cx + (outer if i % 2 == 0 else inner) * math.sin(math.pi * i / 5),
            cy - (outer if i % 2 == 0 else inner) * math.cos(math.pi * i / 5),
        )
        for i in range(10)
    ]
    draw.polygon(points, fill=STAR if fill else STAR_EMPTY)


def render_review_card(shop: Shop, product: Product, review: Review, locale: str) -> bytes:
    """The PNG of one review's share card, in the page's locale."""
    locale = normalize_locale(locale)
    small, name_font = _font(28), _font(34, bold=True)
    title_font, body_font = _font(50, bold=True), _font(32)

    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 16, HEIGHT), fill=ACCENT)

    y = 58
    shop_name = drawable(truncate(clean_line(shop.name), MAX_NAME), small)
    for line in wrap(shop_name, small, TEXT_WIDTH, 1):
        draw.text((MARGIN, y), line, font=small, fill=MUTED)
    y += 42
    product_name = drawable(truncate(clean_line(product.name), MAX_NAME), name_font)
    for line in wrap(product_name, name_font, TEXT_WIDTH, 1):
        draw.text((MARGIN, y), line, font=name_font, fill=TEXT)
    y += 66

    rating = min(max(review.rating, 1), 5)
    size = 54
    for n in range(5):
        _star(draw, MARGIN + n * (size + 10), y, size, n < rating)
    draw.text((MARGIN + 5 * (size + 10) + 14, y + 6), f"{rating}/5", font=name_font, fill=TEXT)
    y += size + 34

    title = drawable(truncate(clean_line(review.title), MAX_TITLE), title_font)
    title_lines = wrap(title, title_font, TEXT_WIDTH, 2) if title else []
    for line in title_lines:
        draw.text((MARGIN, y), line, font=title_font, fill=TEXT)
        y += 62
    y += 10 if title_lines else 0

    body = drawable(truncate(clean_line(review.body), MAX_EXCERPT), body_font)
    room = max(1, min(4, (HEIGHT - 110 - y) // 44))
    if body:
        for line in excerpt_lines(body, locale, body_font, room):
            draw.text((MARGIN, y), line, font=body_font, fill=MUTED)
            y += 44

    author = drawable(truncate(author_name(review.author_name), 40), small)
    byline = gettext(locale, "by %(author)s", author=author or gettext(locale, "Anonymous"))
    if review.verified:
        byline = f"{byline} · {gettext(locale, 'Verified purchase')}"
    for line in wrap(byline, small, TEXT_WIDTH, 1):
        draw.text((MARGIN, HEIGHT - 76), line, font=small, fill=MUTED)

    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()
