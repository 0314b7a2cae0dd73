"""Webhooks API: register endpoints, list their deliveries, replay one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from feedback_service.errors import NotFound
from feedback_service.http import ModelResponse, read_json, row_id
from feedback_service.outbox import webhooks
from feedback_service.outbox.models import WebhookEndpoint
from feedback_service.outbox.schemas import DeliveriesPage, WebhookCreated, WebhookIn, WebhooksPage
from feedback_service.shops.api import api_shop


def _int_param(request: Request, name: str, *, big: bool = False) -> int:
    value = row_id(request.path_params[name], big=big)
    if value is None:
        raise NotFound("Not found.")
    return value


async def create_webhook(request: Request) -> Response:
    shop = await api_shop(request)
    data = await read_json(request, WebhookIn)
    endpoint, secret = await webhooks.register(
        shop, data.url, data.events, allow_private=request.app.state.settings.webhook_allow_private
    )
    created = WebhookCreated(**dict(webhooks.endpoint_out(endpoint)), secret=secret)
    return ModelResponse(created, status_code=201)


async def list_webhooks(request: Request) -> Response:
    shop = await api_shop(request)
    endpoints = await WebhookEndpoint.filter(shop=shop).order_by("id")
    return ModelResponse(WebhooksPage(items=[webhooks.endpoint_out(e) for e in endpoints]))


async def list_deliveries(request: Request) -> Response:
    shop = await api_shop(request)
    items = await webhooks.deliveries(shop, _int_param(request, "id"))
    return ModelResponse(DeliveriesPage(items=items))


async def replay_delivery(request: Request) -> Response:
    shop = await api_shop(request)
    row = await webhooks.replay(
        shop, _int_param(request, "id"), _int_param(request, "delivery_id", big=True)
    )
    return ModelResponse(webhooks.delivery_out(row), status_code=202)
