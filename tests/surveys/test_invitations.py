"""Invitations: links, the email, throttle and unsubscribe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import lxml.html

from feedback_service.orders.models import Customer
from feedback_service.surveys.models import Invitation

CUSTOMER = {"email": "lea@example.fr", "name": "Léa Martin", "locale": "fr-FR"}


async def invite(api: httpx.AsyncClient, survey: str = "thermometer", **extra) -> httpx.Response:  # type: ignore[no-untyped-def]
    return await api.post(
        "/api/v1/invitations", json={"survey": survey, "customer": CUSTOMER, **extra}
    )


async def test_thermometer_invitation_has_four_links_and_a_french_email(
    api: httpx.AsyncClient, settings
) -> None:  # type: ignore[no-untyped-def]
    answer = await invite(api)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert list(body["links"]) == ["gold", "green", "yellow", "red"]
    for key, url in body["links"].items():
        assert url == f"{settings.base_url}/s/{body['token']}/{key}"
    assert body["unsubscribe_url"].startswith(f"{settings.base_url}/u/")
    email = body["email"]
    assert "Boutique Test" in email["subject"] and "avis" in email["subject"]
    assert email["headers"]["List-Unsubscribe"] == f"<{body['unsubscribe_url']}>"
    assert email["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    doc = lxml.html.fromstring(email["html"])
    hrefs = [a.get("href") for a in doc.iter("a")]
    assert all(url in hrefs for url in body["links"].values())
    assert body["unsubscribe_url"] in hrefs
    # Plain links only: nothing a mail client would strip or block.
    assert not doc.xpath("//script|//form|//input|//button")
    assert "Or" in doc.text_content() and "Bonjour Léa" in doc.text_content()
    assert "Bonjour Léa" in email["text"] and body["links"]["red"] in email["text"]


async def test_nps_and_csat_links_and_english(api: httpx.AsyncClient) -> None:
    nps = await api.post(
        "/api/v1/invitations",
        json={"survey": "nps", "customer": {"email": "sam@example.com", "locale": "en-US"}},
    )
    assert list(nps.json()["links"]) == [str(n) for n in range(11)]
    assert "How likely are you to recommend Boutique Test" in nps.json()["email"]["html"]
    csat = await api.post(
        "/api/v1/invitations",
        json={"survey": "csat", "customer": {"email": "kim@example.com", "locale": "en"}},
    )
    assert list(csat.json()["links"]) == ["1", "2", "3", "4", "5"]


async def test_custom_question_is_shown_escaped(api: httpx.AsyncClient) -> None:
    answer = await invite(api, question="<b>Votre colis</b> est-il bien arrivé ?")
    html = answer.json()["email"]["html"]
    assert "&lt;b&gt;Votre colis&lt;/b&gt; est-il bien arrivé ?" in html
    assert "<b>Votre colis" not in html


async def test_throttle_window_across_kinds(api: httpx.AsyncClient) -> None:
    assert (await invite(api)).status_code == 201
    again = await invite(api, survey="nps")
    assert again.status_code == 200
    assert again.json()["status"] == "throttled"
    assert "links" not in again.json()
    next_allowed = datetime.fromisoformat(again.json()["next_allowed_at"])
    assert timedelta(days=29) < next_allowed - datetime.now(UTC) <= timedelta(days=30)
    assert await Invitation.all().count() == 1
    # Once the window has passed, the customer can be asked again.
    await Customer.filter(email=CUSTOMER["email"]).update(
        last_invited_at=datetime.now(UTC) - timedelta(days=31)
    )
    assert (await invite(api, survey="nps")).status_code == 201


async def test_unsubscribed_customer_is_never_invited(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    first = (await invite(api)).json()
    page = await client.get(first["unsubscribe_url"], headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Se désabonner" in page.text  # the customer's language
    assert (
        await Customer.get(email=CUSTOMER["email"])
    ).unsubscribed_at is None  # GET changes nothing
    done = await client.post(first["unsubscribe_url"])
    assert done.status_code == 200 and "désabonné" in done.text
    await Customer.filter(email=CUSTOMER["email"]).update(last_invited_at=None)
    held = await invite(api)
    assert held.status_code == 200 and held.json() == {"status": "unsubscribed"}


async def test_rfc8058_one_click_unsubscribe(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    url = (await invite(api)).json()["unsubscribe_url"]
    answer = await client.post(
        url,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200
    assert (await Customer.get(email=CUSTOMER["email"])).unsubscribed_at is not None


async def test_bad_invitations_change_nothing(api: httpx.AsyncClient) -> None:
    bad = [
        {"survey": "stars", "customer": CUSTOMER},
        {"survey": "nps"},
        {"survey": "nps", "customer": {"email": 42}},
        {"survey": 3, "customer": CUSTOMER},
        {"survey": "nps", "customer": CUSTOMER, "order_id": "NO-SUCH-ORDER"},
        {"survey": "nps", "customer": CUSTOMER, "question": "x" * 301},
    ]
    for body in bad:
        answer = await api.post("/api/v1/invitations", json=body)
        assert answer.status_code == 422, body
        assert answer.json()["error"]["fields"], body
    assert await Invitation.all().count() == 0
    assert await Customer.all().count() == 0
