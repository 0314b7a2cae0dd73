"""What one answer link can store: the first clicks of each score, later ones counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from tortoise.functions import Sum

from feedback_service.surveys.models import Click, Response
from feedback_service.surveys.queries import CLICKS_KEPT

GETS = 200


async def invite(api: httpx.AsyncClient) -> dict[str, Any]:
    answer = await api.post(
        "/api/v1/invitations",
        json={"survey": "thermometer", "customer": {"email": "a@x.fr", "locale": "fr"}},
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def confirm(client: httpx.AsyncClient, url: str) -> httpx.Response:
    return await client.post(url, headers={"Accept": "application/json"})


async def stored_and_counted(score: int) -> tuple[int, int]:
    """The click rows of a score, and how many clicks they stand for."""
    rows = await Click.filter(score=score).count()
    repeats = await Click.filter(score=score).annotate(n=Sum("repeats")).values_list("n", flat=True)
    return rows, rows + int(repeats[0] or 0)


async def test_a_personal_link_opened_200_times_stores_a_few_clicks(
    api: httpx.AsyncClient,
) -> None:
    inv = await invite(api)
    for _ in range(GETS):
        assert (await api.get(inv["links"]["green"])).status_code == 200
    assert await stored_and_counted(3) == (CLICKS_KEPT, GETS)
    listed = await api.get("/api/v1/responses", params={"status": "provisional"})
    assert [i["label"] for i in listed.json()["items"]] == ["green"] * CLICKS_KEPT
    assert (await confirm(api, inv["links"]["green"])).json() == {"status": "confirmed"}
    assert [r.score for r in await Response.all()] == [3]


async def test_a_reusable_link_opened_200_times_stores_a_few_clicks(
    api: httpx.AsyncClient,
) -> None:
    link = (await api.post("/api/v1/survey-links", json={"survey": "csat"})).json()
    for _ in range(GETS):  # each without the browser cookie, as a scanner or many people
        async with httpx.AsyncClient(
            transport=api._transport, base_url=str(api.base_url)
        ) as browser:
            assert (await browser.get(link["links"]["5"])).status_code == 200
    assert await stored_and_counted(5) == (CLICKS_KEPT, GETS)
    async with httpx.AsyncClient(transport=api._transport, base_url=str(api.base_url)) as browser:
        await browser.get(link["links"]["4"])
        assert (await confirm(browser, link["links"]["4"])).json() == {"status": "confirmed"}
    assert await Click.all().count() == CLICKS_KEPT + 1
    assert [r.score for r in await Response.all()] == [4]


async def test_a_scanner_burst_is_caught_on_a_link_past_its_bound(api: httpx.AsyncClient) -> None:
    inv = await invite(api)
    for _ in range(CLICKS_KEPT + 3):
        await api.get(inv["links"]["green"])
    # Those clicks are long past; the scanner comes back now and opens every link.
    await Click.all().update(created_at=datetime.now(UTC) - timedelta(minutes=5))
    for key in ("green", "red", "yellow"):
        await api.get(inv["links"][key])
    assert await Click.all().count() == CLICKS_KEPT + 2
    assert (await confirm(api, inv["links"]["green"])).json() == {"status": "scanner"}
    assert await Response.all().count() == 0
    scanner = await api.get("/api/v1/responses", params={"status": "scanner"})
    assert sorted(i["label"] for i in scanner.json()["items"]) == ["green", "red", "yellow"]
