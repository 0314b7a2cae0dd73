"""The rows a confirmed answer writes, whichever way they are written (one statement in the
usual case, a personal link of a shop without webhook; otherwise in a transaction)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from feedback_service.outbox.models import OutboxMessage, WebhookEndpoint
from feedback_service.surveys.models import Click, Response


async def click_and_confirm(api: httpx.AsyncClient, key: str = "green") -> None:
    created = await api.post(
        "/api/v1/invitations",
        json={"survey": "thermometer", "customer": {"email": "rows@x.fr", "locale": "fr"}},
    )
    url = created.json()["links"][key]
    assert (await api.get(url)).status_code == 200
    confirmed = await api.post(url, headers={"Accept": "application/json"})
    assert confirmed.json() == {"status": "confirmed"}


@pytest.mark.parametrize("webhook", [False, True])
async def test_a_confirmation_writes_the_answer_its_webhook_and_its_click(
    api: httpx.AsyncClient, webhook: bool
) -> None:
    if webhook:
        hook = await api.post(
            "/api/v1/webhooks",
            json={"url": "http://127.0.0.1:9/hook", "events": ["response.confirmed"]},
        )
        assert hook.status_code == 201, hook.text
    before = datetime.now(UTC)
    await click_and_confirm(api)
    after = datetime.now(UTC)
    response = await Response.get()
    assert (response.kind, response.score, response.aspects, response.comment) == (
        "thermometer",
        3,
        [],
        None,
    )
    assert before <= response.created_at <= after
    # The click, no longer provisional now that its invitation has an answer.
    assert [c.score for c in await Click.all()] == [3]
    provisional = await api.get("/api/v1/responses", params={"status": "provisional"})
    assert provisional.json()["items"] == []
    # Its alert check is due once the scanner window has passed; no outbox row for it.
    hold = timedelta(seconds=10)
    assert response.alert_due_at is not None
    assert before + hold <= response.alert_due_at <= after + hold
    assert await OutboxMessage.filter(kind="alert_check").count() == 0
    hooks = await OutboxMessage.filter(kind="webhook")
    if webhook:
        [delivery] = hooks
        assert delivery.endpoint_id == (await WebhookEndpoint.get()).id
        assert delivery.payload["data"]["id"] == response.id
        assert delivery.subject == f"response:{response.id}"
    else:
        assert hooks == []


async def test_a_disabled_endpoint_gets_nothing(api: httpx.AsyncClient) -> None:
    hook = await api.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["response.confirmed"]},
    )
    assert hook.status_code == 201
    await WebhookEndpoint.all().update(disabled_at=datetime.now(UTC))
    await click_and_confirm(api)
    assert await OutboxMessage.filter(kind="webhook").count() == 0
    assert (await Response.get()).alert_due_at is not None
