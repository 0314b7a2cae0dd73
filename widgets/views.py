"""What templates show, computed once from the plain data: safe URLs, dates, counts.

Templates stay declarative; every decision with a rule behind it (Google's, the
consumer code's, or safety's) is made here, in a function a test can call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schema_markup import (
    author_name,
    clean_line,
    rating_value,
    safe_http_url,
)
from widgets import links
from widgets.data import SORTS, PageInfo, Product, Reply, Review, Summary
from widgets.formatting import Formatter, bar_width, star_counts
from widgets.i18n import LOCALES, language_name

_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_GTIN = re.compile(r"\d{8}|\d{12,14}")


@dataclass(frozen=True, slots=True)
class ProductView:
    name: str
    sku: str
    url: str | None  # None: not an http(s) URL, shown without a link
    image: str | None
    brand: str | None
    gtin: str | None
    description: str | None


@dataclass(frozen=True, slots=True)
class DistributionRow:
    stars: int
    count: str
    width: str


@dataclass(frozen=True, slots=True)
class SummaryView:
    marked: bool  # an AggregateRating may be emitted (at least one rating)
    value: str  # dot decimal, for content=
    value_text: str  # in the reader's locale, shown
    count: int
    count_text: str
    stars: tuple[int, int]
    distribution: tuple[DistributionRow, ...]


@dataclass(frozen=True, slots=True)
class ReplyView:
    body: str
    iso: str
    text: str


@dataclass(frozen=True, slots=True)
class ReviewView:
    id: int
    lang: str | None
    rating: int
    title: str
    body: str
    author: str  # empty: the template shows "Anonymous" in the reader's language
    published_iso: str
    published_text: str
    experienced_iso: str | None
    experienced_text: str | None
    edited_iso: str | None
    edited_text: str | None
    verified: bool
    incentivised: bool
    helpful_count: str
    helpful_url: str
    photos: tuple[str, ...]
    answers: tuple[tuple[str, str], ...]
    reply: ReplyView | None
    url: str  # the review's own page


@dataclass(frozen=True, slots=True)
class Choice:
    key: str
    label: str
    url: str
    current: bool
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class PagerView:
    page: int
    pages: int
    prev_url: str | None
    next_url: str | None
    sorts: tuple[Choice, ...]
    languages: tuple[Choice, ...]


def product_view(product: Product) -> ProductView:
    gtin = clean_line(product.gtin or "")
    return ProductView(
        name=clean_line(product.name),
        sku=clean_line(product.sku),
        url=safe_http_url(product.url),
        image=safe_http_url(product.image_url),
        brand=clean_line(product.brand or "") or None,
        gtin=gtin if _GTIN.fullmatch(gtin) else None,  # a malformed GTIN is worse than none
        description=clean_line(product.description or "") or None,
    )


def summary_view(summary: Summary, fmt: Formatter) -> SummaryView:
    value = summary.value if summary.has_rating and summary.value is not None else 0.0
    total = sum(max(n, 0) for n in summary.distribution.values()) or summary.count
    rows = tuple(
        DistributionRow(
            stars=stars,
            count=fmt.number(summary.distribution.get(stars, 0)),
            width=bar_width(summary.distribution.get(stars, 0), total),
        )
        for stars in (5, 4, 3, 2, 1)
    )
    return SummaryView(
        marked=summary.has_rating,
        value=rating_value(value),
        value_text=fmt.rating(value),
        count=max(summary.count, 0),
        count_text=fmt.number(max(summary.count, 0)),
        stars=star_counts(value),
        distribution=rows if summary.distribution else (),
    )


def review_view(review: Review, fmt: Formatter, back: str | None = None) -> ReviewView:
    """`back`: the shop's page a vote returns to, when the block is embedded there."""
    published = fmt.day(review.published_at)
    experienced = fmt.day(review.experienced_at) if review.experienced_at else None
    edited = fmt.day(review.edited_at) if review.edited_at else None
    return ReviewView(
        id=review.id,
        lang=review.language if _LANGUAGE_TAG.fullmatch(review.language or "") else None,
        rating=review.rating,
        title=clean_line(review.title),
        body=review.body.strip(),
        author=author_name(review.author_name),
        published_iso=published.isoformat(),
        published_text=fmt.long_date(published),
        experienced_iso=experienced.isoformat() if experienced else None,
        experienced_text=fmt.long_date(experienced) if experienced else None,
        edited_iso=edited.isoformat() if edited else None,
        edited_text=fmt.long_date(edited) if edited else None,
        verified=review.verified,
        incentivised=review.incentivised,
        helpful_count=fmt.number(max(review.helpful_count, 0)),
        helpful_url=links.helpful_url(review, back),
        photos=tuple(url for url in map(safe_http_url, review.photos) if url),
        answers=tuple((clean_line(q), a.strip()) for q, a in review.answers if a.strip()),
        reply=reply_view(review.reply, fmt),
        url=review.url,
    )


def reply_view(reply: Reply | None, fmt: Formatter) -> ReplyView | None:
    """The shop's public reply under a review (None: no reply, or an empty one)."""
    if reply is None or not reply.body.strip():
        return None
    day = fmt.day(reply.published_at)
    return ReplyView(body=reply.body.strip(), iso=day.isoformat(), text=fmt.long_date(day))


def pager_view(page: PageInfo) -> PagerView:
    number, pages = links.current_page(page), links.page_count(page)
    sort = links.current_sort(page)
    return PagerView(
        page=number,
        pages=pages,
        prev_url=links.listing_url(page, number=number - 1) if number > 1 else None,
        next_url=links.listing_url(page, number=number + 1) if number < pages else None,
        # Sort labels are translated in the template, by key.
        sorts=tuple(
            Choice(key=key, label="", url=links.listing_url(page, sort=key), current=key == sort)
            for key in SORTS
        ),
        languages=_language_choices(page),
    )


def _language_choices(page: PageInfo) -> tuple[Choice, ...]:
    offered = [code for code in page.languages if _LANGUAGE_TAG.fullmatch(code)] or list(LOCALES)
    if page.lang and page.lang not in offered and _LANGUAGE_TAG.fullmatch(page.lang):
        offered.append(page.lang)
    everything = Choice(
        key="", label="", url=links.listing_url(page, lang=None), current=not page.lang
    )
    # Each language is named in itself ("Français"), as readers look for their own.
    return (everything,) + tuple(
        Choice(
            key=code,
            label=language_name(code, code),
            url=links.listing_url(page, lang=code),
            current=code == page.lang,
            lang=code,
        )
        for code in dict.fromkeys(offered)
    )
