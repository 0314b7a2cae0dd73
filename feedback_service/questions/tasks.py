"""The worker's job of questions: forgetting a question its asker never confirmed."""

from __future__ import annotations

from feedback_service.outbox.jobs import Context, job
from feedback_service.outbox.models import OutboxMessage
from feedback_service.questions import services


@job("question_expiry")
async def forget_unconfirmed(row: OutboxMessage, context: Context) -> None:
    """Written when the question was asked, due when its confirmation link expires."""
    await services.forget_unconfirmed(row.payload["question_id"])
