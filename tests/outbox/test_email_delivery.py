"""Emails leave through the outbox to a real SMTP server (aiosmtpd), at least once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import httpx
import pytest
from peers import SmtpSink, WebhookReceiver, free_port
from tortoise.exceptions import OperationalError

from feedback_service.outbox import mail
from feedback_service.outbox.models import OutboxMessage
from feedback_service.outbox.services import queue_email
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.worker import BATCH, Worker


async def invite(api: httpx.AsyncClient, locale: str = "fr") -> dict:  # type: ignore[type-arg]
    answer = await api.post(
        "/api/v1/invitations",
        json={
            "survey": "csat",
            "customer": {"email": "marie@example.fr", "name": "Marie Curie", "locale": locale},
        },
    )
    assert answer.status_code == 201
    return answer.json()  # type: ignore[no-any-return]


async def test_invitation_email_reaches_the_smtp_server(
    api: httpx.AsyncClient, smtp: SmtpSink, settings: Settings
) -> None:
    created = await invite(api)
    worker = Worker(settings.model_copy(update={"smtp_url": smtp.url}))
    assert await worker.run_once() == 1
    [message] = smtp.parsed()
    assert message["To"] == "marie@example.fr"
    assert message["From"] == "Boutique Test <no-reply@127.0.0.1>"
    assert message["Subject"] == "Boutique Test aimerait avoir votre avis"
    assert message["List-Unsubscribe"].strip() == f"<{created['unsubscribe_url']}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].startswith("<email_")
    assert message["Content-Language"] == "fr"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert created["links"]["5"] in html and created["links"]["5"] in text
    assert "Très satisfait" in html
    row = await OutboxMessage.get(kind="email")
    assert row.state == "done" and row.attempts == 1


async def test_without_smtp_url_emails_wait_in_the_outbox(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    await invite(api)
    assert await Worker(settings.model_copy(update={"smtp_url": None})).run_once() == 0
    assert (await OutboxMessage.get(kind="email")).state == "pending"


async def test_a_click_while_smtp_is_down_answers_at_once(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    port = free_port()  # nothing listens there yet
    created = await invite(api)
    started = time.monotonic()
    await api.get(created["links"]["4"])
    confirmed = await api.post(created["links"]["4"], headers={"Accept": "application/json"})
    assert confirmed.json()["status"] == "confirmed"
    assert time.monotonic() - started < 1.0
    down = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})
    await Worker(down).run_once()
    row = await OutboxMessage.get(kind="email")
    assert row.state == "pending" and row.attempts == 1 and row.last_error
    # SMTP comes back; the retry is due; the email goes out.
    sink = SmtpSink(port=port)
    with sink:
        await OutboxMessage.filter(id=row.id).update(due_at=datetime.now(UTC))
        await Worker(down).run_once()
    assert len(sink.messages) == 1
    assert (await OutboxMessage.get(id=row.id)).state == "done"


class ConnectionsSink(SmtpSink):
    """Also notes the connection (the client's address and port) each message came over."""

    def __init__(self, port: int | None = None) -> None:
        super().__init__()
        if port is not None:
            from aiosmtpd.controller import Controller

            self.port = port
            self.controller = Controller(self, hostname="127.0.0.1", port=port)
        self.peers: list[tuple[str, int]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)


async def test_a_campaign_goes_out_over_a_few_connections(shop_and_key, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    for n in range(3 * BATCH):
        shop = shop_and_key[0]
        await queue_email(shop, to=f"c{n}@x.fr", subject=f"n{n}", html="x", text="x", locale="en")
    with ConnectionsSink() as sink:
        worker = Worker(settings.model_copy(update={"smtp_url": sink.url}))
        assert await worker.run_once() == 3 * BATCH
    assert sorted(m["Subject"] for m in sink.parsed()) == sorted(f"n{n}" for n in range(3 * BATCH))
    # At most one connection per email sent at once, each reused by the next batches.
    assert len(set(sink.peers)) <= BATCH
    assert await OutboxMessage.filter(state="done", attempts=1).count() == 3 * BATCH


async def test_an_address_that_is_not_ascii_is_delivered_as_utf8(  # type: ignore[no-untyped-def]
    shop_and_key, settings: Settings
) -> None:
    shop = shop_and_key[0]
    await queue_email(
        shop, to="émilie@exämple.fr", subject="Été", html="<p>é</p>", text="é", locale="fr"
    )
    with SmtpSink(utf8=True) as sink:
        assert await Worker(settings.model_copy(update={"smtp_url": sink.url})).run_once() == 1
    assert sink.recipients == ["émilie@exämple.fr"]
    parsed = message_from_bytes(sink.messages[0], policy=policy.SMTPUTF8)
    assert parsed["To"] == "émilie@exämple.fr" and parsed["Subject"] == "Été"
    assert await OutboxMessage.filter(state="done").count() == 1


def _email(n: int) -> mail.Email:
    payload = {"to": f"c{n}@example.com", "subject": f"n{n}", "html": "<p>x</p>", "text": "x"}
    return mail.build_message(
        payload, from_name="Shop", from_email="shop@example.com", message_id=f"m{n}", domain="x"
    )


async def test_a_connection_the_server_dropped_is_replaced() -> None:
    with ConnectionsSink() as first:
        pool = mail.SmtpPool(mail.SmtpConfig(first.url), size=2)
        await pool.send(_email(1))
        await pool.send(_email(2))
    assert len(first.messages) == 2 and len(set(first.peers)) == 1
    # The server went away and came back (a restart, its idle timeout): the connection
    # kept open is dead, the next email goes over a new one.
    with ConnectionsSink(port=first.port) as second:
        await pool.send(_email(3))
        await pool.close()
    assert [m["Subject"] for m in second.parsed()] == ["n3"]


class RefusingSink(ConnectionsSink):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address.startswith("c1@"):
            return "550 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


async def test_a_refused_email_fails_alone() -> None:
    with RefusingSink() as sink:
        pool = mail.SmtpPool(mail.SmtpConfig(sink.url), size=2)
        with pytest.raises(mail.aiosmtplib.SMTPRecipientsRefused):
            await pool.send(_email(1))
        await pool.send(_email(2))
        await pool.close()
    assert [m["Subject"] for m in sink.parsed()] == ["n2"]


def _worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "PUBLIC_BASE_URL": settings.base_url,
        "SECRET_KEY": "test",
        "DATA_DIR": str(settings.data_dir),
        **extra,
    }


async def _start_worker(cwd: Path, env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "feedback_service.cli",
        "worker",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


@pytest.mark.slow
async def test_kill_9_loses_no_email(  # type: ignore[no-untyped-def]
    shop_and_key, settings: Settings, pytestconfig: pytest.Config
) -> None:
    shop: Shop = shop_and_key[0]
    for n in range(200):
        await queue_email(
            shop, to=f"c{n}@example.com", subject=f"n{n}", html="<p>hi</p>", text="hi", locale="en"
        )
    with SmtpSink(delay=0.01) as sink:
        env = _worker_env(settings, SMTP_URL=sink.url)
        first = await _start_worker(pytestconfig.rootpath, env)
        deadline = time.monotonic() + 60
        while len(sink.messages) < 60 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        delivered_before_kill = len(sink.messages)
        assert 0 < delivered_before_kill < 200
        # The dead worker's claim lapses after LEASE (2 minutes); let that time pass.
        await OutboxMessage.filter(state="pending").update(locked_until=None)
        second = await _start_worker(pytestconfig.rootpath, env, "--once")
        assert await asyncio.wait_for(second.wait(), 120) == 0
        subjects = Counter(m["Subject"] for m in sink.parsed())
    assert set(subjects) == {f"n{n}" for n in range(200)}  # none lost
    duplicated = sum(count - 1 for count in subjects.values())
    print(
        f"\nkill -9: {delivered_before_kill} delivered before the kill, 200 arrived, "
        f"{duplicated} duplicated"
    )
    assert duplicated <= 20  # at most the batch in flight
    assert await OutboxMessage.filter(state="done").count() == 200


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="SKIP LOCKED needs PostgreSQL (TEST_DATABASE_URL)",
)
async def test_two_workers_deliver_each_webhook_once(
    api: httpx.AsyncClient,
    receiver: WebhookReceiver,
    settings: Settings,
    pytestconfig: pytest.Config,
) -> None:
    endpoint_id = (await receiver.subscribe(api, ["comment.added"]))["id"]
    shop_id = (await Shop.get(slug="test-shop")).id
    now = datetime.now(UTC)
    await OutboxMessage.bulk_create(
        [
            OutboxMessage(
                shop_id=shop_id,
                kind="webhook",
                endpoint_id=endpoint_id,
                message_id=f"msg_{n}",
                payload={"type": "comment.added", "timestamp": now.isoformat(), "data": {"n": n}},
                due_at=now,
            )
            for n in range(500)
        ]
    )
    env = _worker_env(settings, WEBHOOK_ALLOW_PRIVATE="true")
    workers = [await _start_worker(pytestconfig.rootpath, env, "--once") for _ in range(2)]
    for worker in workers:
        assert await asyncio.wait_for(worker.wait(), 120) == 0
    ids = Counter(r["id"] for r in receiver.received)
    assert len(ids) == 500 and set(ids.values()) == {1}
    assert all(r["verified"] for r in receiver.received)


async def test_sigterm_stops_the_worker_cleanly(  # type: ignore[no-untyped-def]
    shop_and_key, settings: Settings, pytestconfig: pytest.Config
) -> None:
    with SmtpSink(delay=0.05) as sink:
        for n in range(30):
            await queue_email(
                shop_and_key[0],
                to=f"t{n}@example.com",
                subject=f"t{n}",
                html="<p>x</p>",
                text="x",
                locale="en",
            )
        worker = await _start_worker(
            pytestconfig.rootpath, _worker_env(settings, SMTP_URL=sink.url)
        )
        while not sink.messages:
            await asyncio.sleep(0.02)
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(worker.wait(), 30) == 0
        # The batch in hand was finished, not abandoned: nothing is left half-claimed.
        claimed = await OutboxMessage.filter(state="pending", locked_until__not_isnull=True).count()
        assert claimed == 0


async def test_a_step_that_fails_on_the_database_is_tried_again(
    shop_and_key, smtp: SmtpSink, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    """On SQLite a worker's claim fails ("database is locked") when the web process wrote
    between its read and its write: the worker goes on instead of exiting."""
    await queue_email(shop_and_key[0], to="a@x.fr", subject="s", html="x", text="x", locale="en")
    worker = Worker(settings.model_copy(update={"smtp_url": smtp.url}))
    step, calls = worker.step, 0

    async def failing_once() -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OperationalError("database is locked")
        worked = await step()
        if not worked:
            worker.stopping.set()
        return worked

    worker.step = failing_once  # type: ignore[method-assign]
    await asyncio.wait_for(worker.run(), 30)
    assert len(smtp.messages) == 1 and calls >= 3
