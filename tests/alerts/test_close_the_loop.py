"""Closing the loop: unhappy customers first by value, replies from templates, the
"did we make it right?" follow-up, and the recovery figures."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import httpx
from admin_helpers import csrf_of, log_in
from dashboard_helpers import NOW, orders
from loop_helpers import delivery_complaint, priority_shop, recovery_shop, unhappy
from peers import SmtpSink

from feedback_service.alerts.models import Alert, AlertReply, ReplyTemplate
from feedback_service.orders.models import Customer, Product
from feedback_service.outbox.models import OutboxMessage
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user
from feedback_service.surveys.models import Click
from feedback_service.surveys.models import Response as SurveyResponse
from feedback_service.worker import Worker

FR = {"Accept-Language": "fr"}
EN = {"Accept-Language": "en"}


async def agent_of(client: httpx.AsyncClient, shop: Shop) -> None:
    await create_user(shop, "agent@shop.fr", "correct horse battery", role="agent")
    await log_in(client, "agent@shop.fr", "correct horse battery")


def article_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="card" id="alert-(\d+)"', html)]


async def test_inbox_puts_late_then_valuable_then_oldest_first(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str], queries: list[str]
) -> None:
    shop = shop_and_key[0]
    alerts = await priority_shop(shop)
    expected = [alerts[k].id for k in ("late", "big", "reg", "occ", "anon")]
    # The regular customer's newer alert comes before the occasional customer's older one.
    listed = await api.get("/api/v1/alerts", params={"order": "priority"})
    items = listed.json()["items"]
    assert [i["id"] for i in items] == expected
    reg = items[2]["customer"]
    assert reg["segment"] == "regular" and reg["orders_count"] == 4 and reg["clv"] == 40.0
    assert reg["valuable"] and reg["last_order_at"].startswith(
        str((NOW - timedelta(days=5)).date())
    )
    assert items[0]["customer"]["valuable"] is False and items[4]["customer"]["segment"] == "none"
    newest = await api.get("/api/v1/alerts")
    assert [i["id"] for i in newest.json()["items"]] == sorted(expected, reverse=True)
    bad = await api.get("/api/v1/alerts", params={"order": "value"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"] == {"order": "newest, priority"}

    del api.headers["Authorization"]
    await agent_of(api, shop)
    queries.clear()
    french = (await api.get("/admin/inbox", headers=FR)).text
    few = len(queries)
    assert article_ids(french) == expected
    row = french[french.index(f'id="alert-{alerts["reg"].id}"') :]
    row = row[: row.index("</article>")]
    assert "Client régulier" in row and "Commandes\u202f: 4" in row and "dépensé 40,00" in row
    assert "Client prioritaire" in row and "Réponses précédentes" in row
    english = (await api.get("/admin/inbox", headers=EN)).text
    assert "Regular customer" in english and "Priority customer" in english

    # Twenty more customers with alerts: the same number of queries (no query per row).
    item = await Product.get(shop=shop)
    for i in range(20):
        who = await Customer.create(shop=shop, email=f"more{i}@x.fr")
        await orders(shop, who, item, [3, 9], "12.00")
        await unhappy(shop, who, 4)
    queries.clear()
    assert len(article_ids((await api.get("/admin/inbox", headers=FR)).text)) == 25
    assert len(queries) == few, queries


def editor(html: str, alert_id: int) -> tuple[str, str]:
    """The subject and message the reply editor of an alert offers."""
    subject = re.search(rf'id="subject-{alert_id}" name="subject" value="([^"]*)"', html)
    body = re.search(rf'id="body-{alert_id}" name="body"[^>]*>(.*?)</textarea>', html, re.S)
    assert subject and body, "no reply editor"
    return unescape(subject.group(1)), unescape(body.group(1))


async def test_a_template_reply_goes_out_through_the_outbox(
    api: httpx.AsyncClient,
    shop_and_key: tuple[Shop, str],
    settings: Settings,
    smtp: SmtpSink,
    receiver,  # type: ignore[no-untyped-def]
) -> None:
    shop = shop_and_key[0]
    shop.sender_name, shop.sender_email = "Boutique Test", "service@boutique.test"
    await shop.save()
    hook = await api.post(
        "/api/v1/webhooks", json={"url": receiver.url, "events": ["alert.replied"]}
    )
    receiver.secret = hook.json()["secret"]
    # Her words are quoted as written: neither placeholders nor template code run.
    words = "Parcel came 2 weeks late {shop} {{ 7*7 }} <b>"
    alert = await delivery_complaint(shop, words)
    del api.headers["Authorization"]
    await agent_of(api, shop)

    # The agent reads French; the draft is in the customer's language, for her complaint.
    inbox = (await api.get("/admin/inbox", headers=FR)).text
    subject, body = editor(inbox, alert.id)
    assert subject == "Your delivery — Boutique Test"
    assert body.startswith("Hello Ann,\n\nThank you for telling us about order 1001.")
    assert "You wrote: “Parcel came 2 weeks late {shop} {{ 7*7 }} <b>”" in body
    assert "carrier" in body and body.endswith("Kind regards,\nThe Boutique Test team")
    assert "Répondre au client" in inbox and "<b>”" not in inbox  # escaped on the page
    # Another template, in French.
    picked = await api.get(
        "/admin/inbox", params={"pick": alert.id, "template": "size_fit", "lang": "fr"}, headers=FR
    )
    subject, body = editor(picked.text, alert.id)
    assert subject == "La taille de votre achat — Boutique Test"
    assert body.startswith(
        "Bonjour Ann,\n\nMerci de nous avoir écrit au sujet de la commande 1001."
    )
    assert "« Parcel came 2 weeks late {shop} {{ 7*7 }} <b> »" in body

    csrf = csrf_of(inbox)
    edited = "Hello Ann,\n\nSorry about the delay: it ships again today.\n\nKind regards,\nMia"
    form = {"csrf": csrf, "action": "contact", "aspect": "delivery", "language": "en"}
    refused = await api.post(
        f"/admin/inbox/{alert.id}",
        data={**form, "subject": "Sorry", "body": edited, "gesture": "cash"},
    )
    assert refused.status_code == 422
    assert await AlertReply.all().count() == 0 and await OutboxMessage.all().count() == 0
    sent = await api.post(
        f"/admin/inbox/{alert.id}",
        data={
            **form,
            "subject": "Your delivery — Boutique Test",
            "body": edited,
            "gesture": "voucher",
            "gesture_detail": "SORRY10",
        },
    )
    assert sent.status_code == 303
    await Worker(settings.model_copy(update={"smtp_url": smtp.url})).run_once()
    [mail] = smtp.parsed()
    assert mail["To"] == "ann@x.com" and mail["Content-Language"] == "en"
    assert mail["From"] == "Boutique Test <service@boutique.test>"
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert (
        "Sorry about the delay: it ships again today.\n\nVoucher code: SORRY10\n\nKind regards"
        in text
    )
    stored = await Alert.get(id=alert.id)
    assert stored.status == "acknowledged" and stored.first_replied_at is not None
    [reply] = await AlertReply.filter(alert_id=alert.id).select_related("author")
    assert reply.author is not None and reply.author.email == "agent@shop.fr"
    assert (reply.aspect, reply.language, reply.gesture, reply.gesture_detail) == (
        "delivery",
        "en",
        "voucher",
        "SORRY10",
    )
    [event] = receiver.received
    data = event["json"]["data"]
    assert event["verified"] and event["json"]["type"] == "alert.replied"
    assert data["id"] == alert.id and data["customer"]["email"] == "ann@x.com"
    assert data["reply"]["author"] == "agent@shop.fr" and data["reply"]["gesture"] == "voucher"
    # The inbox logs who replied, when, and the gesture.
    logged = (await api.get("/admin/inbox", headers=EN)).text
    assert "Replied by agent@shop.fr" in logged and "Voucher code (SORRY10)" in logged


async def test_the_shop_words_its_own_templates(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    alert = await delivery_complaint(shop, "Late again.", locale="fr")
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(client, "boss@shop.fr", "correct horse battery")
    page = (await client.get("/admin/settings", headers=FR)).text
    assert "Modèles de réponse" in page and "Votre livraison — {shop}" in page
    form = {
        "csrf": csrf_of(page),
        "aspect": "delivery",
        "subject_fr": "Livraison : {name}, pardon",
        "body_fr": "Bonjour {name},\n\n{comment}\n\nÀ bientôt, {shop}",
        "subject_en": "",
        "body_en": "",
    }
    saved = await client.post("/admin/settings/reply-templates", data=form)
    assert saved.status_code == 303
    subject, body = editor((await client.get("/admin/inbox")).text, alert.id)
    assert subject == "Livraison : Ann, pardon"
    assert body == "Bonjour Ann,\n\n« Late again. »\n\nÀ bientôt, Boutique Test"
    # Half a template is refused and changes nothing; empty fields bring the default back.
    half = await client.post(
        "/admin/settings/reply-templates", data={**form, "subject_en": "Only a subject"}
    )
    assert half.status_code == 422
    assert await ReplyTemplate.filter(shop=shop).count() == 1
    await client.post(
        "/admin/settings/reply-templates", data={**form, "subject_fr": "", "body_fr": ""}
    )
    assert await ReplyTemplate.filter(shop=shop).count() == 0
    assert editor((await client.get("/admin/inbox")).text, alert.id)[0].startswith("Votre livr")


async def test_resolving_after_a_reply_asks_did_we_make_it_right(
    api: httpx.AsyncClient,
    shop_and_key: tuple[Shop, str],
    settings: Settings,
    smtp: SmtpSink,
    receiver,  # type: ignore[no-untyped-def]
) -> None:
    shop = shop_and_key[0]
    hook = await api.post(
        "/api/v1/webhooks", json={"url": receiver.url, "events": ["alert.followup_answered"]}
    )
    receiver.secret = hook.json()["secret"]
    alert = await delivery_complaint(shop, "Colis en retard.", locale="fr")
    ann = await Customer.get(email="ann@x.com")
    ann.last_invited_at = NOW  # asked today: the survey window would hold an ordinary survey
    await ann.save()
    gone = await Customer.create(shop=shop, email="gone@x.fr", name="Gone", locale="fr")
    silent = await unhappy(shop, gone, 3)
    no_reply = await unhappy(shop, await Customer.create(shop=shop, email="n@x.fr"), 4)
    del api.headers["Authorization"]
    await agent_of(api, shop)
    csrf = csrf_of((await api.get("/admin/inbox")).text)
    for each in (alert, silent):
        form = {"csrf": csrf, "action": "contact", "subject": "Pardon", "body": "Pardon."}
        assert (await api.post(f"/admin/inbox/{each.id}", data=form)).status_code == 303
    await Customer.filter(id=gone.id).update(unsubscribed_at=NOW)  # unsubscribed since
    for each in (alert, silent, no_reply):
        form = {"csrf": csrf, "action": "resolve", "note": "Renvoyé."}
        assert (await api.post(f"/admin/inbox/{each.id}", data=form)).status_code == 303

    # Planned for 3 days later (the default), for the replied alerts only.
    planned = await OutboxMessage.filter(kind="alert_followup").order_by("id")
    assert [p.payload["alert_id"] for p in planned] == [alert.id, silent.id]
    in_three_days = datetime.now(UTC) + timedelta(days=3)  # NOW is when tests were collected
    for row in planned:
        assert abs(row.due_at - in_three_days) < timedelta(minutes=5)
    mailer = Worker(settings.model_copy(update={"smtp_url": smtp.url}))
    await mailer.run_once()
    assert len(smtp.messages) == 2  # the two replies; nothing else is due yet
    await OutboxMessage.filter(kind="alert_followup").update(due_at=NOW)
    await mailer.run_once()  # makes the follow-ups
    await mailer.run_once()  # sends the email
    stored = await Alert.get(id=alert.id)
    assert stored.followup_invitation_id is not None
    assert (await Alert.get(id=silent.id)).followup_invitation_id is None  # unsubscribed
    [mail] = smtp.parsed()[2:]
    assert mail["To"] == "ann@x.com" and mail["Content-Language"] == "fr"
    html = mail.get_body(("html",)).get_content()
    assert "Êtes-vous satisfait de la façon dont nous avons traité votre demande" in html
    gold = re.search(r'href="(http[^"]+/s/[^"]+/gold)"', html)
    assert gold, html

    # A mail scanner opens every link: nothing is recorded; then Ann clicks gold.
    scanner = {"User-Agent": "Mozilla/5.0 (compatible; SafeLinks)"}
    for key in ("gold", "green", "yellow", "red"):
        await api.get(gold.group(1).replace("/gold", f"/{key}"), headers=scanner)
    await SurveyResponse.exclude(alert_due_at=None).update(alert_due_at=NOW)
    await Worker(settings).run_once()
    assert (await Alert.get(id=alert.id)).followup_score is None
    await Click.all().update(created_at=NOW - timedelta(minutes=5))  # Ann reads it later
    await api.get(gold.group(1))
    confirmed = await api.post(gold.group(1), headers={"Accept": "application/json"})
    assert confirmed.json()["status"] == "confirmed"
    await SurveyResponse.exclude(alert_due_at=None).update(alert_due_at=NOW)
    await Worker(settings).run_once()  # the check after the scanner window
    await Worker(settings).run_once()  # the webhook
    answered = await Alert.get(id=alert.id)
    assert answered.followup_score == 4 and answered.followup_answered_at is not None
    assert answered.status == "resolved" and await Alert.all().count() == 3  # no new alert
    [event] = receiver.received
    assert event["verified"] and event["json"]["type"] == "alert.followup_answered"
    assert event["json"]["data"]["followup"]["score"] == 4
    inbox = (await api.get("/admin/inbox", params={"status": "resolved"}, headers=FR)).text
    assert "Avons-nous bien réglé votre demande\u202f?</strong> Or\u202f: excellent" in inbox
    # She changes her mind within 30 minutes: red opens the same alert again.
    red = gold.group(1).replace("/gold", "/red")
    await api.get(red)
    await api.post(red, headers={"Accept": "application/json"})
    await SurveyResponse.exclude(alert_due_at=None).update(alert_due_at=NOW)
    await Worker(settings).run_once()
    reopened = await Alert.get(id=alert.id)
    assert reopened.status == "open" and reopened.followup_score == 1
    assert await Alert.all().count() == 3


def wilson(hits: int, n: int) -> list[float]:
    """The Wilson 95 % interval in percent, from its textbook formula, rounded as the API."""
    z, p = 1.96, hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    margin = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return [round(max(centre - margin, 0) * 100, 1), round(min(centre + margin, 1) * 100, 1)]


def share(hits: int, n: int, name: str = "recovered") -> dict[str, Any]:
    return {"score": round(hits / n * 100, 1), "ci95": wilson(hits, n), name: hits, "n": n}


async def test_recovery_figures_equal_the_ones_worked_out_by_hand(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    await recovery_shop(shop)
    got = (await api.get("/api/v1/metrics")).json()["recovery"]
    assert got["alerts"] == 8 and got["limit_hours"] == 24
    # Replies in 2, 5, 10 and 30 h: median (5 + 10) / 2; 90th percentile: the ⌈3.6⌉ = 4th.
    assert got["first_reply_hours"] == {"median": 7.5, "p90": 30.0, "n": 4}
    # In time: a1, a3, a4 of the four replied and the three late without a reply (a5, a6,
    # a8); a7 is not late yet.
    assert got["answered_in_time"] == share(3, 7, "in_time")
    assert got["recovery_rate"] == share(3, 4)  # a1, a2, a4 of a1–a4
    assert got["not_contacted"] == share(1, 3)  # a5 of a5–a7
    pooled = 4 / 7
    spread = math.sqrt(pooled * (1 - pooled) * (1 / 4 + 1 / 3)) * 100
    gap = 3 / 4 * 100 - 1 / 3 * 100
    assert got["difference"] == {
        "points": round(gap, 1),
        "z": round(gap / spread, 2),
        "verdict": "within_noise",
    }
    nobody = {"score": None, "ci95": None, "recovered": 0, "n": 0}
    assert got["by_segment"] == {
        "new": {"contacted": share(1, 1), "not_contacted": share(1, 2)},  # a2; a5, a7
        "occasional": {"contacted": share(0, 1), "not_contacted": nobody},  # a3
        "regular": {"contacted": share(1, 1), "not_contacted": share(0, 1)},  # a1; a6
        "none": {"contacted": share(1, 1), "not_contacted": nobody},  # a4
    }
    assert got["by_aspect"] == {
        "delivery": {"contacted": share(2, 2), "not_contacted": share(1, 1)},  # a1, a2; a5
        "price": {"contacted": share(1, 1), "not_contacted": nobody},  # a2
        "quality": {"contacted": share(0, 1), "not_contacted": nobody},  # a3
    }

    # The dashboard's panel shows the same figures, in French.
    del api.headers["Authorization"]
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(api, "boss@shop.fr", "correct horse battery")
    html = (await api.get("/admin", params={"days": "90"}, headers=FR)).text
    panel = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index('id="recovery"') :]))
    assert "Délai de première réponse 7,5 h" in panel
    assert "Taux de reconquête 75 %" in panel and "3 sur 4 clients mécontents" in panel
    low, high = (str(x).replace(".", ",") for x in wilson(3, 4))
    assert f"Intervalle à 95 % : {low} – {high} 3 sur 4" in panel  # spaces made plain
    assert "Une observation, pas une preuve" in panel
