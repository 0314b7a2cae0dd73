"""The outbox's chore: sent emails are deleted after 30 days; nothing else is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feedback_service.outbox.models import OutboxMessage, OutboxState, WebhookEndpoint
from feedback_service.outbox.tasks import KEEP_SENT_EMAILS
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.worker import Worker


async def row(shop: Shop, name: str, kind: str, state: str, age: timedelta, **more: object) -> None:
    await OutboxMessage.create(
        shop=shop,
        kind=kind,
        message_id=name,
        payload={"to": "client@example.fr", "subject": name},
        state=state,
        due_at=datetime.now(UTC) - age,
        **more,
    )


async def test_sent_emails_are_forgotten_after_30_days_and_nothing_else(
    shop_and_key: tuple[Shop, str], settings: Settings
) -> None:
    shop = shop_and_key[0]
    old, recent = KEEP_SENT_EMAILS + timedelta(hours=1), KEEP_SENT_EMAILS - timedelta(hours=1)
    endpoint = await WebhookEndpoint.create(
        shop=shop, url="http://127.0.0.1:9/hook", secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    )
    for n in range(3):
        await row(shop, f"sent-old-{n}", "email", OutboxState.DONE, old + timedelta(days=n))
    await row(shop, "sent-recent", "email", OutboxState.DONE, recent)
    await row(shop, "failed-old", "email", OutboxState.FAILED, old)
    await row(shop, "unsent-old", "email", OutboxState.PENDING, old)
    await row(shop, "webhook-old", "webhook", OutboxState.DONE, old, endpoint=endpoint)

    await Worker(settings).run_once()

    left = set(await OutboxMessage.all().values_list("message_id", flat=True))
    assert left == {"sent-recent", "failed-old", "unsent-old", "webhook-old"}
