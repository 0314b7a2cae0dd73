"""API authentication: the shop comes from the key, never from the body."""

from __future__ import annotations

from starlette.requests import Request

from feedback_service import ratelimit
from feedback_service.shops.models import Shop
from feedback_service.shops.services import shop_for_api_key


async def api_shop(request: Request) -> Shop:
    shop = await shop_for_api_key(request.headers.get("authorization"))
    await ratelimit.hit(ratelimit.API, "api", str(shop.id))
    return shop
