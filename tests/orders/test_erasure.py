"""GDPR erasure reaches every place a customer's data lives, and the export lists all of it.

The customer below has every kind of data the service holds; the search afterwards reads
every text and JSON column of every table (found from the Tortoise models, so a new table
is searched too), the photo directory and the public pages.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from admin_helpers import csrf_of, log_in
from peers import WebhookReceiver
from PIL import Image
from review_helpers import PRODUCTS, order_with_request, product_ids
from tortoise import Tortoise, connections, fields
from tortoise.models import Model

from feedback_service.alerts import services as alerts
from feedback_service.db import APP_LABEL
from feedback_service.links import Links
from feedback_service.orders.models import Product
from feedback_service.outbox.models import OutboxMessage
from feedback_service.outbox.services import EVENTS
from feedback_service.reviews import draws
from feedback_service.reviews.models import Review, ReviewQuestion
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user
from feedback_service.worker import Worker

EMAIL = "zenobie.q@example.fr"
NAME = "Zénobie Quartzfeld"
# Each text the customer (or the shop about them) wrote carries one of these words.
TEXTS = {
    "kettle_title": "Sifflet kiwibrume",
    "kettle_body": "Chauffe vite, un vrai grenadille du matin.",
    "mug_title": "Anse pamplemoussier",
    "mug_body": "Émail écaillé, bien tortillard.",
    "imported_title": "Mug mirabellier",
    "imported_body": "Acheté sur l'ancien site, très cassissier.",
    "comment": "Livraison en retard, colis rhubarbier et abîmé.",
    "note": "Rappeler au 06 12 34 56 78, client framboisier.",
    "reply": "Merci Zénobie pour ce retour myrtillier !",
    "contact": "Bonjour Zénobie, nous sommes désolés pour le colis groseillier.",
    "gesture": "Bon ZENOBIE-QUETSCHIER",
}
USER_AGENT = "Mozilla/5.0 (Linux; Android 14; Coquelicotphone-ZQ)"
EXTERNAL_ID = "CRM-ZQ-7781"
NEEDLES = [
    EMAIL,
    "zénobie",
    "zenobie",
    "quartzfeld",
    "coquelicotphone",
    EXTERNAL_ID.lower(),
    *(
        word
        for word in ("kiwibrume", "grenadille", "pamplemoussier", "tortillard", "mirabellier")
        + ("cassissier", "rhubarbier", "framboisier", "myrtillier", "groseillier")
    ),
]


def photo(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="JPEG")
    return out.getvalue()


def _leaves(value: Any) -> list[str]:
    """Every string inside a value, JSON decoded (SQLite stores JSON as escaped text)."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    if isinstance(value, str):
        if value[:1] in "[{":
            try:
                return _leaves(json.loads(value))
            except ValueError:
                pass
        return [value]
    return []


def _text_columns(model: type[Model]) -> list[str]:
    kinds = (fields.CharField, fields.TextField, fields.JSONField)
    return [
        field.source_field or name
        for name, field in model._meta.fields_map.items()
        if isinstance(field, kinds)
    ]


async def stored_texts() -> dict[tuple[str, Any], list[str]]:
    """Every string of every text or JSON column of every table, by (table, primary key)."""
    conn = connections.get("default")
    found: dict[tuple[str, Any], list[str]] = {}
    for model in Tortoise.apps[APP_LABEL].values():
        table, pk = model._meta.db_table, model._meta.pk.source_field or model._meta.pk_attr
        columns = _text_columns(model)
        if not columns:
            continue
        listed = ", ".join(f'"{c}"' for c in [pk, *columns])
        for row in await conn.execute_query_dict(f'SELECT {listed} FROM "{table}"'):
            found[(table, row[pk])] = [leaf for c in columns for leaf in _leaves(row[c])]
    return found


def traces(texts: dict[tuple[str, Any], list[str]]) -> dict[str, set[str]]:
    """The tables holding any needle, and which."""
    held: dict[str, set[str]] = {}
    for (table, _), leaves in texts.items():
        blob = "\n".join(leaves).lower()
        for needle in NEEDLES:
            if needle in blob:
                held.setdefault(table, set()).add(needle)
    return held


async def customer_with_everything(
    api: httpx.AsyncClient, settings: Settings, receiver: WebhookReceiver
) -> dict[str, Any]:
    """Orders, a reviewed order with photos and answers, a published review with the
    shop's reply, a rejected one, an imported review under their email, an NPS answer with
    a comment, its alert with a note and the shop's email, an unsubscribe, a held
    invitation, a prize draw they won, and the webhooks and emails all of that queued."""
    shop = await Shop.get()
    hook = await api.post("/api/v1/webhooks", json={"url": receiver.url, "events": list(EVENTS)})
    assert hook.status_code == 201
    question = await ReviewQuestion.create(shop=shop, label="Taille", choices=["Petite", "Grande"])
    now = datetime.now(UTC)
    draw = await draws.create_draw(
        shop,
        period_start=now - timedelta(days=1),
        period_end=now + timedelta(days=1),
        prize="Un panier",
        rules_url="",
    )
    for product in PRODUCTS:
        assert (await api.post("/api/v1/products", json=product)).status_code in (200, 201)
    order = {
        "id": "ZQ-1",
        "customer": {"email": EMAIL, "name": NAME, "external_id": EXTERNAL_ID, "locale": "fr"},
        "items": [{"sku": "KETTLE"}, {"sku": "MUG"}],
        "ordered_at": "2026-11-01T10:00:00Z",
        "delivered_at": "2026-11-04T10:00:00Z",
    }
    assert (await api.post("/api/v1/orders", json=order)).status_code == 201
    request = (await api.post("/api/v1/review-requests", json={"order_id": "ZQ-1"})).json()
    kettle, mug = product_ids((await api.get(request["url"])).text)
    sent = await api.post(
        request["url"],
        data={
            f"{kettle}_rating": "5",
            f"{kettle}_title": TEXTS["kettle_title"],
            f"{kettle}_body": TEXTS["kettle_body"],
            f"{kettle}_q{question.id}": "Grande",
            f"{mug}_rating": "2",
            f"{mug}_title": TEXTS["mug_title"],
            f"{mug}_body": TEXTS["mug_body"],
            "display_name": "Zénobie Q.",
            "consent": "yes",
        },
        files=[
            (f"{kettle}_photos", ("a.jpg", photo((200, 30, 30)), "image/jpeg")),
            (f"{mug}_photos", ("b.jpg", photo((30, 30, 200)), "image/jpeg")),
        ],
    )
    assert sent.status_code == 303, sent.text
    kettle_review = await Review.get(product__sku="KETTLE")
    mug_review = await Review.get(product__sku="MUG")
    moderation = f"/api/v1/reviews/{kettle_review.id}/moderation"
    assert (await api.post(moderation, json={"action": "publish"})).status_code == 200
    reply = await api.post(
        f"/api/v1/reviews/{kettle_review.id}/reply", json={"body": TEXTS["reply"]}
    )
    assert reply.status_code == 200
    rejected = await api.post(
        f"/api/v1/reviews/{mug_review.id}/moderation",
        json={"action": "reject", "reason": "off_topic"},
    )
    assert rejected.status_code == 200
    helpful = f"/w/{shop.slug}/reviews/{kettle_review.id}/helpful"
    assert (await api.post(helpful)).status_code == 303
    imported = await api.post(
        "/api/v1/reviews",
        json={
            "sku": "MUG",
            "rating": 4,
            "title": TEXTS["imported_title"],
            "body": TEXTS["imported_body"],
            "author_name": NAME,
            "author_email": "Zenobie.Q@Example.fr",
            "source": "oldshop",
            "source_id": "os-1",
            "submitted_at": "2025-06-01T10:00:00Z",
            "published": True,
        },
    )
    assert imported.status_code == 201, imported.text
    invitation = (
        await api.post("/api/v1/invitations", json={"survey": "nps", "customer": {"email": EMAIL}})
    ).json()
    await api.get(invitation["links"]["2"], headers={"User-Agent": USER_AGENT})
    commented = await api.post(
        f"/s/{invitation['token']}/comment", data={"comment": TEXTS["comment"], "score": "2"}
    )
    assert commented.status_code == 200
    await Worker(settings).run_once()  # the alert checks of the comment and the reviews
    alerts_shown = (await api.get("/api/v1/alerts")).json()["items"]
    [alert] = [a for a in alerts_shown if a["subject"]["type"] == "response"]
    noted = await api.patch(f"/api/v1/alerts/{alert['id']}", json={"note": TEXTS["note"]})
    assert noted.status_code == 200
    agent = await create_user(shop, "agent@shop.fr", "correct horse battery")
    await alerts.reply(
        shop,
        agent,
        alert["id"],
        aspect="general",
        language="fr",
        subject="Désolés",
        body=TEXTS["contact"],
        gesture="voucher",
        gesture_detail=TEXTS["gesture"],
    )
    await api.post(invitation["unsubscribe_url"])
    held = await api.post(
        "/api/v1/invitations", json={"survey": "csat", "customer": {"email": EMAIL}}
    )
    assert held.json()["status"] == "unsubscribed"
    await draws.PrizeDraw.filter(id=draw.id).update(period_end=datetime.now(UTC))
    ran = await draws.run_draw(shop, draw.id, Links(settings))
    assert ran.winner_review_id == kettle_review.id
    # Some webhooks delivered (the confirmation still waits for the scanner window).
    await Worker(settings).run_once()
    assert receiver.received and await OutboxMessage.filter(state="pending").exists()
    return {
        "shop": shop,
        "published": [kettle_review.id, imported.json()["id"]],
        "draw": draw.id,
    }


def public_pages(shop: Shop, data: dict[str, Any]) -> list[str]:
    pages = [f"/w/{shop.slug}/reviews", f"/w/{shop.slug}/draws/{data['draw']}"]
    pages.append(f"/w/{shop.slug}/draws/{data['draw']}.json")
    pages += [f"/w/{shop.slug}/reviews/{review_id}" for review_id in data["published"]]
    for product in PRODUCTS:
        block = f"/w/{shop.slug}/products/{product['sku']}"
        pages += [block, *(f"{block}/{kind}" for kind in ("reviews", "head", "badge"))]
    return pages


async def test_erasure_leaves_no_trace_anywhere(
    api: httpx.AsyncClient, settings: Settings, receiver: WebhookReceiver, app: Any
) -> None:
    data = await customer_with_everything(api, settings, receiver)
    shop = data["shop"]
    # The search finds what it looks for: everywhere the customer's data was put.
    before = traces(await stored_texts())
    assert set(before) >= {"customer", "review", "response", "click", "alert", "outbox_message"}
    assert set(before["outbox_message"]) >= {EMAIL, "rhubarbier", "kiwibrume", "tortillard"}
    exported = (await api.get(f"/api/v1/customers/{EMAIL}/export")).json()
    photos = [name for review in exported["reviews"] for name in review["photos"]]
    assert len(photos) == 2
    for name in photos:
        assert (await api.get(f"/media/photos/{name}")).status_code == 200
    shown: dict[str, httpx.Response] = {}
    for path in public_pages(shop, data):
        shown[path] = await api.get(path)
        assert shown[path].status_code == 200, path
    block = f"/w/{shop.slug}/products/KETTLE/reviews"
    assert "kiwibrume" in shown[block].text and "myrtillier" in shown[block].text
    assert "mirabellier" in shown[f"/w/{shop.slug}/products/MUG"].text

    assert (await api.delete(f"/api/v1/customers/{EMAIL}")).status_code == 204

    assert traces(await stored_texts()) == {}
    photo_dir = settings.data_dir / "media" / "photos"
    for name in photos:
        assert not (photo_dir / name).exists()
        assert (await api.get(f"/media/photos/{name}")).status_code == 404
    rendered = app.state.rendered_blocks
    for path, page in shown.items():
        again = await api.get(path, headers={"If-None-Match": page.headers.get("etag", "-")})
        assert again.status_code == 200, path  # a new version: no cache may keep the old one
        assert not [n for n in NEEDLES if n in again.text.lower()], path
        if "/products/" in path:
            product = await Product.get(sku=path.split("/")[4])
            assert rendered.get(product.id, page.headers["etag"]) is None
    feed = await api.get("/api/v1/feeds/google-product-reviews.xml")
    assert not [n for n in NEEDLES if n in feed.text.lower()]
    assert (await api.get(f"/api/v1/customers/{EMAIL}/export")).status_code == 404
    assert (await api.delete(f"/api/v1/customers/{EMAIL}")).status_code == 404
    # Scores are kept: the answer, the published ratings and the draw's result.
    [answer] = (await api.get("/api/v1/responses")).json()["items"]
    assert (answer["score"], answer["comment"]) == (2, None)
    kettle = (await api.get("/api/v1/products/KETTLE")).json()["rating"]
    mug = (await api.get("/api/v1/products/MUG")).json()["rating"]
    assert (kettle, mug) == ({"value": 5.0, "count": 1}, {"value": 4.0, "count": 1})
    assert (await draws.get_draw(shop, data["draw"])).winner_review_id == data["published"][0]


async def test_export_lists_everything_erasure_removes(
    api: httpx.AsyncClient, settings: Settings, receiver: WebhookReceiver
) -> None:
    await customer_with_everything(api, settings, receiver)
    before = await stored_texts()
    exported = await api.get(f"/api/v1/customers/{EMAIL}/export")
    assert exported.status_code == 200
    listed = "\n".join(_leaves(exported.json()))
    assert (await api.delete(f"/api/v1/customers/{EMAIL}")).status_code == 204
    after = await stored_texts()
    missing = {
        (table, text)
        for (table, pk), leaves in before.items()
        for text in set(leaves) - set(after.get((table, pk), []))
        if text and text not in listed
    }
    assert missing == set()


async def test_an_author_known_only_by_imported_reviews_can_be_exported_and_erased(
    api: httpx.AsyncClient,
) -> None:
    for product in PRODUCTS:
        await api.post("/api/v1/products", json=product)
    imported = await api.post(
        "/api/v1/reviews",
        json={
            "sku": "MUG",
            "rating": 3,
            "title": TEXTS["imported_title"],
            "body": TEXTS["imported_body"],
            "author_name": NAME,
            "author_email": EMAIL,
            "source": "oldshop",
            "source_id": "os-2",
            "submitted_at": "2025-06-01T10:00:00Z",
            "published": True,
        },
    )
    assert imported.status_code == 201
    exported = (await api.get(f"/api/v1/customers/{EMAIL.upper()}/export")).json()
    assert exported["customer"] is None
    assert [r["title"] for r in exported["reviews"]] == [TEXTS["imported_title"]]
    assert (await api.delete(f"/api/v1/customers/{EMAIL}")).status_code == 204
    assert traces(await stored_texts()) == {}
    assert (await api.get("/api/v1/products/MUG")).json()["rating"]["count"] == 1


async def test_erasure_from_the_admin_settings_page_goes_as_far(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await Shop.get()
    request = await order_with_request(api, "ZQ-2")  # customer zq-2@example.fr
    kettle, _ = product_ids((await api.get(request["url"])).text)
    await api.post(
        request["url"],
        data={f"{kettle}_rating": "4", f"{kettle}_body": TEXTS["kettle_body"]}
        | {"display_name": "Zénobie Q.", "consent": "yes"},
        files=[(f"{kettle}_photos", ("a.jpg", photo((5, 90, 5)), "image/jpeg"))],
    )
    review = await Review.get()
    await api.post(f"/api/v1/reviews/{review.id}/moderation", json={"action": "publish"})
    block = f"/w/{shop.slug}/products/KETTLE/reviews"
    assert "grenadille" in (await api.get(block)).text
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(api, "boss@shop.fr", "correct horse battery")
    csrf = csrf_of((await api.get("/admin/settings")).text)
    exported = await api.get("/admin/customers/export", params={"email": "zq-2@example.fr"})
    assert exported.json()["reviews"][0]["photos"] == review.photos
    erased = await api.post(
        "/admin/settings/erase-customer", data={"csrf": csrf, "email": "zq-2@example.fr"}
    )
    assert erased.status_code == 303
    assert traces(await stored_texts()) == {}
    assert (await api.get(f"/media/photos/{review.photos[0]}")).status_code == 404
    assert "grenadille" not in (await api.get(block)).text


async def test_erasure_touches_no_one_else(api: httpx.AsyncClient) -> None:
    """An address is matched as itself: "_" and "%" are not patterns, case does not matter."""
    for email in ("a_b@example.fr", "axb@example.fr", "a%b@example.fr"):
        invited = await api.post(
            "/api/v1/invitations", json={"survey": "csat", "customer": {"email": email}}
        )
        assert invited.status_code == 201
    assert (await api.delete("/api/v1/customers/A_B@example.fr")).status_code == 204
    emails = sorted(m.payload["to"] for m in await OutboxMessage.filter(kind="email"))
    assert emails == ["a%b@example.fr", "axb@example.fr"]
