"""Review highlights ("what customers say") as the blocks show them, and on their own for
pages that reuse them (the shop's certificate)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from schema_markup import clean_line
from widgets.data import Highlight, Quote
from widgets.formatting import Formatter
from widgets.i18n import normalize_locale
from widgets.rendering import render

# The aspects the analyser tags; the template names each in the reader's language.
ASPECTS = (
    "delivery",
    "price",
    "quality",
    "customer_service",
    "returns_refunds",
    "size_fit",
    "packaging",
)
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


@dataclass(frozen=True, slots=True)
class QuoteView:
    text: str
    lang: str | None  # set when the quote is not in the page's language
    cut_start: bool
    cut_end: bool
    url: str | None  # the review's own page (None: it has none)


@dataclass(frozen=True, slots=True)
class HighlightView:
    aspect: str
    mentions: int
    mentions_text: str
    positive: str  # "75%" / "75 %"
    negative: str
    positive_width: str  # CSS widths of the bar's two parts
    negative_width: str
    quote: QuoteView | None


def highlight_views(highlights: Sequence[Highlight], fmt: Formatter) -> list[HighlightView]:
    """The highlights the template shows: known aspects with mentions, each with the quote
    in the reader's language, else one in another language."""
    views = []
    for h in highlights:
        if h.aspect not in ASPECTS or h.mentions <= 0:
            continue
        positive = _share(h.positive, h.mentions)
        negative = min(_share(h.negative, h.mentions), 100 - positive)
        views.append(
            HighlightView(
                aspect=h.aspect,
                mentions=h.mentions,
                mentions_text=fmt.number(h.mentions),
                positive=_percent(positive, fmt),
                negative=_percent(negative, fmt),
                positive_width=f"{positive}%",
                negative_width=f"{negative}%",
                quote=_quote_view(h.quotes, fmt.locale),
            )
        )
    return views


def render_highlights(highlights: Sequence[Highlight], locale: str, *, heading: str = "h2") -> str:
    """The "what customers say" section alone ("" without highlights), for a page that has
    the stylesheet in its <head>; ``heading``: h2 or h3, as the page's outline needs."""
    fmt = Formatter(locale=normalize_locale(locale))
    return render(
        "highlights.html",
        locale,
        highlights=highlight_views(highlights, fmt),
        heading="h3" if heading == "h3" else "h2",
    )


def _share(part: int, total: int) -> int:
    return round(100 * min(max(part, 0), total) / total)


def _percent(value: int, fmt: Formatter) -> str:
    # French puts a narrow no-break space before the sign.
    return f"{fmt.number(value)}\u202f%" if fmt.locale == "fr" else f"{fmt.number(value)}%"


def _quote_view(quotes: Sequence[Quote], locale: str) -> QuoteView | None:
    shown = [q for q in quotes if clean_line(q.text)]
    quote = next((q for q in shown if q.language == locale), shown[0] if shown else None)
    if quote is None:
        return None
    return QuoteView(
        text=quote.text.strip(),
        lang=quote.language
        if quote.language != locale and _LANGUAGE_TAG.fullmatch(quote.language)
        else None,
        cut_start=quote.cut_start,
        cut_end=quote.cut_end,
        url=quote.url,
    )
