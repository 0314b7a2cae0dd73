"""Request and response bodies of the questions API (the ones /openapi.json shows)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from feedback_service.http import Strict
from feedback_service.moments import Moment
from feedback_service.questions.models import AnswerStatus, QuestionStatus

REJECTION_REASONS = ("abusive", "personal_data", "off_topic", "spam", "duplicate")
MAX_QUESTION = 1000
MAX_ANSWER = 5000
Reason = Literal[REJECTION_REASONS]  # type: ignore[valid-type]


class AnswerIn(Strict):
    body: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ANSWER)
    ]


class QuestionModerationIn(Strict):
    """Publish or reject the question, or with `answer_id` one of its buyers' answers."""

    action: Literal["publish", "reject"]
    reason: Reason | None = None
    answer_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


# --- answers -----------------------------------------------------------------------------


class QuestionAnswer(Strict):
    """The shop's answer (by_shop) or a buyer's (verified_buyer: they bought the product)."""

    id: int
    body: str
    author_name: str
    by_shop: bool
    verified_buyer: bool
    status: AnswerStatus
    rejection_reason: Reason | None
    created_at: Moment
    published_at: Moment | None


class Question(Strict):
    id: int
    sku: str
    body: str
    author_name: str
    language: str
    status: QuestionStatus
    rejection_reason: Reason | None
    asked_at: Moment
    confirmed_at: Moment | None
    published_at: Moment | None
    answered_at: Moment | None
    buyers_asked_at: Moment | None
    answers: list[QuestionAnswer]  # the shop's first, then by date


class QuestionsPage(Strict):
    items: list[Question]
    next_cursor: str | None
