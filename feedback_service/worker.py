"""The worker: claims due outbox rows and delivers them at least once (emails and webhooks
itself, other kinds by the job their domain registered), and runs the domains' chores.

The wiring of the worker: it imports each domain's tasks module, which registers its jobs and
chores (outbox.jobs); nothing below imports this module."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import random
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from tortoise.exceptions import OperationalError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from feedback_service.alerts import tasks as alerts_tasks
from feedback_service.connectors import tasks as connectors_tasks
from feedback_service.links import Links
from feedback_service.outbox import jobs, mail, webhooks
from feedback_service.outbox import tasks as outbox_tasks
from feedback_service.outbox.models import OutboxMessage, OutboxState, WebhookEndpoint
from feedback_service.outbox.services import utcnow
from feedback_service.privacy import tasks as privacy_tasks
from feedback_service.questions import tasks as questions_tasks
from feedback_service.reviews import tasks as reviews_tasks
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.surveys import tasks as surveys_tasks

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
# The domains whose jobs and chores this worker runs (importing them registers them).
TASKS = (
    alerts_tasks,
    connectors_tasks,
    outbox_tasks,
    privacy_tasks,
    questions_tasks,
    reviews_tasks,
    surveys_tasks,
)
STEP_RETRY = 0.1  # seconds before a step that failed on the database is tried again


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
        self.context = jobs.Context(settings, self.links, self.stopping)
        # time.monotonic() of each chore's next run: the first step runs them all
        self.chores_due: dict[jobs.Chore, float] = {}

    async def claim(self) -> list[OutboxMessage]:
        """Take up to BATCH due rows; on PostgreSQL, rows another worker holds are skipped."""
        now = utcnow()
        kinds = ["webhook", *jobs.HANDLERS] + (["email"] if self.smtp else [])
        async with in_transaction() as conn:
            # Whole objects, not values_list: Tortoise drops FOR UPDATE from values queries.
            claimed = (
                await OutboxMessage.filter(
                    Q(locked_until=None) | Q(locked_until__lt=now),
                    state=OutboxState.PENDING,
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

    async def deliver(self, row: OutboxMessage) -> bool:
        """Delivers one claimed row; a failure is recorded at once, a success is left to
        the caller (`_delivered`, one statement for the batch): whether it was delivered."""
        started = time.monotonic()
        error: str | None = None
        gone = False
        try:
            if row.kind == "email":
                await self._send_email(row)
            elif row.kind == "webhook":
                await self._send_webhook(row)
            else:
                await jobs.HANDLERS[row.kind](row, self.context)
        except webhooks.DeliveryFailed as exc:
            error, gone = str(exc), exc.gone
        except Exception as exc:  # every failure is recorded and retried, never lost
            error = f"{exc.__class__.__name__}: {exc}"[:500]
        if error is not None:
            await self._failed(row, error, gone)
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
        return error is None

    async def _delivered(self, ids: list[int]) -> None:
        """One statement for a batch's deliveries (one commit each cost PostgreSQL a WAL
        flush per email: 334 emails/s for a worker 47 % busy). A crash before it delivers
        the batch again, as a crash during it always did: at least once."""
        if ids:
            await OutboxMessage.filter(id__in=ids).update(
                state=OutboxState.DONE, delivered_at=utcnow(), locked_until=None, last_error=None
            )

    async def _failed(self, row: OutboxMessage, error: str, gone: bool) -> None:
        now = utcnow()
        delay = None if gone else retry_delay(row.attempts)
        if delay is None:
            await OutboxMessage.filter(id=row.id).update(
                state=OutboxState.FAILED, locked_until=None, last_error=error
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
        """Deliver everything due and run the chores due, then the idle chores; returns how
        much was done (messages attempted, and what the chores did)."""
        done = 0
        async with self._connected():
            while not self.stopping.is_set():
                worked = await self.step()
                if not worked:
                    break
                done += worked
        await self.run_chores(idle=True)
        return done

    async def step(self) -> int:
        """The chores due, then a batch of due messages: how much was done."""
        done = await self.run_chores(idle=False)
        rows = await self.claim()
        if rows:
            delivered = await asyncio.gather(*(self.deliver(row) for row in rows))
            await self._delivered([row.id for row, ok in zip(rows, delivered, strict=True) if ok])
        return done + len(rows)

    async def run_chores(self, *, idle: bool) -> int:
        """The registered chores of a step (or, `idle`, of a moment with nothing to deliver)
        whose time has come; a chore that fails is logged and tried at its next time."""
        done = 0
        for chore in jobs.CHORES:
            if chore.idle != idle or time.monotonic() < self.chores_due.get(chore, 0.0):
                continue
            self.chores_due[chore] = time.monotonic() + chore.every
            try:
                done += await chore.run(self.context)
            except Exception:
                log.exception("%s failed", chore.name)
        return done

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
                await self.run_chores(idle=True)
                try:
                    await asyncio.wait_for(self.stopping.wait(), IDLE_SLEEP)
                except TimeoutError:
                    pass
