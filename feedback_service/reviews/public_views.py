"""Public pages about single things: a review's own shareable page, and a prize draw's
verification page (and its JSON)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

import widgets
from feedback_service.errors import NotFound
from feedback_service.http import page, respondent_locale
from feedback_service.i18n import normalize_locale
from feedback_service.links import Links
from feedback_service.reviews import blocks, draws
from feedback_service.reviews.blocks import BlockQuery
from feedback_service.reviews.models import PrizeDraw, Review
from feedback_service.shops.models import Shop
from schema_markup import safe_http_url

PUBLIC_CACHE = "public, max-age=60"
REVIEW_CACHE = "public, max-age=300, stale-while-revalidate=3600"


def _links(request: Request) -> Links:
    links: Links = request.app.state.links
    return links


async def _public_draw(request: Request) -> tuple[Shop, PrizeDraw]:
    raw = str(request.path_params["id"])
    shop = await Shop.filter(slug=request.path_params["shop"]).first()
    if shop is None or not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise NotFound("No such prize draw.")
    return shop, await draws.get_draw(shop, int(raw))


async def draw_page(request: Request) -> Response:
    """What anyone needs to check a draw: the seed, the entries, their hash, the winner."""
    shop, draw = await _public_draw(request)
    url = draws.public_url(_links(request), shop, draw)
    locale = normalize_locale(request.query_params.get("lang") or respondent_locale(request))
    response = page(
        request,
        "draws/verify.html",
        locale,
        shop=shop,
        draw=draw,
        result=draws.result_json(draw),
        period=draws.period_text(draw, shop.timezone, locale),
        rules_url=safe_http_url(draw.rules_url),
        json_url=f"{url}.json",
    )
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return response


async def draw_json(request: Request) -> Response:
    shop, draw = await _public_draw(request)
    return JSONResponse(
        {"shop": shop.slug, **draws.result_json(draw)},
        headers={"Cache-Control": PUBLIC_CACHE, "Access-Control-Allow-Origin": "*"},
    )


async def review_page(request: Request) -> Response:
    """/w/{shop}/reviews/{id}: one published review, with its card tags and share links."""
    raw = str(request.path_params["id"])
    slug = request.path_params["shop"]
    review = None
    if (raw.isascii() and raw.isdigit()) and len(raw) <= 12:
        review = (
            await Review.filter(id=int(raw), shop__slug=slug, status="published")
            .select_related("product", "shop")
            .first()
        )
    if review is None:
        return await _missing_review(request, slug)
    query = BlockQuery.parse(dict(request.query_params))
    locale = query.locale or review.shop.locale
    product = review.product
    product.shop = review.shop
    # Changes with the reviews (replies and votes too), the product and the shop.
    etag = f'W/"{blocks.content_version(product)}-review-{review.id}-{locale}"'
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": REVIEW_CACHE})
    base = _links(request).base_url
    html = widgets.render_review_page(
        blocks.shop_data(review.shop, base),
        blocks.product_data(product),
        blocks.summary_of(product),
        blocks.review_data(review, product, base),
        f"{base}/w/{review.shop.slug}/reviews/{review.id}",
        locale,
    )
    return HTMLResponse(html, headers={"ETag": etag, "Cache-Control": REVIEW_CACHE})


async def _missing_review(request: Request, slug: str) -> Response:
    """Unknown, unpublished or another shop's review: a friendly page, and a way on."""
    shop = await Shop.filter(slug=slug).first()
    reviews_url = f"{_links(request).base_url}/w/{shop.slug}/reviews" if shop else None
    return page(
        request,
        "reviews/missing.html",
        respondent_locale(request),
        status_code=404,
        shop=shop,
        reviews_url=reviews_url,
    )
