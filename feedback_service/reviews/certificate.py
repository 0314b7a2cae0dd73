"""The shop's certificate (its public page of reviews of itself) and its badge.

GET /w/{shop}/certificate   a whole page; ?lang=en|fr, else the reader's Accept-Language
GET /w/{shop}/badge         a fragment for the shop's pages: "4.7/5 — 1,283 verified reviews"

Both carry no rating markup (see widgets.certificate), an ETag and the blocks' caching.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

import widgets
from feedback_service.errors import NotFound
from feedback_service.http import respondent_locale, whole_number
from feedback_service.i18n import LOCALES, normalize_locale
from feedback_service.links import Links
from feedback_service.reviews import blocks, shop_reviews
from feedback_service.reviews.highlights import shop_highlights
from feedback_service.reviews.models import Review
from feedback_service.reviews.views import BLOCK_CACHE
from feedback_service.shops.models import Shop


async def certificate(request: Request) -> Response:
    shop = await _shop(request)
    request.state.frame_ancestors = shop.frame_ancestors  # a page: the shop says who frames it
    locale = _locale(request, shop)
    page = whole_number(request.query_params.get("page") or "1", digits=5) or 1
    rating = await shop_reviews.shop_rating(shop, datetime.now(UTC))
    rows, page, pages = await shop_reviews.reviews_page(shop, page)
    said = await shop_highlights(shop.id)
    html = widgets.render_certificate(
        _shop_data(shop, _links(request)),
        _rating_data(rating),
        [_review_data(review) for review in rows],
        page=page,
        pages=pages,
        locale=locale,
        highlights=blocks.highlights_data(
            said, shop.slug, _links(request), await _without_page(said)
        ),
    )
    return _answer(request, html)


async def _without_page(said: list[dict[str, Any]]) -> set[int]:
    """The quoted reviews that are of the shop itself: they have no page of their own."""
    quoted = {q["review"] for h in said for q in h["quotes"].values()}
    if not quoted:
        return set()
    rows = await Review.filter(id__in=quoted, product_id__isnull=True).values("id")
    return {row["id"] for row in rows}


async def badge(request: Request) -> Response:
    shop = await _shop(request)
    await blocks.note_embedded(shop)
    rating = await shop_reviews.shop_rating(shop, datetime.now(UTC))
    shop_data = _shop_data(shop, _links(request))
    html = widgets.render_shop_badge(shop_data, _rating_data(rating), _locale(request, shop))
    return _answer(request, html)


def _links(request: Request) -> Links:
    links: Links = request.app.state.links
    return links


async def _shop(request: Request) -> Shop:
    shop = await Shop.filter(slug=request.path_params["shop"]).first()
    if shop is None:
        raise NotFound("No such shop.")
    return shop


def _locale(request: Request, shop: Shop) -> str:
    """?lang= (or the blocks' ?locale=), else the reader's Accept-Language, else the shop's."""
    chosen = request.query_params.get("lang") or request.query_params.get("locale")
    if chosen in LOCALES:
        return chosen
    if request.headers.get("accept-language"):
        return respondent_locale(request)
    return normalize_locale(shop.locale)


def _answer(request: Request, html: str) -> Response:
    """The page with an ETag of what it shows, or a 304 when the reader has it already."""
    etag = 'W/"' + hashlib.sha256(html.encode()).hexdigest()[:32] + '"'
    # The language may come from Accept-Language: caches keep one copy per language.
    headers = {"ETag": etag, "Cache-Control": BLOCK_CACHE, "Vary": "Accept-Language"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return HTMLResponse(html, headers=headers)


def _shop_data(shop: Shop, links: Links) -> widgets.Shop:
    # The logo is the certificate's og:image (it has no product image).
    return replace(blocks.shop_data(shop, links), logo_url=shop.logo_url or None)


def _rating_data(rating: shop_reviews.ShopRating) -> widgets.ShopRating:
    return widgets.ShopRating(
        summary=widgets.Summary(
            value=rating.value, count=rating.count, distribution=rating.distribution
        ),
        criteria=tuple(widgets.CriterionRating(c.name, c.value, c.count) for c in rating.criteria),
        total=rating.total,
    )


def _review_data(review: Review) -> widgets.ShopReview:
    return widgets.ShopReview(
        id=review.id,
        author_name=review.author_name,
        rating=review.rating,
        criteria=tuple(shop_reviews.criteria_of(review).items()),
        body=review.body,
        language=review.language,
        published_at=review.published_at or review.submitted_at,
        experienced_at=review.experienced_at,
        verified=review.verified,
        reply=widgets.Reply(review.reply_body, review.reply_at)
        if review.reply_body and review.reply_at
        else None,
        incentivised=review.incentivised,
        edited_at=review.edited_at,
    )
