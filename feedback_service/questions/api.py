"""Questions API: list, answer, publish or reject (a question, or a buyer's answer)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from feedback_service.errors import InvalidInput, NotFound
from feedback_service.http import ModelResponse, decode_cursor, encode_cursor, read_json, row_id
from feedback_service.questions import reading, services
from feedback_service.questions.models import Question, QuestionStatus
from feedback_service.questions.schemas import AnswerIn, QuestionModerationIn, QuestionsPage
from feedback_service.shops.api import api_shop

PAGE_SIZE = 50
MAX_SKU = 100  # Product.sku
STATUSES = tuple(QuestionStatus)


def _question_id(request: Request) -> int:
    question_id = row_id(request.path_params["id"])
    if question_id is None:
        raise NotFound("No such question.")
    return question_id


async def list_questions(request: Request) -> Response:
    """Newest first; without ?status=, every confirmed question (unconfirmed ones are
    not questions yet: their askers may never confirm)."""
    shop = await api_shop(request)
    params = request.query_params
    query = Question.filter(shop=shop)
    status = params.get("status")
    if status:
        if status not in STATUSES:
            raise InvalidInput("Unknown status.", fields={"status": ", ".join(STATUSES)})
        query = query.filter(status=status)
    else:
        query = query.exclude(status=QuestionStatus.UNCONFIRMED)
    if sku := params.get("sku"):
        if len(sku) > MAX_SKU:
            raise InvalidInput("Unknown sku.", fields={"sku": f"at most {MAX_SKU} characters"})
        query = query.filter(product__sku=sku)
    before = decode_cursor(params.get("cursor"))
    if before is not None:
        query = query.filter(id__lt=before)
    rows = await query.order_by("-id").limit(PAGE_SIZE + 1).select_related("product")
    page = rows[:PAGE_SIZE]
    answers = await reading.answers_of(page)
    items = [reading.question_out(q, answers[q.id]) for q in page]
    next_cursor = encode_cursor(rows[PAGE_SIZE - 1].id) if len(rows) > PAGE_SIZE else None
    return ModelResponse(QuestionsPage(items=items, next_cursor=next_cursor))


async def answer(request: Request) -> Response:
    shop = await api_shop(request)
    data = await read_json(request, AnswerIn)
    links = request.app.state.links
    question = await services.answer(shop, _question_id(request), data.body, "api", links)
    return ModelResponse(await reading.with_answers(question))


async def moderate(request: Request) -> Response:
    shop = await api_shop(request)
    data = await read_json(request, QuestionModerationIn)
    links = request.app.state.links
    question = await services.moderate(shop, _question_id(request), data, "api", links)
    return ModelResponse(await reading.with_answers(question))
