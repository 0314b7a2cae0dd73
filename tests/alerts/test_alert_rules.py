"""Default rules open exactly one alert per answer; scanners open none; shops stay apart."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import lxml.html
from admin_helpers import csrf_of, log_in
from peers import SmtpSink

from feedback_service.alerts.models import Alert
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_shop, create_user
from feedback_service.surveys.models import Response
from feedback_service.worker import Worker


async def answer(
    api: httpx.AsyncClient,
    survey: str,
    key: str,
    email: str,
    comment: str | None = None,
    locale: str = "fr",
    api_key: str | None = None,  # another shop's
) -> dict:  # type: ignore[type-arg]
    created = await api.post(
        "/api/v1/invitations",
        json={
            "survey": survey,
            "customer": {"email": email, "name": "Jean Dupont", "locale": locale},
        },
        headers={"Authorization": f"Bearer {api_key}"} if api_key else None,
    )
    inv = created.json()
    await api.get(inv["links"][key])
    assert (await api.post(inv["links"][key], headers={"Accept": "application/json"})).json()[
        "status"
    ] == "confirmed"
    if comment is not None:
        sent = await api.post(f"/s/{inv['token']}/comment", data={"comment": comment, "score": key})
        assert sent.status_code == 200
    return inv  # type: ignore[no-any-return]


async def after_scanner_window(settings: Settings) -> None:
    """The alert check waits out the scanner window (10 s); skip the wait."""
    await Response.exclude(alert_due_at=None).update(alert_due_at=datetime.now(UTC))
    await Worker(settings).run_once()


async def rules_of_alerts() -> list[list[str]]:
    from feedback_service.alerts.services import untag

    return [untag(a.rule_tags) for a in await Alert.all().order_by("id")]


async def test_each_click_rule_opens_one_alert(api: httpx.AsyncClient, settings: Settings) -> None:
    await answer(api, "thermometer", "red", "a@x.fr")
    await answer(api, "thermometer", "yellow", "b@x.fr")
    await answer(api, "thermometer", "green", "c@x.fr")
    await answer(api, "nps", "6", "d@x.fr")
    await answer(api, "nps", "7", "e@x.fr")
    await answer(api, "csat", "2", "f@x.fr")
    await answer(api, "csat", "3", "g@x.fr")
    assert await Alert.all().count() == 0  # not before the scanner window has passed
    await after_scanner_window(settings)
    # The worker checks answers side by side: compare without order.
    assert sorted(await rules_of_alerts()) == [
        ["csat_low"],
        ["nps_detractor"],
        ["thermometer_low"],
        ["thermometer_low"],
    ]
    await after_scanner_window(settings)  # running again changes nothing
    assert await Alert.all().count() == 4


async def test_negative_comment_and_mismatch(api: httpx.AsyncClient, settings: Settings) -> None:
    await answer(
        api, "nps", "10", "happy@x.fr", "Colis jamais reçu, service client injoignable, arnaque !"
    )
    await Worker(settings).run_once()  # a comment's check is due at once
    assert await rules_of_alerts() == [["mismatch", "negative_comment"]]
    await answer(api, "nps", "10", "fine@x.fr", "Livraison rapide, produit parfait.")
    await after_scanner_window(settings)
    assert await Alert.all().count() == 1
    alert = await Alert.get()
    assert alert.language == "fr" and ",delivery," in alert.aspect_tags


async def test_a_later_comment_updates_the_same_alert(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    inv = await answer(api, "thermometer", "red", "a@x.fr")
    await after_scanner_window(settings)
    await api.post(
        f"/s/{inv['token']}/comment",
        data={"comment": "Very disappointed, the parcel arrived broken.", "score": "red"},
    )
    await Worker(settings).run_once()
    assert await rules_of_alerts() == [["negative_comment", "thermometer_low"]]


async def test_low_review_opens_an_alert(api: httpx.AsyncClient, settings: Settings) -> None:
    from review_helpers import order_with_request, product_ids  # noqa: I001

    created = await order_with_request(api)
    form = await api.get(created["url"])
    first, second = product_ids(form.text)
    await api.post(
        created["url"],
        data={
            f"{first}_rating": "2",
            f"{second}_rating": "5",
            "display_name": "J",
            "consent": "yes",
        },
    )
    await Worker(settings).run_once()  # the review's check (alerts.tasks)
    assert await rules_of_alerts() == [["review_low"]]


async def test_a_scanner_burst_opens_no_alert(api: httpx.AsyncClient, settings: Settings) -> None:
    created = await api.post(
        "/api/v1/invitations", json={"survey": "thermometer", "customer": {"email": "s@x.fr"}}
    )
    for url in created.json()["links"].values():  # a sandbox that runs each page's script
        await api.get(url)
        await api.post(url, headers={"Accept": "application/json"})
    await after_scanner_window(settings)
    assert await Alert.all().count() == 0


async def test_a_changed_score_is_checked_again(api: httpx.AsyncClient, settings: Settings) -> None:
    inv = await answer(api, "thermometer", "green", "h@x.fr")
    await after_scanner_window(settings)
    assert await Alert.all().count() == 0
    # Minutes later, the customer thinks again and clicks red in the same email.
    await api.get(inv["links"]["red"])
    changed = await api.post(inv["links"]["red"], headers={"Accept": "application/json"})
    assert changed.json() == {"status": "confirmed"}
    assert await Alert.all().count() == 0  # its new check waits out the scanner window too
    await after_scanner_window(settings)
    assert await rules_of_alerts() == [["thermometer_low"]]


async def test_a_failing_check_is_tried_again_and_holds_up_no_other(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    await answer(api, "thermometer", "red", "i@x.fr")
    other, key = await create_shop("Autre boutique", "autre")
    await answer(api, "thermometer", "red", "j@x.fr", api_key=key)
    # The first shop's rules were broken by hand in the database: its check fails.
    first = await Response.filter(customer__email="i@x.fr").get()
    await Shop.filter(id=first.shop_id).update(alert_rules={"nps_max": "many"})
    await after_scanner_window(settings)
    assert [a.shop_id for a in await Alert.all()] == [other.id]
    await first.refresh_from_db()
    assert first.alert_due_at is not None
    assert first.alert_due_at - datetime.now(UTC) > timedelta(minutes=1)  # tried again later
    await Shop.filter(id=first.shop_id).update(alert_rules={})
    await after_scanner_window(settings)
    assert sorted(a.shop_id for a in await Alert.all()) == sorted([first.shop_id, other.id])


async def test_rules_can_be_changed(api: httpx.AsyncClient, settings: Settings) -> None:
    rules = (await api.get("/api/v1/alert-rules")).json()
    assert rules["nps_max"] == 6 and rules["thermometer"] == ["red", "yellow"]
    bad = await api.put("/api/v1/alert-rules", json={**rules, "nps_max": 42})
    assert bad.status_code == 422
    assert (await api.put("/api/v1/alert-rules", json={**rules, "bogus": 1})).status_code == 422
    changed = await api.put(
        "/api/v1/alert-rules", json={**rules, "nps_max": 7, "thermometer": ["red"]}
    )
    assert changed.status_code == 200
    await answer(api, "nps", "7", "a@x.fr")
    await answer(api, "thermometer", "yellow", "b@x.fr")
    await after_scanner_window(settings)
    assert await rules_of_alerts() == [["nps_detractor"]]


async def test_triage_api_and_tenant_isolation(
    api: httpx.AsyncClient, settings: Settings, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    await answer(api, "csat", "1", "a@x.fr")
    await after_scanner_window(settings)
    [item] = (await api.get("/api/v1/alerts", params={"status": "open"})).json()["items"]
    assert item["rules"] == ["csat_low"]
    await create_user(shop_and_key[0], "agent@shop.fr", "correct horse battery")
    assigned = await api.patch(
        f"/api/v1/alerts/{item['id']}", json={"assignee": "agent@shop.fr", "status": "acknowledged"}
    )
    assert assigned.status_code == 200 and assigned.json()["assignee_id"] is not None
    assert (
        await api.patch(f"/api/v1/alerts/{item['id']}", json={"assignee": "who@x.fr"})
    ).status_code == 422
    assert (
        await api.patch(f"/api/v1/alerts/{item['id']}", json={"status": "done"})
    ).status_code == 422
    unassigned = await api.patch(f"/api/v1/alerts/{item['id']}", json={"assignee": None})
    assert (
        unassigned.json()["assignee_id"] is None and unassigned.json()["status"] == "acknowledged"
    )
    other, other_key = await create_shop("Other", "other")
    headers = {"Authorization": f"Bearer {other_key}"}
    assert (await api.get("/api/v1/alerts", headers=headers)).json()["items"] == []
    hidden = await api.patch(
        f"/api/v1/alerts/{item['id']}", json={"status": "resolved"}, headers=headers
    )
    assert hidden.status_code == 404
    assert (await Alert.get(id=item["id"])).status == "acknowledged"
    # An agent of the other shop cannot act on it from the inbox either.
    await create_user(other, "spy@other.fr", "correct horse battery")
    await log_in(api, "spy@other.fr", "correct horse battery")
    inbox = await api.get("/admin/inbox")
    assert "a@x.fr" not in inbox.text
    refused = await api.post(
        f"/admin/inbox/{item['id']}", data={"csrf": csrf_of(inbox.text), "action": "resolve"}
    )
    assert refused.status_code == 404
    assert (await Alert.get(id=item["id"])).status == "acknowledged"


async def test_contact_email_goes_out_in_the_customers_language(
    api: httpx.AsyncClient, settings: Settings, smtp: SmtpSink, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    await answer(api, "nps", "2", "client@x.fr", locale="fr")
    await answer(api, "nps", "1", "customer@x.com", locale="en")
    await after_scanner_window(settings)
    await create_user(shop_and_key[0], "agent@shop.fr", "correct horse battery")
    await log_in(api, "agent@shop.fr", "correct horse battery")
    inbox = await api.get("/admin/inbox")
    assert "Toutes nos excuses" in inbox.text and "We are sorry" in inbox.text
    alerts = {a.customer.email: a for a in await Alert.all().select_related("customer")}
    french, english = alerts["client@x.fr"], alerts["customer@x.com"]
    csrf = csrf_of(inbox.text)
    for alert, subject, body in (
        (french, "Toutes nos excuses", "Bonjour Jean,\n\nNous sommes désolés."),
        (english, "We are sorry", "Hello Jean,\n\nWe are sorry."),
    ):
        sent = await api.post(
            f"/admin/inbox/{alert.id}",
            data={"csrf": csrf, "action": "contact", "subject": subject, "body": body},
        )
        assert sent.status_code == 303
    await Worker(settings.model_copy(update={"smtp_url": smtp.url})).run_once()
    contact = {
        m["To"]: m for m in smtp.parsed() if m["Subject"] in ("Toutes nos excuses", "We are sorry")
    }
    assert contact["client@x.fr"]["Content-Language"] == "fr"
    assert "Nous sommes désolés." in contact["client@x.fr"].get_body(("plain",)).get_content()
    assert contact["customer@x.com"]["Content-Language"] == "en"
    assert (await Alert.get(id=french.id)).status == "acknowledged"


async def test_alert_opened_webhook(api: httpx.AsyncClient, settings: Settings, receiver) -> None:  # type: ignore[no-untyped-def]
    hook = await api.post(
        "/api/v1/webhooks", json={"url": receiver.url, "events": ["alert.opened"]}
    )
    receiver.secret = hook.json()["secret"]
    await answer(api, "csat", "1", "a@x.fr")
    await after_scanner_window(settings)
    await Worker(settings).run_once()
    [event] = receiver.received
    assert event["verified"] and event["json"]["type"] == "alert.opened"
    assert event["json"]["data"]["rules"] == ["csat_low"]


async def test_the_french_inbox_reads_as_french(
    api: httpx.AsyncClient, settings: Settings, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    await answer(api, "nps", "6", "a@x.fr", comment="Livraison en retard, très déçu, colis abîmé")
    await answer(api, "thermometer", "gold", "b@x.fr", comment="Nul, horrible, je suis furieux")
    await after_scanner_window(settings)
    await create_user(shop_and_key[0], "agent@shop.fr", "correct horse battery")
    await log_in(api, "agent@shop.fr", "correct horse battery")
    inbox = await api.get("/admin/inbox", headers={"Accept-Language": "fr"})
    text = " ".join(lxml.html.fromstring(inbox.text).text_content().split())
    assert "NPS 6/10" in text and "Or : excellent" in text
    assert "nps 6" not in text and "thermometer gold" not in text
    assert "depuis moins d’une heure" in text and "Ouvert·" not in text and "Ouvert ·" in text
    rules = re.findall(r"(?:<strong>[^<]+</strong>, )+<strong>[^<]+</strong>", inbox.text)
    assert rules, "several rules of one alert are separated by commas"
