"""The shop's certificate page and its badge: the shop's reviews of itself.

Google's self-serving rule: a business may not mark up ratings of itself (an
AggregateRating or a rated Review of its Organization or LocalBusiness) on pages it
controls, and a review page about the shop describes the shop itself. So neither the
certificate nor the badge carries any rating markup: the stars and numbers are text.
Product stars elsewhere (the product blocks) keep theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from schema_markup import author_name, open_graph_tags, twitter_card_tags
from widgets import links
from widgets.blocks import _formatter
from widgets.data import Highlight, Shop, ShopRating, ShopReview
from widgets.formatting import Formatter, bar_width, star_counts
from widgets.highlights import highlight_views
from widgets.i18n import LOCALES, gettext, language_name, ngettext
from widgets.rendering import render
from widgets.views import (
    _LANGUAGE_TAG,
    PagerView,
    ReplyView,
    SummaryView,
    reply_view,
    summary_view,
)

CRITERIA = ("delivery", "as_described", "service")


@dataclass(frozen=True, slots=True)
class CriterionView:
    name: str
    rated: bool
    value_text: str
    count: int
    count_text: str
    stars: tuple[int, int]
    width: str  # the average out of 5, as a bar


@dataclass(frozen=True, slots=True)
class ShopReviewView:
    id: int
    lang: str | None
    rating: int
    criteria: tuple[tuple[str, int], ...]
    body: str
    author: str  # empty: "Anonymous" in the reader's language
    published_iso: str
    published_text: str
    experienced_iso: str | None
    experienced_text: str | None
    edited_iso: str | None
    edited_text: str | None
    verified: bool
    incentivised: bool
    reply: ReplyView | None


def render_certificate(
    shop: Shop,
    rating: ShopRating,
    reviews: Sequence[ShopReview],
    *,
    page: int,
    pages: int,
    locale: str,
    highlights: Sequence[Highlight] = (),
) -> str:
    """The shop's public review page: its rating of the last twelve months overall and per
    criterion, the distribution, "what customers say" across the shop's reviews
    (`highlights`), its reviews newest first, and how they are collected."""
    fmt = _formatter(shop, locale)
    page = min(max(page, 1), max(pages, 1))
    canonical = links.certificate_url(shop, fmt.locale, page)
    title = gettext(fmt.locale, "%(shop)s: customer reviews of the shop", shop=shop.name)
    summary = summary_view(rating.summary, fmt)
    description = _badge_text(summary, fmt) if summary.marked else None
    return render(
        "certificate.html",
        fmt.locale,
        shop=shop,
        title=title,
        description=description,
        summary=summary,
        criteria=[_criterion_view(c.name, c.value, c.count, fmt) for c in rating.criteria],
        total_text=fmt.number(max(rating.total, 0)),
        total=max(rating.total, 0),
        reviews=[_review_view(review, fmt) for review in reviews],
        highlights=highlight_views(highlights, fmt),
        pager=PagerView(
            page=page,
            pages=max(pages, 1),
            prev_url=links.certificate_url(shop, fmt.locale, page - 1) if page > 1 else None,
            next_url=links.certificate_url(shop, fmt.locale, page + 1) if page < pages else None,
            sorts=(),
            languages=(),
        ),
        languages=[
            (code, language_name(code, code), links.certificate_url(shop, code, 1))
            for code in LOCALES
        ],
        policy_url=links.policy_url(shop, fmt.locale),
        canonical_url=canonical,
        og_tags=open_graph_tags(
            title=title,
            url=canonical,
            og_type="website",
            image=shop.logo_url,
            description=description,
            site_name=shop.name,
            locale=fmt.locale,
        ),
        twitter_tags=twitter_card_tags(title=title, image=shop.logo_url, description=description),
    )


def render_shop_badge(shop: Shop, rating: ShopRating, locale: str) -> str:
    """ "4.7/5 — 1,283 verified reviews", linking to the certificate: a fragment for the
    shop's pages, styled inline (it stands alone), with no rating markup."""
    fmt = _formatter(shop, locale)
    summary = summary_view(rating.summary, fmt)
    return render(
        "shop_badge.html",
        fmt.locale,
        shop=shop,
        summary=summary,
        text=_badge_text(summary, fmt) if summary.marked else None,
        url=links.certificate_url(shop, fmt.locale, 1),
    )


def _badge_text(summary: SummaryView, fmt: Formatter) -> str:
    # Every review of the shop comes from an order's own request link: all are verified.
    return ngettext(
        fmt.locale,
        "%(value)s/5 — %(num)s verified review",
        "%(value)s/5 — %(num)s verified reviews",
        summary.count,
        value=summary.value_text,
        num=summary.count_text,
    )


def _criterion_view(name: str, value: float | None, count: int, fmt: Formatter) -> CriterionView:
    rated = value is not None and count > 0
    average = value if rated and value is not None else 0.0
    return CriterionView(
        name=name,
        rated=rated,
        value_text=fmt.rating(average) if rated else "",
        count=max(count, 0),
        count_text=fmt.number(max(count, 0)),
        stars=star_counts(average),
        width=bar_width(round(average * 100), 500) if rated else "0%",
    )


def _review_view(review: ShopReview, fmt: Formatter) -> ShopReviewView:
    published = fmt.day(review.published_at)
    experienced = fmt.day(review.experienced_at) if review.experienced_at else None
    edited = fmt.day(review.edited_at) if review.edited_at else None
    return ShopReviewView(
        id=review.id,
        lang=review.language if _LANGUAGE_TAG.fullmatch(review.language or "") else None,
        rating=review.rating,
        criteria=tuple((name, stars) for name, stars in review.criteria if name in CRITERIA),
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
        reply=reply_view(review.reply, fmt),
    )
