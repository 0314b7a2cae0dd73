"""A second click on an answered invitation: a change of score within 30 minutes is recorded,
later ones show the answer, and the same score again stores nothing new."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from peers import WebhookReceiver

from feedback_service.outbox.models import OutboxMessage
from feedback_service.surveys.models import Click, Response


async def invite(api: httpx.AsyncClient, survey: str = "thermometer") -> dict[str, Any]:
    answer = await api.post(
        "/api/v1/invitations",
        json={"survey": survey, "customer": {"email": "a@x.fr", "locale": "fr"}},
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def click(api: httpx.AsyncClient, url: str) -> str:
    """A person's click: the page, then its confirm."""
    assert (await api.get(url)).status_code == 200
    confirmed = await api.post(url, headers={"Accept": "application/json"})
    state: str = confirmed.json()["status"]
    return state


async def answered_minutes_ago(minutes: int) -> None:
    await Response.all().update(created_at=datetime.now(UTC) - timedelta(minutes=minutes))
    await Click.all().update(created_at=datetime.now(UTC) - timedelta(minutes=minutes))


async def clicks() -> list[tuple[int, int, int, datetime]]:
    rows = await Click.all().order_by("id")
    return [(c.score, c.slot or 0, c.repeats, c.created_at) for c in rows]


async def test_a_change_of_score_is_recorded_and_its_alert_checked_again(
    api: httpx.AsyncClient,
) -> None:
    inv = await invite(api)
    assert await click(api, inv["links"]["gold"]) == "confirmed"
    await answered_minutes_ago(29)
    first = await Response.get()
    assert await click(api, inv["links"]["red"]) == "confirmed"
    changed = await Response.get()
    assert (changed.id, changed.score, changed.created_at) == (first.id, 1, first.created_at)
    assert changed.updated_at > first.updated_at
    assert changed.alert_due_at is not None and changed.alert_due_at > changed.updated_at
    page = await api.get(inv["links"]["red"])
    assert "Rouge\u202f: pas satisfait" in page.text
    listed = (await api.get("/api/v1/responses")).json()["items"]
    assert [(i["label"], i["score"]) for i in listed] == [("red", 1)]


async def test_scores_alternated_within_30_minutes_keep_the_last(api: httpx.AsyncClient) -> None:
    inv = await invite(api, "nps")
    for n, key in enumerate(["9", "3"] * 3):
        assert await click(api, inv["links"][key]) == "confirmed"
        await answered_minutes_ago(n + 1)  # each click out of the others' burst window
    assert [r.score for r in await Response.all()] == [3]


async def test_after_30_minutes_a_change_stores_nothing(api: httpx.AsyncClient) -> None:
    inv = await invite(api)
    assert await click(api, inv["links"]["gold"]) == "confirmed"
    await answered_minutes_ago(31)
    before = await Response.get()
    assert await click(api, inv["links"]["red"]) == "locked"
    after = await Response.get()
    assert (after.score, after.updated_at, after.alert_due_at) == (
        4,
        before.updated_at,
        before.alert_due_at,
    )


async def test_a_repeat_click_of_the_answer_stores_nothing_new(api: httpx.AsyncClient) -> None:
    inv = await invite(api)
    assert await click(api, inv["links"]["gold"]) == "confirmed"
    await answered_minutes_ago(5)
    stored, answer = await clicks(), await Response.get()
    for _ in range(3):  # a reload, the email opened again, a double click
        assert await click(api, inv["links"]["gold"]) == "confirmed"
    page = await api.get(inv["links"]["gold"])
    assert "Merci pour votre réponse" in page.text and "Or\u202f: excellent" in page.text
    assert await clicks() == stored
    again = await Response.get()
    assert (again.score, again.updated_at, again.alert_due_at) == (
        4,
        answer.updated_at,
        answer.alert_due_at,
    )
    assert (await api.get("/api/v1/responses", params={"status": "provisional"})).json()[
        "items"
    ] == []


async def test_a_repeat_click_through_a_signature_link_stays_confirmed(
    api: httpx.AsyncClient,
) -> None:
    link = (await api.post("/api/v1/survey-links", json={"survey": "csat"})).json()
    async with httpx.AsyncClient(transport=api._transport, base_url=str(api.base_url)) as browser:
        assert await click(browser, link["links"]["5"]) == "confirmed"
        stored = await clicks()
        assert (await browser.get(link["links"]["5"])).status_code == 200
    assert await clicks() == stored
    provisional = await api.get("/api/v1/responses", params={"status": "provisional"})
    assert provisional.json()["items"] == []
    assert [r.score for r in await Response.all()] == [5]


async def test_a_scanner_opening_every_link_later_changes_nothing(
    api: httpx.AsyncClient,
) -> None:
    inv = await invite(api)
    assert await click(api, inv["links"]["green"]) == "confirmed"
    await answered_minutes_ago(5)
    others = [url for key, url in inv["links"].items() if key != "green"]
    for url in inv["links"].values():  # a sandbox: every page, then their scripts
        assert (await api.get(url)).status_code == 200
    for url in others:
        confirmed = await api.post(url, headers={"Accept": "application/json"})
        assert confirmed.json() == {"status": "scanner"}
    assert [r.score for r in await Response.all()] == [3]


async def test_a_change_in_a_shop_with_webhooks_sends_the_new_score(
    api: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    await receiver.subscribe(api, ["response.confirmed"])
    inv = await invite(api)
    assert await click(api, inv["links"]["gold"]) == "confirmed"
    await answered_minutes_ago(1)
    assert await click(api, inv["links"]["red"]) == "confirmed"
    assert await click(api, inv["links"]["red"]) == "confirmed"  # a repeat sends nothing
    events = await OutboxMessage.filter(kind="webhook").order_by("id")
    assert [e.payload["data"]["score"] for e in events] == [4, 1]
    assert [r.score for r in await Response.all()] == [1]
