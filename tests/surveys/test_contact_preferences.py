"""Contact preferences: the page behind every email's unsubscribe link, and who gets invited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import lxml.html
import pytest
from review_helpers import order_with_request

from feedback_service.orders.models import Customer, HeldInvitation, Order
from feedback_service.outbox.models import OutboxMessage
from feedback_service.reviews.models import ReviewRequest
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.worker import Worker

LEA = {"email": "lea@example.fr", "name": "Léa Martin", "locale": "fr"}
SAM = {"email": "sam@example.com", "name": "Sam Smith", "locale": "en"}


async def invite(api: httpx.AsyncClient, customer: dict = LEA) -> httpx.Response:  # type: ignore[type-arg]
    return await api.post("/api/v1/invitations", json={"survey": "nps", "customer": customer})


async def choose(client: httpx.AsyncClient, url: str, choice: str) -> httpx.Response:
    """What the page's form sends when the customer saves a choice."""
    return await client.post(url, data={"form": "preferences", "preference": choice})


async def asked_days_ago(email: str, days: float) -> None:
    """Move the last invitation and the last choice back in time."""
    when = datetime.now(UTC) - timedelta(days=days)
    await Customer.filter(email=email).update(last_invited_at=when)
    await (
        Customer.filter(email=email)
        .exclude(contact_preference_at=None)
        .update(contact_preference_at=when)
    )


async def place_order(
    api: httpx.AsyncClient, order_id: str, customer: dict, days_ago: float
) -> None:  # type: ignore[type-arg]
    product = {"sku": "MUG", "name": "Mug", "url": "https://shop.example/mug"}
    assert (await api.post("/api/v1/products", json=product)).status_code in (200, 201)
    ordered_at = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    order = {
        "id": order_id,
        "customer": customer,
        "items": [{"sku": "MUG"}],
        "ordered_at": ordered_at,
    }
    assert (await api.post("/api/v1/orders", json=order)).status_code in (200, 201)


def until(answer: httpx.Response) -> timedelta:
    return datetime.fromisoformat(answer.json()["next_allowed_at"]) - datetime.now(UTC)


async def held() -> list[tuple[str, str]]:
    return [(h.kind, h.reason) for h in await HeldInvitation.all().order_by("id")]


@pytest.mark.parametrize(
    ("choice", "window", "reason"),
    [
        ("", 14, "throttle"),
        ("1m", 30, "preference"),
        ("3m", 90, "preference"),
        ("6m", 180, "preference"),
    ],
)
async def test_each_window_choice_sets_when_the_customer_is_asked_again(
    api: httpx.AsyncClient,
    client: httpx.AsyncClient,
    shop_and_key,
    choice: str,
    window: int,
    reason: str,
) -> None:  # type: ignore[no-untyped-def]
    await Shop.filter(id=shop_and_key[0].id).update(throttle_days=14)
    url = (await invite(api)).json()["unsubscribe_url"]
    assert (await choose(client, url, choice)).status_code == 200
    await asked_days_ago(LEA["email"], window - 1)
    too_soon = await invite(api)
    assert too_soon.status_code == 200 and too_soon.json()["status"] == "throttled"
    assert "links" not in too_soon.json()
    assert timedelta(hours=23) < until(too_soon) <= timedelta(days=1)
    assert await held() == [("nps", reason)]
    await asked_days_ago(LEA["email"], window + 1)
    assert (await invite(api)).status_code == 201
    assert len(await held()) == 1


async def test_the_shop_window_wins_when_it_is_longer(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    url = (await invite(api)).json()["unsubscribe_url"]  # the shop asks every 30 days at most
    await choose(client, url, "1m")
    await asked_days_ago(LEA["email"], 20)
    answer = await invite(api)
    assert answer.json()["status"] == "throttled"
    assert timedelta(days=9) < until(answer) <= timedelta(days=10)
    assert await held() == [("nps", "throttle")]


async def test_only_after_an_order(api: httpx.AsyncClient, client: httpx.AsyncClient) -> None:
    await place_order(api, "OLD", LEA, days_ago=100)
    url = (await invite(api)).json()["unsubscribe_url"]
    saved = await choose(client, url, "after_order")
    assert "après votre prochaine commande" in saved.text
    await asked_days_ago(LEA["email"], 60)
    # An order placed before the choice does not count: "after an order" means a new one.
    answer = await invite(api)
    assert answer.status_code == 200 and answer.json() == {"status": "throttled"}
    await place_order(api, "NEW", LEA, days_ago=1)
    assert (await invite(api)).status_code == 201
    # Still the shop's window after that invitation, then a new order is needed again.
    assert (await invite(api)).json()["status"] == "throttled"
    # 45 days later, without a new order since that invitation.
    await Order.filter(external_id="NEW").update(ordered_at=datetime.now(UTC) - timedelta(days=46))
    await asked_days_ago(LEA["email"], 45)
    assert (await invite(api)).json() == {"status": "throttled"}
    assert await held() == [("nps", "preference"), ("nps", "throttle"), ("nps", "preference")]


async def test_never_is_a_full_unsubscribe_and_another_choice_undoes_it(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    hook = {"url": "http://127.0.0.1:9/hook", "events": ["customer.unsubscribed"]}
    assert (await api.post("/api/v1/webhooks", json=hook)).status_code == 201
    url = (await invite(api)).json()["unsubscribe_url"]
    done = await choose(client, url, "never")
    assert done.status_code == 200 and "Vous êtes désabonné" in done.text
    customer = await Customer.get(email=LEA["email"])
    assert customer.unsubscribed_at is not None and customer.contact_preference == "never"
    [event] = await OutboxMessage.filter(kind="webhook")
    assert event.payload["type"] == "customer.unsubscribed"
    assert event.payload["data"]["email"] == LEA["email"]
    await asked_days_ago(LEA["email"], 400)
    assert (await invite(api)).json() == {"status": "unsubscribed"}
    assert await held() == [("nps", "unsubscribed")]
    # The customer comes back and accepts a survey every 3 months.
    await choose(client, url, "3m")
    assert (await Customer.get(email=LEA["email"])).unsubscribed_at is None
    assert (await invite(api)).status_code == 201


async def test_one_click_unsubscribe_still_unsubscribes_fully(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    url = (await invite(api)).json()["unsubscribe_url"]
    await choose(client, url, "6m")
    # RFC 8058: the mail client POSTs this body to the List-Unsubscribe URL.
    answer = await client.post(
        url,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200
    assert (await Customer.get(email=LEA["email"])).unsubscribed_at is not None
    await asked_days_ago(LEA["email"], 400)
    assert (await invite(api)).json() == {"status": "unsubscribed"}
    page = lxml.html.fromstring((await client.get(url)).text)
    assert page.xpath("//input[@name='preference'][@checked]/@value") == ["never"]


async def test_segment_windows(api: httpx.AsyncClient, shop_and_key) -> None:  # type: ignore[no-untyped-def]
    # 30 days by default; new customers every 10 days, regular ones every 90 at most.
    await Shop.filter(id=shop_and_key[0].id).update(throttle_days_new=10, throttle_days_regular=90)
    new = {"email": "new@example.fr"}
    occasional = {"email": "occasional@example.fr"}
    regular = {"email": "regular@example.fr"}
    await place_order(api, "N1", new, days_ago=50)
    for n in range(2):
        await place_order(api, f"O{n}", occasional, days_ago=50 + n)
    for n in range(4):
        await place_order(api, f"R{n}", regular, days_ago=50 + n)
    for customer in (new, occasional, regular, {"email": "no-order@example.fr"}):
        assert (await invite(api, customer)).status_code == 201
        await asked_days_ago(customer["email"], 11)
    assert (await invite(api, new)).status_code == 201
    assert (await invite(api, {"email": "no-order@example.fr"})).status_code == 201
    assert (await invite(api, occasional)).json()["status"] == "throttled"
    held_regular = await invite(api, regular)
    assert timedelta(days=78) < until(held_regular) <= timedelta(days=79)
    await asked_days_ago(occasional["email"], 31)
    await asked_days_ago(regular["email"], 31)
    assert (await invite(api, occasional)).status_code == 201
    assert (await invite(api, regular)).json()["status"] == "throttled"
    await asked_days_ago(regular["email"], 91)
    assert (await invite(api, regular)).status_code == 201
    assert await held() == [("nps", "throttle")] * 3


async def test_review_requests_follow_the_same_rules(
    api: httpx.AsyncClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    created = await order_with_request(api)
    email = created["email"]
    links = [a.get("href") for a in lxml.html.fromstring(email["html"]).iter("a")]
    url = email["headers"]["List-Unsubscribe"].strip("<>")
    assert links.count(url) == 2  # "how often" and "unsubscribe" open the preference page
    assert "Choisir la fréquence de nos messages" in email["html"] and url in email["text"]
    await choose(client, url, "3m")
    await Customer.filter(email="o-1@example.fr").update(
        last_invited_at=datetime.now(UTC) - timedelta(days=45)
    )
    await OutboxMessage.filter(kind="review_request").update(due_at=datetime.now(UTC))
    await Worker(settings).run_once()
    assert (await ReviewRequest.get()).outcome == "skipped_throttled"
    assert await OutboxMessage.filter(kind="email").count() == 0
    assert await held() == [("review", "preference")]


async def test_preference_page_in_french(api: httpx.AsyncClient, client: httpx.AsyncClient) -> None:
    created = (await invite(api)).json()
    html = created["email"]["html"]
    assert "Choisir la fréquence de nos messages" in html
    assert created["unsubscribe_url"] in [
        a.get("href") for a in lxml.html.fromstring(html).iter("a")
    ]
    page = await client.get(created["unsubscribe_url"], headers={"Accept-Language": "en"})
    assert page.status_code == 200 and page.headers["cache-control"].startswith("no-store")
    doc = lxml.html.fromstring(page.text)
    assert doc.get("lang") == "fr"
    text = doc.text_content()
    assert "À quelle fréquence Boutique Test peut-il vous demander votre avis" in text
    options = [" ".join(label.text_content().split()) for label in doc.xpath("//label")]
    assert options == [
        "Comme le propose Boutique Test : au plus tous les 30 jours",  # once a month: said once
        "Au plus tous les 3 mois",
        "Au plus tous les 6 mois",
        "Seulement après une commande",
        "Jamais : me désabonner",
    ]
    assert doc.xpath("//input[@name='preference'][@checked]/@value") == [""]
    assert "Se désabonner" in text
    saved = await choose(client, created["unsubscribe_url"], "3m")
    assert "Votre choix est enregistré." in saved.text
    assert "Boutique Test vous demandera votre avis au plus tous les 90 jours." in saved.text
    again = lxml.html.fromstring((await client.get(created["unsubscribe_url"])).text)
    assert again.xpath("//input[@name='preference'][@checked]/@value") == ["3m"]
    assert (await Customer.get(email=LEA["email"])).unsubscribed_at is None


async def test_preference_page_in_english(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    url = (await invite(api, SAM)).json()["unsubscribe_url"]
    page = await client.get(url, headers={"Accept-Language": "fr"})
    doc = lxml.html.fromstring(page.text)
    assert doc.get("lang") == "en"
    assert "How often may Boutique Test ask for your opinion?" in doc.text_content()
    assert "Only after I place an order" in doc.text_content()
    saved = await choose(client, url, "after_order")
    assert "Your choice is saved." in saved.text
    assert "Boutique Test will only ask for your opinion after your next order." in saved.text
    assert (await Customer.get(email=SAM["email"])).contact_preference == "after_order"


async def test_bad_token_or_bad_choice_changes_nothing(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    url = (await invite(api)).json()["unsubscribe_url"]
    forged = url[:-3] + ("aaa" if not url.endswith("aaa") else "bbb")
    for answer in (
        await client.get(forged),
        await client.post(forged, data={"form": "preferences", "preference": "never"}),
        await client.post(forged, content="List-Unsubscribe=One-Click"),
        await client.get(url.rsplit("/", 1)[0] + "/not-a-token"),
    ):
        assert answer.status_code == 404
        assert "text/html" in answer.headers["content-type"]
        assert "Ce lien n'est pas valide" in answer.text or "not valid" in answer.text
    for bad in ({"form": "preferences", "preference": "weekly"}, {"form": "preferences"}):
        refused = await client.post(url, data=bad)
        assert refused.status_code == 400 and "Veuillez choisir une des options." in refused.text
    customer = await Customer.get(email=LEA["email"])
    assert customer.unsubscribed_at is None and customer.contact_preference == ""
    assert customer.contact_preference_at is None
