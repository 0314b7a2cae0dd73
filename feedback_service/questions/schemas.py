"""Request and response bodies of the questions API (the ones /openapi.json shows)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from feedback_service.orders.schemas import Strict

STATUSES = ("unconfirmed", "pending", "published", "rejected")
REJECTION_REASONS = ("abusive", "personal_data", "off_topic", "spam", "duplicate")
MAX_QUESTION = 1000
MAX_ANSWER = 5000


class AnswerIn(Strict):
    body: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ANSWER)
    ]


class QuestionModerationIn(Strict):
    """Publish or reject the question, or with `answer_id` one of its buyers' answers."""

    action: Literal["publish", "reject"]
    reason: Literal[REJECTION_REASONS] | None = None  # type: ignore[valid-type]
    answer_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class AnswerOut(BaseModel):
    id: int
    body: str
    author_name: str
    by_shop: bool
    verified_buyer: bool
    status: Literal["pending", "published", "rejected"]
    rejection_reason: str | None
    created_at: str
    published_at: str | None


class QuestionOut(BaseModel):
    id: int
    sku: str
    body: str
    author_name: str
    language: str
    status: Literal["unconfirmed", "pending", "published", "rejected"]
    rejection_reason: str | None
    asked_at: str
    confirmed_at: str | None
    published_at: str | None
    answered_at: str | None
    buyers_asked_at: str | None
    answers: list[AnswerOut]


class QuestionsPage(BaseModel):
    items: list[QuestionOut]
    next_cursor: str | None
