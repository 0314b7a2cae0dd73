"""The worker: claims due outbox rows and delivers them, and checks the answers whose alert
check is due, at least once."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from tortoise.exceptions import OperationalError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from feedback_service.alerts.services import check_due_answer, send_followup
from feedback_service.connectors import tasks as connector_tasks
from feedback_service.errors import NotFound
from feedback_service.links import Links
from feedback_service.orders import privacy
from feedback_service.outbox import mail, webhooks
from feedback_service.outbox.models import OutboxMessage, WebhookEndpoint
from feedback_service.outbox.services import utcnow
from feedback_service.reviews import photos
from feedback_service.reviews import services as review_services
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.surveys import campaigns, chain, rules

log = logging.getLogger("feedback_service.worker")
# httpx logs each request's full URL, where a webhook's secret may sit (a token in its query
# string): the worker logs the origin of each delivery itself.
logging.getLogger("httpx").setLevel(logging.WARNING)

# After each failed attempt, wait this long (like Svix); after the last, the row fails.
RETRY_DELAYS = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
]
LEASE = timedelta(minutes=2)
BATCH = 20
IDLE_SLEEP = 1.0
STEP_RETRY = 0.1  # seconds before a step that failed on the database is tried again
SWEEP_EVERY = 3600.0  # seconds between two sweeps of the photo files no review shows
# How often the survey rules look for orders that reached their day (surveys.rules).
RULES_INTERVAL = 300.0

Handler = Callable[[OutboxMessage, "Worker"], Awaitable[None]]


async def _send_review_request(row: OutboxMessage, worker: Worker) -> None:
    await review_services.send_due_request(row.payload["request_id"], worker.links)


async def _send_review_reminder(row: OutboxMessage, worker: Worker) -> None:
    await review_services.send_due_reminder(row.payload["request_id"], worker.links)


async def _order_changed(row: OutboxMessage, worker: Worker) -> None:
    await review_services.sync_order_request(row.payload["order_id"])


async def _connector_delivery(row: OutboxMessage, worker: Worker) -> None:
    await connector_tasks.process_delivery(row.payload["delivery_id"])


async def _erase_customer(row: OutboxMessage, worker: Worker) -> None:
    """A platform asked us to forget a customer (Shopify's customers/redact)."""
    try:
        await privacy.erase_customer(row.shop, row.payload["email"], worker.photo_dir)
    except NotFound:
        pass  # we never had them, or they are erased already


async def _send_campaign(row: OutboxMessage, worker: Worker) -> None:
    await campaigns.send_chunk(row.payload["campaign_id"], worker.links)


async def _send_alert_followup(row: OutboxMessage, worker: Worker) -> None:
    await send_followup(row.payload["alert_id"], worker.links)


# Scheduled work other than emails and webhooks, by outbox kind.
HANDLERS: dict[str, Handler] = {
    "review_request": _send_review_request,
    "review_reminder": _send_review_reminder,
    "order_changed": _order_changed,
    "connector_delivery": _connector_delivery,
    "customer_erase": _erase_customer,
    "campaign": _send_campaign,
    "alert_followup": _send_alert_followup,
}


def retry_delay(attempts: int) -> timedelta | None:
    if attempts > len(RETRY_DELAYS):
        return None
    delay = RETRY_DELAYS[attempts - 1].total_seconds()
    return timedelta(seconds=delay * random.uniform(0.9, 1.1))  # jitter spreads retries


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:12]


def _recipient(row: OutboxMessage) -> str | None:
    """Whom a delivery went to, as the logs may show it: an email's address hashed, a
    webhook's origin (its path and query may hold a secret)."""
    if row.kind == "email":
        return _hash(row.payload["to"])
    if row.kind == "webhook" and row.endpoint is not None:
        parts = urlsplit(row.endpoint.url)
        return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"
    return None


class Worker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.smtp = (
            mail.SmtpPool(mail.SmtpConfig(settings.smtp_url), size=BATCH)
            if settings.smtp_url
            else None
        )
        self.domain = urlsplit(settings.base_url).hostname or "localhost"
        self.links = Links(settings)
        self.stopping = asyncio.Event()
        self.http: httpx.AsyncClient | None = None
        self.photo_dir = photos.directory(settings.data_dir)
        self.next_sweep = 0.0  # time.monotonic() of the next sweep: the first run sweeps
        self.rules_due = 0.0  # time.monotonic() of the next pass of the survey rules

    async def claim(self) -> list[OutboxMessage]:
        """Take up to BATCH due rows; on PostgreSQL, rows another worker holds are skipped."""
        now = utcnow()
        kinds = ["webhook", *HANDLERS] + (["email"] if self.smtp else [])
        async with in_transaction() as conn:
            # Whole objects, not values_list: Tortoise drops FOR UPDATE from values queries.
            claimed = (
                await OutboxMessage.filter(
                    Q(locked_until=None) | Q(locked_until__lt=now),
                    state="pending",
                    due_at__lte=now,
                    kind__in=kinds,
                )
                .select_for_update(skip_locked=True)
                .order_by("due_at")
                .limit(BATCH)
                .using_db(conn)
                .only("id")
            )
            ids = [row.id for row in claimed]
            if not ids:
                return []
            await (
                OutboxMessage.filter(id__in=ids)
                .using_db(conn)
                .update(locked_until=now + LEASE, attempts=F("attempts") + 1)
            )
        return (
            await OutboxMessage.filter(id__in=ids)
            .select_related("shop", "endpoint")
            .order_by("due_at")
        )

    async def deliver(self, row: OutboxMessage) -> None:
        started = time.monotonic()
        error: str | None = None
        gone = False
        try:
            if row.kind == "email":
                await self._send_email(row)
            elif row.kind == "webhook":
                await self._send_webhook(row)
            else:
                await HANDLERS[row.kind](row, self)
        except webhooks.DeliveryFailed as exc:
            error, gone = str(exc), exc.gone
        except Exception as exc:  # every failure is recorded and retried, never lost
            error = f"{exc.__class__.__name__}: {exc}"[:500]
        await self._record(row, error, gone)
        log.info(
            json.dumps(
                {
                    "event": "delivery",
                    "id": row.id,
                    "kind": row.kind,
                    "shop": row.shop_id,
                    "attempt": row.attempts,
                    "ok": error is None,
                    "error": error,
                    "ms": round((time.monotonic() - started) * 1000),
                    "to": _recipient(row),
                }
            )
        )

    async def _record(self, row: OutboxMessage, error: str | None, gone: bool) -> None:
        now = utcnow()
        if error is None:
            await OutboxMessage.filter(id=row.id).update(
                state="done", delivered_at=now, locked_until=None, last_error=None
            )
            return
        delay = None if gone else retry_delay(row.attempts)
        if delay is None:
            await OutboxMessage.filter(id=row.id).update(
                state="failed", locked_until=None, last_error=error
            )
        else:
            await OutboxMessage.filter(id=row.id).update(
                due_at=now + delay, locked_until=None, last_error=error
            )
        if gone and row.endpoint_id:
            await WebhookEndpoint.filter(id=row.endpoint_id).update(disabled_at=now)

    async def _send_email(self, row: OutboxMessage) -> None:
        assert self.smtp is not None
        shop: Shop = row.shop
        message = mail.build_message(
            row.payload,
            from_name=shop.sender_name or shop.name,
            from_email=shop.sender_email or f"no-reply@{self.domain}",
            message_id=row.message_id,
            domain=self.domain,
        )
        await self.smtp.send(message)

    async def _send_webhook(self, row: OutboxMessage) -> None:
        endpoint = row.endpoint
        if endpoint is None or endpoint.disabled_at is not None:
            raise webhooks.DeliveryFailed("endpoint disabled", gone=True)
        assert self.http is not None
        await webhooks.send(
            self.http, endpoint, row, allow_private=self.settings.webhook_allow_private
        )

    @contextlib.asynccontextmanager
    async def _connected(self) -> AsyncIterator[None]:
        """The webhooks' HTTP client and the SMTP connections, open while the worker runs."""
        async with httpx.AsyncClient() as self.http:
            try:
                yield
            finally:
                if self.smtp is not None:
                    await self.smtp.close()

    async def run_once(self) -> int:
        """Deliver everything due now and check the answers due; returns how many rows
        (messages and answers) were attempted."""
        done = 0
        async with self._connected():
            while not self.stopping.is_set():
                worked = await self.step()
                if not worked:
                    break
                done += worked
        await self.sweep_photos()
        return done

    async def step(self) -> int:
        """The survey rules when their pass is due, a batch of due messages, then up to
        BATCH answers' alert checks: how many."""
        applied = await self.apply_survey_rules()
        rows = await self.claim()
        if rows:
            await asyncio.gather(*(self.deliver(row) for row in rows))
        checked = 0
        while checked < BATCH and not self.stopping.is_set() and await check_due_answer():
            checked += 1
        return applied + len(rows) + checked

    async def apply_survey_rules(self) -> int:
        """Every RULES_INTERVAL: the orders whose survey rule's day came (their invitations
        are emails for the next claims)."""
        if time.monotonic() < self.rules_due:
            return 0
        self.rules_due = time.monotonic() + RULES_INTERVAL
        try:
            return await rules.apply_rules(self.links)
        except Exception:
            log.exception("applying the survey rules failed")
            return 0

    async def chain_answers(self) -> None:
        """While idle: keeps each customer's latest answer current (surveys.chain), so that
        reading the metrics seldom finds answers left to chain."""
        try:
            await chain.chain_answers()
        except Exception:
            log.exception("chaining answers failed")

    async def sweep_photos(self) -> None:
        """At most once an hour: delete the photo files of forms that were refused or
        failed (reviews.services.sweep_orphan_photos)."""
        if time.monotonic() < self.next_sweep:
            return
        self.next_sweep = time.monotonic() + SWEEP_EVERY
        try:
            removed = await review_services.sweep_orphan_photos(self.photo_dir)
        except Exception:
            log.exception("sweeping photo files failed")
            return
        if removed:
            log.info(json.dumps({"event": "photos_swept", "removed": removed}))

    async def run(self) -> None:
        """Until stopped: the current batch is finished, then the loop ends."""
        async with self._connected():
            while not self.stopping.is_set():
                try:
                    if await self.step():
                        continue
                except OperationalError as exc:
                    # SQLite: a transaction that read before another process wrote cannot
                    # write ("database is locked"); what it claimed is undone: step again.
                    log.warning(json.dumps({"event": "step_failed", "error": str(exc)[:300]}))
                    await asyncio.sleep(STEP_RETRY)
                    continue
                await self.chain_answers()
                await self.sweep_photos()
                try:
                    await asyncio.wait_for(self.stopping.wait(), IDLE_SLEEP)
                except TimeoutError:
                    pass
