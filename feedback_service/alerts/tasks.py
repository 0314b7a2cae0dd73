"""The worker's jobs of alerts: the checks of answers (when their burst window has passed or
they were commented) and of submitted reviews, and the follow-up surveys of resolved alerts."""

from __future__ import annotations

from feedback_service.alerts import services
from feedback_service.outbox.jobs import Context, chore, job
from feedback_service.outbox.models import OutboxMessage

CHECKS_PER_STEP = 20  # as many as the messages the worker claims at once


@chore()
async def check_due_answers(context: Context) -> int:
    """Up to CHECKS_PER_STEP answers whose alert check is due (Response.alert_due_at, set by
    surveys): how many were checked."""
    checked = 0
    while (
        checked < CHECKS_PER_STEP
        and not context.stopping.is_set()
        and await services.check_due_answer()
    ):
        checked += 1
    return checked


@job("review_alert")
async def check_review(row: OutboxMessage, context: Context) -> None:
    """Reviews wrote the row when the review was submitted."""
    await services.check_review(row.payload["review_id"])


@job("alert_followup")
async def send_followup(row: OutboxMessage, context: Context) -> None:
    await services.send_followup(row.payload["alert_id"], context.links)
