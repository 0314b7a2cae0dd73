"""Every column that holds a kind or a state, with the StrEnum that lists its values.

conftest's `db` fixture checks, after each test, that the test stored no other value in them:
the whole suite is the flow that writes them."""

from __future__ import annotations

from enum import StrEnum

from tortoise import connections
from tortoise.models import Model

from feedback_service.alerts.models import Alert, AlertStatus
from feedback_service.connectors.models import ConnectorDelivery, DeliveryOutcome
from feedback_service.orders.models import HeldInvitation, HoldReason, Order, OrderStatus
from feedback_service.outbox.models import OutboxMessage, OutboxState
from feedback_service.questions.models import Answer, AnswerStatus, Question, QuestionStatus
from feedback_service.reviews.models import RequestOutcome, Review, ReviewRequest, ReviewStatus
from feedback_service.surveys.kinds import Kind
from feedback_service.surveys.models import (
    AskOutcome,
    Campaign,
    CampaignRecipient,
    CampaignState,
    Click,
    ClickOutcome,
    Invitation,
    Response,
    SurveyRule,
    SurveyRuleOrder,
)

STATE_COLUMNS: dict[tuple[type[Model], str], type[StrEnum]] = {
    (Alert, "status"): AlertStatus,
    (ConnectorDelivery, "outcome"): DeliveryOutcome,
    (HeldInvitation, "reason"): HoldReason,
    (Order, "status"): OrderStatus,
    (OutboxMessage, "state"): OutboxState,
    (Question, "status"): QuestionStatus,
    (Answer, "status"): AnswerStatus,
    (Review, "status"): ReviewStatus,
    (ReviewRequest, "outcome"): RequestOutcome,
    (Invitation, "kind"): Kind,
    (Response, "kind"): Kind,
    (SurveyRule, "kind"): Kind,
    (Campaign, "kind"): Kind,
    (Campaign, "state"): CampaignState,
    (CampaignRecipient, "outcome"): AskOutcome,
    (Click, "outcome"): ClickOutcome,
    (SurveyRuleOrder, "outcome"): AskOutcome,
}


def _unknown_sql() -> str:
    # Our own constants, written into the SQL; NULL (a row still waiting) is never NOT IN.
    return " UNION ALL ".join(
        f"SELECT '{model._meta.db_table}.{name}' AS col, {name} AS value"
        f' FROM "{model._meta.db_table}"'
        f" WHERE {name} NOT IN ({', '.join(repr(str(member)) for member in enum)})"
        for (model, name), enum in STATE_COLUMNS.items()
    )


async def unknown_states() -> dict[str, set[str]]:
    """Values of those columns that are no member of their enum, by table.column (one query)."""
    rows = await connections.get("default").execute_query_dict(_unknown_sql())
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["col"], set()).add(row["value"])
    return found
