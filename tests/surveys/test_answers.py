"""The one-click answer: provisional on GET, confirmed by the page, safe from mail scanners."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from feedback_service import tokens
from feedback_service.settings import Settings
from feedback_service.shops.services import create_shop
from feedback_service.surveys.models import Click, Invitation, Response

SCANNER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36 Microsoft Office Protection",
    "Proofpoint URL Defense",
    "Mimecast-Link-Inspector/1.0",
    "python-requests/2.31",
]


async def invite(api: httpx.AsyncClient, survey: str = "thermometer", email: str = "a@x.fr") -> Any:
    answer = await api.post(
        "/api/v1/invitations",
        json={"survey": survey, "customer": {"email": email, "locale": "fr"}},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def confirm(client: httpx.AsyncClient, url: str) -> httpx.Response:
    return await client.post(url, headers={"Accept": "application/json"})


async def test_get_alone_records_a_provisional_click_only(api: httpx.AsyncClient) -> None:
    inv = await invite(api)
    page = await api.get(inv["links"]["green"])
    assert page.status_code == 200
    assert "Merci pour votre réponse" in page.text and "Vert\u202f: bien" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert await Response.all().count() == 0
    click = await Click.get()
    assert (click.score, click.outcome) == (3, "pending")
    provisional = await api.get("/api/v1/responses", params={"status": "provisional"})
    assert [i["label"] for i in provisional.json()["items"]] == ["green"]


async def test_the_page_confirms_exactly_one_answer(api: httpx.AsyncClient) -> None:
    inv = await invite(api)
    await api.get(inv["links"]["gold"])
    first = await confirm(api, inv["links"]["gold"])
    assert first.json() == {"status": "confirmed"}
    again = await confirm(api, inv["links"]["gold"])  # a reload, a double click
    assert again.json() == {"status": "confirmed"}
    response = await Response.get()
    assert (response.kind, response.score) == ("thermometer", 4)
    listed = (await api.get("/api/v1/responses")).json()
    assert [(i["label"], i["status"]) for i in listed["items"]] == [("gold", "confirmed")]
    provisional = await api.get("/api/v1/responses", params={"status": "provisional"})
    assert provisional.json()["items"] == []


def script_sources(answer: httpx.Response) -> list[str]:
    for part in answer.headers["content-security-policy"].split(";"):
        name, _, sources = part.strip().partition(" ")
        if name == "script-src":
            return sources.split()
    raise AssertionError("no script-src")


async def test_only_the_answer_pages_own_script_may_run(api: httpx.AsyncClient) -> None:
    inv = await invite(api)
    pages = [await api.get(inv["links"]["gold"]) for _ in range(2)]
    nonces = []
    for page in pages:
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        nonce = page.text.split('<script nonce="', 1)[1].split('"', 1)[0]
        assert len(nonce) >= 16 and script_sources(page) == [f"'nonce-{nonce}'"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]  # a fresh nonce per page
    confirmed = await confirm(api, inv["links"]["gold"])  # JSON: no script at all
    assert confirmed.json() == {"status": "confirmed"}
    assert script_sources(confirmed) == ["'none'"]
    assert confirmed.headers["x-content-type-options"] == "nosniff"


async def test_noscript_confirm_redirects_to_the_page(api: httpx.AsyncClient) -> None:
    inv = await invite(api)
    answer = await api.post(inv["links"]["red"])
    assert answer.status_code == 303
    assert answer.headers["location"] == inv["links"]["red"]
    assert (await Response.get()).score == 1


async def test_mail_scanner_burst_leaves_no_confirmed_answer(api: httpx.AsyncClient) -> None:
    """HEAD and GET of every link within 2 s, with scanner user agents."""
    client = api
    for survey, email in (("thermometer", "t@x.fr"), ("nps", "n@x.fr"), ("csat", "c@x.fr")):
        inv = await invite(api, survey, email)
        start = time.monotonic()
        for n, url in enumerate(inv["links"].values()):
            headers = {"User-Agent": SCANNER_AGENTS[n % len(SCANNER_AGENTS)]}
            assert (await client.head(url, headers=headers)).status_code == 200
            assert (await client.get(url, headers=headers)).status_code == 200
        assert time.monotonic() - start < 2
    assert await Response.all().count() == 0
    confirmed = await client.get("/api/v1/responses")
    assert confirmed.json()["items"] == []


async def test_sandboxed_scanner_that_runs_the_script_is_caught_as_a_burst(
    api: httpx.AsyncClient,
) -> None:
    inv = await invite(api)
    urls = list(inv["links"].values())
    for url in urls:
        await api.get(url)
    states = [(await confirm(api, url)).json()["status"] for url in urls]
    assert states == ["scanner"] * 4
    assert await Response.all().count() == 0
    assert await Click.filter(outcome="scanner").count() == 4
    diagnostics = await api.get("/api/v1/responses", params={"status": "scanner"})
    assert len(diagnostics.json()["items"]) == 4


async def test_a_sandbox_confirming_every_link_at_once_gets_scanner_answers(
    api: httpx.AsyncClient,
) -> None:
    """Its confirms arrive together: on PostgreSQL, two undoing the burst (and one storing the
    answer) at once deadlocked, and the loser answered 500 (campaign.py storm, 2 web
    processes: 140 of 5,657 scripted confirms)."""
    for n in range(8):
        inv = await invite(api, "nps", f"s{n}@x.fr")
        urls = list(inv["links"].values())
        await asyncio.gather(*(api.get(url) for url in urls[:3]))
        answers = await asyncio.gather(*(confirm(api, url) for url in urls))
        assert [a.status_code for a in answers] == [200] * 11, [a.text for a in answers]
        assert {a.json()["status"] for a in answers} == {"scanner"}
    assert await Response.all().count() == 0


async def test_head_records_nothing(api: httpx.AsyncClient) -> None:
    inv = await invite(api)
    assert (await api.head(inv["links"]["gold"])).status_code == 200
    assert await Click.all().count() == 0


async def test_a_new_score_within_30_minutes_replaces_the_old(api: httpx.AsyncClient) -> None:
    inv = await invite(api)
    await api.get(inv["links"]["gold"])
    await confirm(api, inv["links"]["gold"])
    await api.get(inv["links"]["red"])
    assert (await confirm(api, inv["links"]["red"])).json()["status"] == "confirmed"
    assert [r.score for r in await Response.all()] == [1]


async def test_after_30_minutes_a_click_shows_the_recorded_answer(api: httpx.AsyncClient) -> None:
    inv = await invite(api)
    await confirm(api, inv["links"]["gold"])
    await Response.all().update(created_at=datetime.now(UTC) - timedelta(minutes=31))
    page = await api.get(inv["links"]["red"])
    assert "Vous avez déjà répondu" in page.text and "Or\u202f: excellent" in page.text
    assert (await confirm(api, inv["links"]["red"])).json()["status"] == "locked"
    assert [r.score for r in await Response.all()] == [4]


async def test_concurrent_confirms_make_one_answer(app, api: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    """50 browsers (50 addresses, so no rate limit steps in) confirm at once: one answer."""
    inv = await invite(api)

    async def confirm_from(n: int) -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(f"203.0.113.{n}", 4000))
        async with httpx.AsyncClient(transport=transport, base_url=str(api.base_url)) as browser:
            return await confirm(browser, inv["links"]["green"])

    results = await asyncio.gather(*(confirm_from(n) for n in range(50)))
    assert all(r.json()["status"] == "confirmed" for r in results)
    assert await Response.all().count() == 1


async def test_comment_is_stored_and_confirms(api: httpx.AsyncClient) -> None:
    inv = await invite(api)
    await api.get(inv["links"]["yellow"])
    token = inv["token"]
    thanks = await api.post(
        f"/s/{token}/comment",
        data={"comment": "  Colis en retard.\r\nSinon ok ", "score": "yellow"},
    )
    assert thanks.status_code == 200 and "votre commentaire a bien été envoyé" in thanks.text
    response = await Response.get()
    assert (response.score, response.comment) == (2, "Colis en retard.\nSinon ok")
    listed = (await api.get("/api/v1/responses")).json()["items"][0]
    assert listed["comment"] == "Colis en retard.\nSinon ok"


async def test_bad_comments_are_refused_with_the_text_kept(api: httpx.AsyncClient) -> None:
    inv = await invite(api)
    await confirm(api, inv["links"]["gold"])
    url = f"/s/{inv['token']}/comment"
    too_long = await api.post(url, data={"comment": "é" * 5001, "score": "gold"})
    assert too_long.status_code == 400 and "5000" in too_long.text
    assert "éééé" in too_long.text
    empty = await api.post(url, data={"comment": "   ", "score": "gold"})
    assert empty.status_code == 400
    assert (await Response.get()).comment is None


async def test_hostile_comment_is_inert_in_the_page(api: httpx.AsyncClient) -> None:
    inv = await invite(api)
    url = f"/s/{inv['token']}/comment"
    await api.post(url, data={"comment": "<script>alert(1)</script>{{7*7}}", "score": "gold"})
    page = await api.get(inv["links"]["gold"])
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{7*7}}" in page.text


def _expired_token(secret: str, invitation_id: int, shop_id: int) -> str:
    class OldSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 31 * 24 * 3600

    serializer = URLSafeTimedSerializer(secret, salt=tokens.SURVEY, signer=OldSigner)
    return str(serializer.dumps([invitation_id, shop_id]))


async def test_bad_tokens_get_the_same_friendly_404(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    secret = settings.secret_key
    inv = await invite(api)
    invitation = await Invitation.get()
    other_shop, _ = await create_shop("Other", "other")
    forged = URLSafeTimedSerializer("wrong-secret", salt=tokens.SURVEY).dumps([invitation.id, 1])
    cross_shop = URLSafeTimedSerializer(secret, salt=tokens.SURVEY).dumps(
        [invitation.id, other_shop.id]
    )
    wrong_purpose = URLSafeTimedSerializer(secret, salt=tokens.UNSUBSCRIBE).dumps(
        [invitation.id, invitation.shop_id]
    )
    bad = [
        "garbage",
        "a" * 5000,
        forged,
        cross_shop,
        wrong_purpose,
        _expired_token(secret, invitation.id, invitation.shop_id),
        URLSafeTimedSerializer(secret, salt=tokens.SURVEY).dumps([999999, invitation.shop_id]),
        URLSafeTimedSerializer(secret, salt=tokens.SURVEY).dumps({"i": 1}),
    ]
    bodies = set()
    for token in bad:
        for method in ("GET", "POST"):
            answer = await api.request(
                method, f"/s/{token}/gold", headers={"Accept-Language": "fr"}
            )
            assert answer.status_code == 404, token
            if method == "GET":
                bodies.add(answer.text.split('name="referrer"')[1])
    assert len(bodies) == 1 and "Ce lien n&#39;est pas valide" in bodies.pop()
    unknown_score = await api.get(f"/s/{inv['token']}/purple")
    assert unknown_score.status_code == 404
    for other_kinds_key in ("7", "3"):  # NPS / CSAT keys on a thermometer link
        assert (await api.get(f"/s/{inv['token']}/{other_kinds_key}")).status_code == 404
    assert await Click.all().count() == 0 and await Response.all().count() == 0


async def test_cross_origin_confirm_is_refused(api: httpx.AsyncClient) -> None:
    inv = await invite(api)
    answer = await api.post(inv["links"]["gold"], headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert await Response.all().count() == 0


async def test_reusable_signature_link_gives_anonymous_answers(api: httpx.AsyncClient) -> None:
    link = (await api.post("/api/v1/survey-links", json={"survey": "csat"})).json()
    assert "email" not in link and len(link["links"]) == 5
    for _ in range(3):  # three different people, each with their own browser
        async with httpx.AsyncClient(
            transport=api._transport, base_url=str(api.base_url)
        ) as browser:
            await browser.get(link["links"]["5"])
            assert (await confirm(browser, link["links"]["5"])).json()["status"] == "confirmed"
    responses = await Response.all()
    assert len(responses) == 3 and all(r.customer_id is None for r in responses)


async def provisional_labels(api: httpx.AsyncClient) -> list[str]:
    listed = await api.get("/api/v1/responses", params={"status": "provisional"})
    return [item["label"] for item in listed.json()["items"]]


async def test_a_click_is_provisional_until_its_answer_is_confirmed(
    api: httpx.AsyncClient,
) -> None:
    inv = await invite(api)
    await api.get(inv["links"]["green"])
    assert await provisional_labels(api) == ["green"]
    await confirm(api, inv["links"]["green"])
    assert await provisional_labels(api) == []
    # Another score opened later without confirming: the invitation has its answer.
    await api.get(inv["links"]["red"])
    assert await provisional_labels(api) == []
    # A signature link's clicks, one answer per browser: only the unconfirmed one waits.
    link = (await api.post("/api/v1/survey-links", json={"survey": "csat"})).json()
    for score, confirms in (("5", True), ("2", False)):
        async with httpx.AsyncClient(
            transport=api._transport, base_url=str(api.base_url)
        ) as browser:
            await browser.get(link["links"][score])
            if confirms:
                assert (await confirm(browser, link["links"][score])).json() == {
                    "status": "confirmed"
                }
    assert await provisional_labels(api) == ["2"]


async def test_reusable_link_is_rate_limited_per_address(api: httpx.AsyncClient) -> None:
    link = (await api.post("/api/v1/survey-links", json={"survey": "nps"})).json()
    statuses = []
    for _ in range(22):
        async with httpx.AsyncClient(
            transport=api._transport, base_url=str(api.base_url)
        ) as browser:
            await browser.get(link["links"]["9"])
            answer = await confirm(browser, link["links"]["9"])
            statuses.append(answer.status_code)
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429 and "retry-after" in answer.headers
    assert await Response.all().count() == 20


async def test_cursor_pagination(api: httpx.AsyncClient) -> None:
    for n in range(55):
        inv = await invite(api, "nps", f"p{n}@x.fr")
        await confirm(api, inv["links"][str(n % 11)])
    first = (await api.get("/api/v1/responses", params={"survey": "nps"})).json()
    assert len(first["items"]) == 50 and first["next_cursor"]
    second = (await api.get("/api/v1/responses", params={"cursor": first["next_cursor"]})).json()
    assert len(second["items"]) == 5 and second["next_cursor"] is None
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(set(ids)) == 55
    for params in ({"cursor": "!!"}, {"survey": "stars"}, {"status": "x"}, {"since": "never"}):
        assert (await api.get("/api/v1/responses", params=params)).status_code == 422


async def test_responses_of_another_shop_are_invisible(api: httpx.AsyncClient) -> None:
    inv = await invite(api)
    await confirm(api, inv["links"]["gold"])
    _, other_key = await create_shop("Other", "other")
    other = await api.get("/api/v1/responses", headers={"Authorization": f"Bearer {other_key}"})
    assert other.json()["items"] == []
