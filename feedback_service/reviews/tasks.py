"""The worker's jobs of reviews: the requests and reminders when due, an order's change, the
sweep of photo files no review shows, and the reviews past the shop's retention period."""

from __future__ import annotations

import json
import logging

from feedback_service.outbox.jobs import Context, chore, job
from feedback_service.outbox.models import OutboxMessage
from feedback_service.reviews import photos, retention, services

log = logging.getLogger("feedback_service.worker")
SWEEP_EVERY = 3600.0  # seconds between two sweeps of the photo files no review shows


@job("review_request")
async def send_review_request(row: OutboxMessage, context: Context) -> None:
    await services.send_due_request(row.payload["request_id"], context.links)


@job("review_reminder")
async def send_review_reminder(row: OutboxMessage, context: Context) -> None:
    await services.send_due_reminder(row.payload["request_id"], context.links)


@job("order_changed")
async def order_changed(row: OutboxMessage, context: Context) -> None:
    """Orders wrote the row: the order's review request follows its new state."""
    await services.sync_order_request(row.payload["order_id"])


@chore(every=SWEEP_EVERY, idle=True)
async def sweep_photos(context: Context) -> int:
    """Delete the photo files of forms that were refused or failed
    (services.sweep_orphan_photos)."""
    removed = await services.sweep_orphan_photos(photos.directory(context.settings.data_dir))
    if removed:
        log.info(json.dumps({"event": "photos_swept", "removed": removed}))
    return removed


@chore(every=SWEEP_EVERY, idle=True)
async def delete_expired_reviews(context: Context) -> int:
    """Published reviews older than the shop's retention period go, as its policy states."""
    removed = await retention.delete_expired_reviews()
    if removed:
        log.info(json.dumps({"event": "reviews_expired", "removed": removed}))
    return removed
