"""Products and orders API."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from feedback_service import ratelimit
from feedback_service.http import ModelResponse, read_json, read_json_object, validated
from feedback_service.orders import privacy, services
from feedback_service.orders.schemas import OrderIn, OrdersBatchIn, OrdersBatchResults, ProductIn
from feedback_service.reviews import photos
from feedback_service.reviews.block_cache import RenderedBlocks
from feedback_service.shops.api import api_shop
from feedback_service.shops.models import Shop


async def put_product(request: Request) -> Response:
    shop = await api_shop(request)
    data = await read_json(request, ProductIn)
    product, created = await services.upsert_product(shop, data)
    return ModelResponse(services.product_out(product), status_code=201 if created else 200)


async def get_product(request: Request) -> Response:
    shop = await api_shop(request)
    product = await services.get_product(shop, request.path_params["sku"])
    return ModelResponse(services.product_out(product))


async def put_order(request: Request) -> Response:
    shop = await api_shop(request)
    data = await read_json(request, OrderIn)
    order, created = await services.upsert_order(shop, data)
    customer = await order.customer
    return ModelResponse(services.order_out(order, customer), status_code=201 if created else 200)


async def put_orders(request: Request) -> Response:
    shop = await api_shop(request)
    await ratelimit.hit(ratelimit.API_BATCHES, "api-batch", str(shop.id))
    batch = validated(OrdersBatchIn, await read_json_object(request), items=True)
    results = await services.upsert_batch(shop, batch.orders)
    return ModelResponse(OrdersBatchResults(results=results))


async def export_customer(request: Request) -> Response:
    shop = await api_shop(request)
    return ModelResponse(await privacy.export_customer(shop, request.path_params["email"]))


async def erase_customer(request: Request) -> Response:
    shop = await api_shop(request)
    await erase(request, shop, request.path_params["email"])
    return Response(status_code=204)


async def erase(request: Request, shop: Shop, email: str) -> None:
    """A person's data, their photo files, and this process's rendered blocks of their
    reviews (other processes drop theirs when they render the product's new version)."""
    settings = request.app.state.settings
    changed = await privacy.erase_customer(shop, email, photos.directory(settings.data_dir))
    rendered: RenderedBlocks = request.app.state.rendered_blocks
    for product_id in changed:
        rendered.forget(product_id)
