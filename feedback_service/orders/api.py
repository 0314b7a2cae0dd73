"""Products and orders API."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from feedback_service import ratelimit
from feedback_service.http import ModelResponse, read_json, read_json_object, validated
from feedback_service.orders import services
from feedback_service.orders.schemas import OrderIn, OrdersBatchIn, OrdersBatchResults, ProductIn
from feedback_service.shops.api import api_shop


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
