"""Connectors API, and the platforms' webhook endpoints (/hooks: the signature is the key)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from feedback_service.connectors import services
from feedback_service.connectors.models import Connector
from feedback_service.connectors.schemas import ConnectorCreated, ConnectorIn, ConnectorsPage
from feedback_service.errors import NotFound
from feedback_service.http import ModelResponse, read_json, whole_number
from feedback_service.links import Links
from feedback_service.shops.api import api_shop


def _links(request: Request) -> Links:
    links: Links = request.app.state.links
    return links


async def create_connector(request: Request) -> Response:
    shop = await api_shop(request)
    data = await read_json(request, ConnectorIn)
    connector = await services.create_connector(shop, data.platform, data.secret)
    shown = services.connector_out(_links(request), connector)
    return ModelResponse(ConnectorCreated(**dict(shown), secret=connector.secret), status_code=201)


async def list_connectors(request: Request) -> Response:
    shop = await api_shop(request)
    links = _links(request)
    connectors = await Connector.filter(shop=shop).order_by("id")
    page = ConnectorsPage(items=[services.connector_out(links, c) for c in connectors])
    return ModelResponse(page)


async def delete_connector(request: Request) -> Response:
    shop = await api_shop(request)
    connector_id = whole_number(request.path_params["id"], digits=9)
    if connector_id is None:
        raise NotFound("No such connector.")
    await services.disable_connector(shop, connector_id)
    return Response(status_code=204)


async def hook(request: Request) -> JSONResponse:
    """POST /hooks/{platform}/{connector}: verified, stored, answered; the worker does the rest."""
    platform = request.path_params["platform"]
    if platform not in services.PLATFORMS:
        raise NotFound("No such platform.")
    connector = await services.active_connector(platform, request.path_params["connector"])
    body = await request.body()
    headers = {name.lower(): value for name, value in request.headers.items()}
    if services.is_woocommerce_ping(connector, headers, body):
        return JSONResponse({"status": "ok"})
    status = await services.receive(connector, headers, body)
    return JSONResponse({"status": status})
