"""Public pages about single things: a review's own shareable page, a prize draw's
verification page (and its JSON), and the shop's Google feeds at their secret URL."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

import widgets
from feedback_service.errors import NotFound
from feedback_service.http import page, respondent_locale, row_id
from feedback_service.i18n import normalize_locale
from feedback_service.links import (
    DRAW_JSON,
    PRODUCT_PAGE,
    REVIEW_CARD,
    REVIEW_PAGE,
    SHOP_REVIEWS,
    Links,
)
from feedback_service.orders.models import Product
from feedback_service.reviews import blocks, cards, draws, feed
from feedback_service.reviews.blocks import BlockQuery
from feedback_service.reviews.models import PrizeDraw, Review, ReviewStatus
from feedback_service.shops.models import Shop
from schema_markup import safe_http_url

PUBLIC_CACHE = "public, max-age=60"
REVIEW_CACHE = "public, max-age=300, stale-while-revalidate=3600, stale-if-error=86400"
# A secret URL: no shared cache keeps it (a rotated URL must stop working), and each fetch
# asks again, which the ETag answers with a 304 when nothing changed.
FEED_CACHE = "private, no-cache"


def _links(request: Request) -> Links:
    links: Links = request.app.state.links
    return links


async def _public_draw(request: Request) -> tuple[Shop, PrizeDraw]:
    draw_id = row_id(str(request.path_params["id"]))
    shop = await Shop.filter(slug=request.path_params["shop"]).first()
    if shop is None or draw_id is None:
        raise NotFound("No such prize draw.")
    return shop, await draws.get_draw(shop, draw_id)


async def draw_page(request: Request) -> Response:
    """What anyone needs to check a draw: the seed's hash, the entries' receipts, and once
    it ran the seed, the hash of the entries and the winner."""
    shop, draw = await _public_draw(request)
    request.state.frame_ancestors = shop.frame_ancestors
    locale = normalize_locale(request.query_params.get("lang") or respondent_locale(request))
    response = page(
        request,
        "draws/verify.html",
        locale,
        shop=shop,
        draw=draw,
        result=await draws.public_result(draw),
        period=draws.period_text(draw, shop.timezone, locale),
        rules_url=safe_http_url(draw.rules_url),
        json_url=_links(request).url(DRAW_JSON, shop=shop.slug, id=draw.id),
    )
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return response


async def draw_json(request: Request) -> Response:
    shop, draw = await _public_draw(request)
    return JSONResponse(
        {"shop": shop.slug, **await draws.public_result(draw)},
        headers={"Cache-Control": PUBLIC_CACHE, "Access-Control-Allow-Origin": "*"},
    )


async def _published_review(request: Request) -> tuple[Review, Product] | None:
    """The shop's published review of a product named in the path, with the product, or
    None (unknown, unpublished, another shop's, of the shop itself, or not an id at all)."""
    review_id = row_id(str(request.path_params["id"]))
    if review_id is None:
        return None
    review = (
        await Review.filter(
            id=review_id, shop__slug=request.path_params["shop"], status=ReviewStatus.PUBLISHED
        )
        .select_related("product", "shop")
        .first()
    )
    if review is None or review.product is None:
        return None
    review.product.shop = review.shop
    return review, review.product


def _review_etag(review: Review, product: Product, kind: str, locale: str) -> str:
    # Changes with the reviews (replies and votes too), the product and the shop.
    return f'W/"{blocks.content_version(product)}-{kind}-{review.id}-{locale}"'


def _not_modified(request: Request, etag: str) -> Response | None:
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": REVIEW_CACHE})
    return None


async def review_page(request: Request) -> Response:
    """/w/{shop}/reviews/{id}: one published review, with its card tags and share links."""
    found = await _published_review(request)
    if found is None:
        return await _missing_review(request, request.path_params["shop"])
    review, product = found
    request.state.frame_ancestors = review.shop.frame_ancestors
    query = BlockQuery.parse(dict(request.query_params))
    locale = query.locale or review.shop.locale
    etag = _review_etag(review, product, "review", locale)
    if (not_modified := _not_modified(request, etag)) is not None:
        return not_modified
    links, slug = _links(request), review.shop.slug
    page_url = links.url(REVIEW_PAGE, shop=slug, id=review.id)
    card_url = links.url(REVIEW_CARD, shop=slug, id=review.id)
    card_url += f"?locale={query.locale}" if query.locale else ""
    html = widgets.render_review_page(
        blocks.shop_data(review.shop, links),
        blocks.product_data(product, links.url(PRODUCT_PAGE, shop=slug, sku=product.sku)),
        blocks.summary_of(product),
        blocks.review_data(review, product, slug, links),
        page_url,
        locale,
        card_url=card_url,
    )
    return HTMLResponse(html, headers={"ETag": etag, "Cache-Control": REVIEW_CACHE})


async def review_card(request: Request) -> Response:
    """/w/{shop}/reviews/{id}/card.png: the review's share card (og:image, twitter:image)."""
    found = await _published_review(request)
    if found is None:
        return await _missing_review(request, request.path_params["shop"])
    review, product = found
    query = BlockQuery.parse(dict(request.query_params))
    locale = query.locale or review.shop.locale
    etag = _review_etag(review, product, "card", locale)
    if (not_modified := _not_modified(request, etag)) is not None:
        return not_modified
    links = _links(request)
    png = await run_in_threadpool(
        cards.render,
        blocks.shop_data(review.shop, links),
        blocks.product_data(product),
        blocks.review_data(review, product, review.shop.slug, links),
        locale,
    )
    return Response(
        png, media_type="image/png", headers={"ETag": etag, "Cache-Control": REVIEW_CACHE}
    )


async def _missing_review(request: Request, slug: str) -> Response:
    """Unknown, unpublished or another shop's review: a friendly page, and a way on."""
    shop = await Shop.filter(slug=slug).first()
    reviews_url = _links(request).url(SHOP_REVIEWS, shop=shop.slug) if shop else None
    return page(
        request,
        "reviews/missing.html",
        respondent_locale(request),
        status_code=404,
        shop=shop,
        reviews_url=reviews_url,
    )


async def product_reviews_feed(request: Request) -> Response:
    """links.PRODUCT_REVIEWS_FEED: the whole feed, every time (Google deletes what an
    upload omits), for Merchant Center to fetch on a schedule."""
    return await _feed(request, feed.product_reviews_feed)


async def merchant_reviews_feed(request: Request) -> Response:
    """links.MERCHANT_REVIEWS_FEED: the shop's reviews of itself, for Google's seller
    ratings; the same secret token, the same handling."""
    return await _feed(request, feed.merchant_reviews_feed)


async def _feed(request: Request, build: Callable[[Shop, Links], Awaitable[bytes]]) -> Response:
    links = _links(request)
    shop = await Shop.filter(slug=request.path_params["shop"]).first()
    given = str(request.path_params["feed_token"]).encode()
    if shop is None or not hmac.compare_digest(
        given, links.feed_token(shop.id, shop.feed_token_version).encode()
    ):
        raise NotFound("No such feed.")
    xml = await build(shop, links)
    etag = 'W/"' + hashlib.sha256(xml).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": FEED_CACHE, "X-Robots-Tag": "noindex"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(xml, media_type="application/xml", headers=headers)
