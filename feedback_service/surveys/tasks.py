"""The worker's jobs of surveys: campaigns, the survey rules, and chaining answers."""

from __future__ import annotations

from feedback_service.outbox.jobs import Context, chore, job
from feedback_service.outbox.models import OutboxMessage
from feedback_service.surveys import campaigns, chain, rules

# How often the survey rules look for orders that reached their day.
RULES_EVERY = 300.0


@job("campaign")
async def send_campaign(row: OutboxMessage, context: Context) -> None:
    await campaigns.send_chunk(row.payload["campaign_id"], context.links)


@chore(every=RULES_EVERY)
async def apply_survey_rules(context: Context) -> int:
    """The orders whose survey rule's day came (their invitations are emails for the next
    claims)."""
    return await rules.apply_rules(context.links)


@chore(idle=True)
async def chain_answers(context: Context) -> int:
    """Keeps each customer's latest answer current (surveys.chain), so that the metrics
    find few answers not chained yet, which they must read one by one."""
    return await chain.chain_answers()
