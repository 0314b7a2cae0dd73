"""The worker's job of privacy: erasing a customer a platform asked us to forget."""

from __future__ import annotations

from feedback_service.errors import NotFound
from feedback_service.outbox.jobs import Context, job
from feedback_service.outbox.models import OutboxMessage
from feedback_service.privacy import services
from feedback_service.reviews import photos


@job("customer_erase")
async def erase_customer(row: OutboxMessage, context: Context) -> None:
    """Shopify's customers/redact (connectors wrote the row: erasing reaches every domain)."""
    photo_dir = photos.directory(context.settings.data_dir)
    try:
        await services.erase_customer(row.shop, row.payload["email"], photo_dir)
    except NotFound:
        pass  # we never had them, or they are erased already
