"""Surveys API: invitations, reusable links, responses."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from feedback_service import moments, ratelimit
from feedback_service.errors import InvalidInput
from feedback_service.http import ModelResponse, read_json, read_json_object, validated
from feedback_service.shops.api import api_shop
from feedback_service.surveys import services
from feedback_service.surveys.kinds import KINDS, Kind
from feedback_service.surveys.schemas import (
    InvitationIn,
    InvitationsBatchIn,
    InvitationsBatchResults,
    ResponseStatus,
    SurveyLinkIn,
)


async def create_invitation(request: Request) -> Response:
    shop = await api_shop(request)
    data = await read_json(request, InvitationIn)
    result = await services.create_invitation(shop, data, request.app.state.links)
    if isinstance(result, services.Held):
        return ModelResponse(result.out(), status_code=200)
    return ModelResponse(result, status_code=201)


async def create_invitations(request: Request) -> Response:
    shop = await api_shop(request)
    await ratelimit.hit(ratelimit.API_BATCHES, "api-batch", str(shop.id))
    batch = validated(InvitationsBatchIn, await read_json_object(request), items=True)
    links = request.app.state.links
    results = await services.create_invitations(shop, batch.invitations, links)
    return ModelResponse(InvitationsBatchResults(results=results))


async def create_survey_link(request: Request) -> Response:
    shop = await api_shop(request)
    data = await read_json(request, SurveyLinkIn)
    result = await services.create_survey_link(shop, data, request.app.state.links)
    return ModelResponse(result, status_code=201)


async def list_responses(request: Request) -> Response:
    shop = await api_shop(request)
    params = request.query_params
    survey = params.get("survey") or None
    if survey is not None and survey not in KINDS:
        raise InvalidInput("Unknown survey kind.", fields={"survey": ", ".join(Kind)})
    status = params.get("status") or ResponseStatus.CONFIRMED
    if status not in services.STATUSES:
        raise InvalidInput("Unknown status.", fields={"status": ", ".join(services.STATUSES)})
    since = params.get("since")
    result = await services.list_responses(
        shop,
        survey=survey,
        since=moments.parse(since, "since") if since else None,
        status=status,
        cursor=params.get("cursor"),
    )
    return ModelResponse(result)
