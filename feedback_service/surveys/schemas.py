"""Request bodies and answers of the surveys API."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from feedback_service.http import Strict
from feedback_service.moments import Moment
from feedback_service.orders.schemas import MAX_BATCH, CustomerIn, absent_when_none, checked_later
from feedback_service.outbox.schemas import Email
from feedback_service.surveys.kinds import Kind

Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]


class InvitationIn(Strict):
    survey: Kind
    customer: CustomerIn
    order_id: Annotated[str, StringConstraints(max_length=100)] | None = None
    question: Question | None = None


class SurveyLinkIn(Strict):
    survey: Kind
    question: Question | None = None
    locale: Literal["en", "fr"] | None = None


class InvitationsBatchIn(Strict):
    """Up to 1,000 invitations, each as POST /api/v1/invitations."""

    invitations: list[Annotated[object, checked_later(InvitationIn)]] = Field(
        min_length=1, max_length=MAX_BATCH
    )


# --- answers -----------------------------------------------------------------------------


class Invitation(Strict):
    id: int
    survey: Kind
    token: str
    links: dict[str, str]
    # A reusable link (POST /api/v1/survey-links) has no customer: no email to send.
    unsubscribe_url: str | None = absent_when_none()
    email: Email | None = absent_when_none()


class Created(Strict):
    status: Literal["created"]


class InvitationCreated(Invitation, Created):
    """An invitation of a batch (Created's status comes first: fields follow the bases in
    reverse order)."""


class Held(Strict):
    """No invitation: the customer was asked recently, or unsubscribed."""

    status: Literal["throttled", "unsubscribed"]
    next_allowed_at: Moment | None = absent_when_none()


class BatchInvalid(Strict):
    status: Literal["invalid"]
    errors: dict[str, str]


class InvitationsBatchResults(Strict):
    """One result per invitation, in the order sent."""

    results: list[InvitationCreated | Held | BatchInvalid]


class ResponseCustomer(Strict):
    email: str
    name: str
    external_id: str | None


class ResponseStatus(StrEnum):
    """The answers and clicks GET /api/v1/responses lists (?status=)."""

    CONFIRMED = "confirmed"  # answers
    PROVISIONAL = "provisional"  # clicks no page confirmed yet
    SCANNER = "scanner"  # a mail scanner's clicks


class SurveyResponse(Strict):
    """A confirmed answer."""

    id: int
    status: Literal[ResponseStatus.CONFIRMED]
    survey: Kind
    score: int
    label: str
    comment: str | None
    sentiment: Literal["positive", "neutral", "negative"] | None
    invitation_id: int
    order_id: str | None
    customer: ResponseCustomer | None  # None: a reusable link's answer
    created_at: Moment
    updated_at: Moment
    commented_at: Moment | None


class SurveyClick(Strict):
    """A click not (yet) confirmed as an answer: provisional, or a mail scanner's."""

    id: int
    status: Literal[ResponseStatus.PROVISIONAL, ResponseStatus.SCANNER]
    survey: Kind
    score: int
    label: str
    invitation_id: int
    user_agent: str | None
    created_at: Moment


class ResponsesPage(Strict):
    items: list[SurveyResponse] | list[SurveyClick]
    next_cursor: str | None
