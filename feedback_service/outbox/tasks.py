"""The outbox's own chore: a sent email is deleted 30 days after it was due.

A sent email's row keeps its whole body (12 KB on SQLite, 3 KB on PostgreSQL, measured by
benchmarks/campaign.py): kept for ever, a campaign to 100,000 customers would leave 0.3 to
1.2 GB behind each time, and the customers' names and links with it. Thirty days leave
the admin's outbox page its recent history. Emails not sent (no SMTP_URL: kept to be read
in the admin), failed ones and webhook deliveries are not touched.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feedback_service.outbox.jobs import Context, chore
from feedback_service.outbox.models import OutboxMessage, OutboxState

KEEP_SENT_EMAILS = timedelta(days=30)
FORGET_EVERY = 3600.0  # seconds between two passes
BATCH = 5000  # rows deleted per statement: short transactions beside the answers' writes


@chore(every=FORGET_EVERY, idle=True)
async def forget_sent_emails(context: Context) -> int:
    """Delete the sent emails due more than KEEP_SENT_EMAILS ago; returns how many."""
    cutoff = datetime.now(UTC) - KEEP_SENT_EMAILS
    forgotten = 0
    while not context.stopping.is_set():
        ids = await (
            OutboxMessage.filter(state=OutboxState.DONE, due_at__lt=cutoff, kind="email")
            .limit(BATCH)
            .values_list("id", flat=True)
        )
        if not ids:
            break
        forgotten += await OutboxMessage.filter(id__in=ids).delete()
    return forgotten
