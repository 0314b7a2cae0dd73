"""Reviews API: requests, listing, import, moderation, replies, the Google feed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from feedback_service.errors import InvalidInput, NotFound
from feedback_service.http import ModelResponse, decode_cursor, encode_cursor, read_json, row_id
from feedback_service.orders import services as orders
from feedback_service.reviews import feed, importer, moderation, services
from feedback_service.reviews.models import Review, ReviewStatus
from feedback_service.reviews.schemas import (
    ModerationIn,
    OrderDetail,
    ReplyIn,
    ReviewImportIn,
    ReviewRequestIn,
    ReviewsPage,
)
from feedback_service.shops.api import api_shop

MAX_SKU = 100  # Product.sku

PAGE_SIZE = 50
STATUSES = tuple(ReviewStatus)
KINDS = ("product", "shop")  # a product's review, or the shop's review of itself


def _review_id(request: Request) -> int:
    review_id = row_id(request.path_params["id"])
    if review_id is None:
        raise NotFound("No such review.")
    return review_id


async def create_review_request(request: Request) -> Response:
    shop = await api_shop(request)
    data = await read_json(request, ReviewRequestIn)
    answer, created = await services.create_request(shop, data, request.app.state.links)
    return ModelResponse(answer, status_code=201 if created else 200)


async def get_order(request: Request) -> Response:
    """The order with its review request: here, since the request is the reviews domain's."""
    shop = await api_shop(request)
    order, items = await orders.order_detail(shop, request.path_params["id"])
    detail = OrderDetail(
        **dict(orders.order_out(order, order.customer)),
        items=items,
        review_request=await services.order_request_state(order),
    )
    return ModelResponse(detail)


async def list_reviews(request: Request) -> Response:
    shop = await api_shop(request)
    params = request.query_params
    query = Review.filter(shop=shop)
    status = params.get("status")
    if status:
        if status not in STATUSES:
            raise InvalidInput("Unknown status.", fields={"status": ", ".join(STATUSES)})
        query = query.filter(status=status)
    if kind := params.get("kind"):
        if kind not in KINDS:
            raise InvalidInput("Unknown kind.", fields={"kind": ", ".join(KINDS)})
        query = query.filter(product_id__isnull=kind == "shop")
    if sku := params.get("sku"):
        if len(sku) > MAX_SKU:
            raise InvalidInput("Unknown sku.", fields={"sku": f"at most {MAX_SKU} characters"})
        query = query.filter(product__sku=sku)
    before = decode_cursor(params.get("cursor"))
    if before is not None:
        query = query.filter(id__lt=before)
    rows = await query.order_by("-id").limit(PAGE_SIZE + 1).select_related("product")
    next_cursor = encode_cursor(rows[PAGE_SIZE - 1].id) if len(rows) > PAGE_SIZE else None
    page = ReviewsPage(
        items=[services.review_out(r) for r in rows[:PAGE_SIZE]], next_cursor=next_cursor
    )
    return ModelResponse(page)


async def import_review(request: Request) -> Response:
    shop = await api_shop(request)
    data = await read_json(request, ReviewImportIn)
    review, created = await importer.import_review(shop, data)
    review = await services.get_review(shop, review.id)
    return ModelResponse(services.review_out(review), status_code=201 if created else 200)


async def moderate(request: Request) -> Response:
    shop = await api_shop(request)
    data = await read_json(request, ModerationIn)
    review = await moderation.moderate(shop, _review_id(request), data, actor="api")
    return ModelResponse(services.review_out(review))


async def reply(request: Request) -> Response:
    shop = await api_shop(request)
    data = await read_json(request, ReplyIn)
    review = await moderation.reply(shop, _review_id(request), data.body, actor="api")
    return ModelResponse(services.review_out(review))


async def google_feed(request: Request) -> Response:
    shop = await api_shop(request)
    xml = await feed.product_reviews_feed(shop, request.app.state.links)
    return Response(xml, media_type="application/xml")
