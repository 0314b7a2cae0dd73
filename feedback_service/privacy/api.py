"""A person's data on request (GDPR): the export and the erasure, through the API."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from feedback_service.http import ModelResponse
from feedback_service.privacy import services
from feedback_service.reviews import photos
from feedback_service.reviews.block_cache import RenderedBlocks
from feedback_service.shops.api import api_shop
from feedback_service.shops.models import Shop


async def export_customer(request: Request) -> Response:
    shop = await api_shop(request)
    return ModelResponse(await services.export_customer(shop, request.path_params["email"]))


async def erase_customer(request: Request) -> Response:
    shop = await api_shop(request)
    await erase(request, shop, request.path_params["email"])
    return Response(status_code=204)


async def erase(request: Request, shop: Shop, email: str) -> None:
    """A person's data, their photo files, and this process's rendered blocks of their
    reviews (other processes drop theirs when they render the product's new version)."""
    settings = request.app.state.settings
    changed = await services.erase_customer(shop, email, photos.directory(settings.data_dir))
    rendered: RenderedBlocks = request.app.state.rendered_blocks
    for product_id in changed:
        rendered.forget(product_id)
