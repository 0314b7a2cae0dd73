"""Request bodies of the surveys API."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from feedback_service.http import Strict
from feedback_service.orders.schemas import MAX_BATCH, CustomerIn

SurveyName = Literal["thermometer", "nps", "csat"]
Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]


class InvitationIn(Strict):
    survey: SurveyName
    customer: CustomerIn
    order_id: Annotated[str, StringConstraints(max_length=100)] | None = None
    question: Question | None = None


class SurveyLinkIn(Strict):
    survey: SurveyName
    question: Question | None = None
    locale: Literal["en", "fr"] | None = None


class InvitationsBatchIn(Strict):
    # Each item is validated on its own: one bad item never refuses the others.
    invitations: list[Any] = Field(min_length=1, max_length=MAX_BATCH)
