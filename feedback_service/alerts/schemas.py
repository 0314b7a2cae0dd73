"""Request bodies and answers of the triage inbox API and the alert rules."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import EmailStr, Field, StringConstraints

from feedback_service.alerts.models import AlertStatus, SubjectKind
from feedback_service.http import Strict
from feedback_service.moments import Moment


class AlertRules(Strict):
    """Which answers open an alert: stored by the shop, our defaults where it chose none."""

    thermometer: list[Literal["gold", "green", "yellow", "red"]] = ["red", "yellow"]
    nps_max: Annotated[int, Field(ge=-1, le=10)] = 6
    csat_max: Annotated[int, Field(ge=0, le=5)] = 2
    review_max_stars: Annotated[int, Field(ge=0, le=5)] = 2
    comment_score_max: Annotated[float, Field(ge=-1, le=1)] = -0.5
    # A happy click (gold/green, NPS 9-10, CSAT 4-5, 4-5 stars) with a clearly negative comment.
    mismatch: bool = True
    mismatch_score_max: Annotated[float, Field(ge=-1, le=1)] = -0.3


class AlertPatch(Strict):
    status: AlertStatus | None = None
    assignee: EmailStr | None = None  # null unassigns
    note: Annotated[str, StringConstraints(max_length=5000)] | None = None


# --- answers -----------------------------------------------------------------------------


class AlertSubject(Strict):
    type: SubjectKind
    id: int


class Followup(Strict):
    """The answer to the survey sent after the alert was resolved, if any."""

    score: int | None
    answered_at: Moment | None


class Alert(Strict):
    id: int
    status: AlertStatus
    rules: list[str]
    subject: AlertSubject
    customer_id: int | None
    assignee_id: int | None
    note: str | None
    language: str | None
    aspects: list[str]
    opened_at: Moment | None
    acknowledged_at: Moment | None
    resolved_at: Moment | None
    contacted_at: Moment | None
    first_replied_at: Moment | None
    followup: Followup


class CustomerFacts(Strict):
    """What the inbox shows about the customer at a glance."""

    segment: Literal["new", "occasional", "regular", "none"]
    orders_count: int
    last_order_at: Moment | None
    clv: float  # spent so far
    valuable: bool


class AlertInInbox(Alert):
    customer: CustomerFacts


class AlertsPage(Strict):
    items: list[AlertInInbox]
    next_cursor: str | None


class AlertReply(Strict):
    id: int
    author: str
    aspect: str
    language: str
    subject: str
    body: str
    gesture: Literal["refund", "voucher", "replacement"] | None
    gesture_detail: str | None
    sent_at: Moment
