"""/admin/questions: moderate product questions and buyers' answers, answer, ask buyers."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from feedback_service.errors import InvalidInput, NotFound
from feedback_service.http import page, respondent_locale, row_id, validated, whole_number
from feedback_service.links import ADMIN_QUESTIONS
from feedback_service.orders import preferences
from feedback_service.questions import reading, services
from feedback_service.questions.models import Answer, AnswerStatus, Question, QuestionStatus
from feedback_service.questions.schemas import QuestionModerationIn
from feedback_service.shops import auth
from feedback_service.shops.models import Shop

# Unconfirmed questions are not the shop's to see: their askers may never confirm.
TABS = (QuestionStatus.PENDING, QuestionStatus.PUBLISHED, QuestionStatus.REJECTED)


async def questions_page(request: Request) -> Response:
    """The moderation queue (questions and buyers' answers waiting), the published ones
    with the shop's answer, the rejected ones. Agents may use it too, as for reviews."""
    user = await auth.current_staff(request)
    shop = user.shop
    status = request.query_params.get("status", QuestionStatus.PENDING)
    if status not in TABS:
        status = QuestionStatus.PENDING
    if request.method == "POST":
        form = await auth.check_csrf(request)
        done = await _act(request, shop, form, user.email)
        return RedirectResponse(
            f"{ADMIN_QUESTIONS}?{urlencode({'status': status, **done})}", status_code=303
        )
    rows = (
        await Question.filter(shop=shop, status=status)
        .order_by("confirmed_at" if status == QuestionStatus.PENDING else "-id")
        .limit(100)
        .select_related("product")
    )
    if status == QuestionStatus.PENDING:  # and the published ones with a buyer's answer to check
        waiting = await Answer.filter(
            status=AnswerStatus.PENDING,
            question__shop=shop,
            question__status=QuestionStatus.PUBLISHED,
        ).values_list("question_id", flat=True)
        rows += await Question.filter(id__in=set(waiting)).order_by("id").select_related("product")
    asked = whole_number(request.query_params.get("asked", ""), digits=3)
    return page(
        request,
        "admin/questions.html",
        respondent_locale(request),
        user=user,
        shop=shop,
        csrf=auth.csrf_token(request),
        rows=rows,
        answers=await reading.answers_of(rows),
        status=status,
        asked=asked,
        reasons=services.REASON_LABELS,
    )


async def _act(request: Request, shop: Shop, form: dict[str, str], actor: str) -> dict[str, str]:
    """Do what the form's button says; what to tell on the next page."""
    question_id = row_id(form.get("question", ""))
    if question_id is None:
        raise NotFound("No such question.")
    links = request.app.state.links
    action = form.get("action", "")
    if action == "answer":
        if not form.get("body", "").strip():
            raise InvalidInput("Write an answer first.", fields={"body": "required"})
        await services.answer(shop, question_id, form["body"], actor, links)
    elif action == "ask_buyers":
        asked = await services.ask_buyers(shop, question_id, links, claim=preferences.claim)
        return {"asked": str(asked)}
    elif action in ("publish", "reject", "publish_answer", "reject_answer"):
        answer_id = row_id(form.get("answer", "")) if action.endswith("_answer") else None
        if action.endswith("_answer") and answer_id is None:
            raise NotFound("No such answer.")
        data = validated(
            QuestionModerationIn,
            {
                "action": action.removesuffix("_answer"),
                "reason": form.get("reason") or None,
                "answer_id": answer_id,
            },
        )
        await services.moderate(shop, question_id, data, actor, links)
    else:
        raise InvalidInput("Unknown action.", fields={"action": action[:40]})
    return {}
