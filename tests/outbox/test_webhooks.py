"""Signed webhooks through the outbox: retries, 410, replay, SSRF guard."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import httpx
import pytest
from peers import WebhookReceiver

from feedback_service.app import create_app
from feedback_service.outbox.models import OutboxMessage, WebhookEndpoint
from feedback_service.settings import Settings
from feedback_service.surveys.models import Response
from feedback_service.worker import Worker


async def confirmed_answer(api: httpx.AsyncClient, link: str = "red") -> None:
    created = await api.post(
        "/api/v1/invitations",
        json={"survey": "thermometer", "customer": {"email": "w@x.fr", "locale": "fr"}},
    )
    url = created.json()["links"][link]
    await api.get(url)
    assert (await api.post(url, headers={"Accept": "application/json"})).status_code == 200


async def make_due() -> None:
    """Skip the waits: the burst hold-back of a confirmation, then each retry's backoff."""
    await OutboxMessage.filter(state="pending").update(due_at=datetime.now(UTC))


async def run_due(worker: Worker) -> int:
    await make_due()
    return await worker.run_once()


async def test_500_twice_then_200_is_one_success_with_one_id(
    api: httpx.AsyncClient, receiver: WebhookReceiver, settings: Settings
) -> None:
    hook = await receiver.subscribe(api, ["response.confirmed"])
    await confirmed_answer(api)
    receiver.statuses = [500, 500]
    worker = Worker(settings)
    for _ in range(3):
        await run_due(worker)
    assert [r["status"] for r in receiver.received] == [500, 500, 200]
    assert len({r["id"] for r in receiver.received}) == 1
    assert all(r["verified"] for r in receiver.received)
    event = receiver.received[-1]["json"]
    assert event["type"] == "response.confirmed"
    assert event["data"]["label"] == "red" and event["data"]["score"] == 1
    deliveries = (await api.get(f"/api/v1/webhooks/{hook['id']}/deliveries")).json()["items"]
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("done", 3)]
    # Nothing more to send: the worker does not deliver twice.
    assert await run_due(worker) == 0


async def test_retry_schedule_backs_off(
    api: httpx.AsyncClient, receiver: WebhookReceiver, settings: Settings
) -> None:
    await receiver.subscribe(api, ["response.confirmed"])
    await confirmed_answer(api)
    receiver.statuses = [503]
    await run_due(Worker(settings))
    row = await OutboxMessage.get(kind="webhook")
    wait = (row.due_at - datetime.now(UTC)).total_seconds()
    assert row.state == "pending" and 3.5 < wait < 6 and row.last_error == "HTTP 503"


async def test_after_the_last_retry_the_delivery_fails(
    api: httpx.AsyncClient, receiver: WebhookReceiver, settings: Settings
) -> None:
    await receiver.subscribe(api, ["response.confirmed"])
    await confirmed_answer(api)
    receiver.statuses = [500] * 20
    worker = Worker(settings)
    for _ in range(10):
        await run_due(worker)
    assert len(receiver.received) == 8  # the first try and seven retries
    assert (await OutboxMessage.get(kind="webhook")).state == "failed"


async def test_410_disables_the_endpoint(
    api: httpx.AsyncClient, receiver: WebhookReceiver, settings: Settings
) -> None:
    hook = await receiver.subscribe(api, ["response.confirmed", "comment.added"])
    await confirmed_answer(api)
    receiver.statuses = [410]
    await run_due(Worker(settings))
    endpoint = await WebhookEndpoint.get(id=hook["id"])
    assert endpoint.disabled_at is not None
    assert (await OutboxMessage.get(kind="webhook")).state == "failed"
    listed = (await api.get("/api/v1/webhooks")).json()["items"]
    assert listed[0]["disabled"] is True


async def test_replay_sends_again_with_the_same_id(
    api: httpx.AsyncClient, receiver: WebhookReceiver, settings: Settings
) -> None:
    hook = await receiver.subscribe(api, ["response.confirmed"])
    await confirmed_answer(api)
    await run_due(Worker(settings))
    delivery = (await api.get(f"/api/v1/webhooks/{hook['id']}/deliveries")).json()["items"][0]
    replay = await api.post(f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}/replay")
    assert replay.status_code == 202
    await Worker(settings).run_once()  # a replay is due at once
    assert [r["id"] for r in receiver.received] == [delivery["webhook_id"]] * 2


async def test_only_subscribed_events_are_sent(
    api: httpx.AsyncClient, receiver: WebhookReceiver, settings: Settings
) -> None:
    await receiver.subscribe(api, ["comment.added"])
    await confirmed_answer(api)
    assert await OutboxMessage.filter(kind="webhook").count() == 0


async def test_a_scanner_burst_fires_no_webhook(
    api: httpx.AsyncClient, receiver: WebhookReceiver, settings: Settings
) -> None:
    """A sandboxed scanner that opens each link and runs its script, one link after another."""
    await receiver.subscribe(api, ["response.confirmed"])
    created = await api.post(
        "/api/v1/invitations", json={"survey": "nps", "customer": {"email": "s@x.fr"}}
    )
    for url in created.json()["links"].values():
        await api.get(url)
        await api.post(url, headers={"Accept": "application/json"})
    assert await OutboxMessage.filter(kind="webhook", state="pending").count() == 0
    await run_due(Worker(settings))
    assert receiver.received == []
    assert await Response.all().count() == 0


@pytest.fixture
async def strict_api(settings: Settings, shop_and_key, db: str):  # type: ignore[no-untyped-def]
    strict = create_app(
        settings.model_copy(update={"webhook_allow_private": False}), manage_db=False
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=strict),
        base_url=settings.base_url,
        headers={"Authorization": f"Bearer {shop_and_key[1]}"},
    ) as client:
        yield client


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost:8080/hook",
        "http://0.0.0.0/",
        "ftp://example.com/hook",
        "javascript:alert(1)",
        "http://user:pass@example.com/hook",
    ],
)
async def test_ssrf_targets_are_refused_at_registration(
    strict_api: httpx.AsyncClient, url: str
) -> None:
    answer = await strict_api.post(
        "/api/v1/webhooks", json={"url": url, "events": ["alert.opened"]}
    )
    assert answer.status_code == 422, url
    assert "url" in answer.json()["error"]["fields"]
    assert await WebhookEndpoint.all().count() == 0


# IPv6 addresses that carry a loopback, private or link-local IPv4 address inside.
EMBEDDED_IPV4 = [
    "http://[::127.0.0.1]/hook",  # IPv4-compatible
    "http://[::ffff:0:7f00:1]/hook",  # IPv4-translated (::ffff:0:0/96)
    "http://[::ffff:10.0.0.1]/hook",  # IPv4-mapped
    "http://[64:ff9b::7f00:1]/hook",  # NAT64
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",  # NAT64 to the metadata service
    "http://[64:ff9b:1::7f00:1]/hook",  # NAT64, local-use prefix
    "http://[2002:7f00:1::]/hook",  # 6to4
    "http://[2002:c0a8:101::1]/hook",  # 6to4 of 192.168.1.1
]


@pytest.mark.parametrize("url", EMBEDDED_IPV4)
async def test_ipv6_addresses_embedding_a_private_ipv4_are_refused_at_registration(
    strict_api: httpx.AsyncClient, url: str
) -> None:
    answer = await strict_api.post(
        "/api/v1/webhooks", json={"url": url, "events": ["alert.opened"]}
    )
    assert answer.status_code == 422, url
    assert "url" in answer.json()["error"]["fields"]
    assert await WebhookEndpoint.all().count() == 0


async def test_ipv6_addresses_embedding_a_public_ipv4_are_accepted(
    strict_api: httpx.AsyncClient,
) -> None:
    for url in ("http://[64:ff9b::5db8:d822]/hook", "http://[2002:5db8:d822::1]/hook"):
        answer = await strict_api.post(
            "/api/v1/webhooks", json={"url": url, "events": ["alert.opened"]}
        )
        assert answer.status_code == 201, (url, answer.text)


async def test_delivery_to_an_ipv6_embedding_a_private_ipv4_fails_at_send_time(
    api: httpx.AsyncClient, receiver: WebhookReceiver, settings: Settings
) -> None:
    hook = await receiver.subscribe(api, ["response.confirmed"])
    port = httpx.URL(receiver.url).port
    await WebhookEndpoint.filter(id=hook["id"]).update(url=f"http://[::ffff:0:7f00:1]:{port}/")
    await confirmed_answer(api)
    strict = settings.model_copy(update={"webhook_allow_private": False})
    await run_due(Worker(strict))
    row = await OutboxMessage.get(kind="webhook")
    assert row.last_error == "refused: the host resolves to a non-public address (::ffff:0:7f00:1)"
    assert receiver.received == []


async def test_the_worker_logs_the_origin_of_a_webhook_url_only(
    api: httpx.AsyncClient,
    receiver: WebhookReceiver,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)  # what `feedback-service worker` logs
    answer = await api.post(
        "/api/v1/webhooks",
        json={"url": receiver.url + "?token=s3cret-in-query", "events": ["response.confirmed"]},
    )
    receiver.secret = answer.json()["secret"]
    await confirmed_answer(api)
    receiver.statuses = [500]
    worker = Worker(settings)
    for _ in range(2):  # a failure, then a success
        await run_due(worker)
    assert [r["status"] for r in receiver.received] == [500, 200]
    assert "s3cret" not in caplog.text
    deliveries = [json.loads(r.message) for r in caplog.records if '"delivery"' in r.message]
    origin = f"http://127.0.0.1:{receiver.port}"
    assert [(d["ok"], d["to"]) for d in deliveries] == [(False, origin), (True, origin)]


async def test_unknown_events_are_refused(
    api: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    for events in ([], ["order.created"], "response.confirmed"):
        answer = await api.post("/api/v1/webhooks", json={"url": receiver.url, "events": events})
        assert answer.status_code == 422
    assert await WebhookEndpoint.all().count() == 0


async def test_delivery_to_a_private_address_fails_at_send_time(
    api: httpx.AsyncClient, receiver: WebhookReceiver, settings: Settings
) -> None:
    """DNS can change after registration: the worker checks again before each call."""
    await receiver.subscribe(api, ["response.confirmed"])
    await confirmed_answer(api)
    strict = settings.model_copy(update={"webhook_allow_private": False})
    await run_due(Worker(strict))
    row = await OutboxMessage.get(kind="webhook")
    assert row.last_error and row.last_error.startswith("refused")
    assert receiver.received == []


async def test_redirects_are_not_followed(
    api: httpx.AsyncClient, receiver: WebhookReceiver, settings: Settings
) -> None:
    await receiver.subscribe(api, ["response.confirmed"])
    await confirmed_answer(api)
    receiver.statuses = [302]
    await run_due(Worker(settings))
    row = await OutboxMessage.get(kind="webhook")
    assert row.state == "pending" and row.last_error == "HTTP 302"
    assert len(receiver.received) == 1
