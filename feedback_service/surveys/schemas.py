"""Request bodies of the surveys API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from feedback_service.orders.schemas import CustomerIn, Strict

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
