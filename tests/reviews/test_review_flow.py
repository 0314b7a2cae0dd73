"""Review requests, the form, moderation and replies, over HTTP on a real database."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import httpx
from peers import SmtpSink
from review_helpers import jpeg_with_gps, order_with_request, product_ids

from feedback_service.outbox.models import OutboxMessage
from feedback_service.reviews.models import ModerationEvent, Review, ReviewQuestion, ReviewRequest
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_shop
from feedback_service.worker import Worker


async def fill(client: httpx.AsyncClient, url: str, **overrides: object) -> httpx.Response:
    form = await client.get(url)
    assert form.status_code == 200
    first, second = product_ids(form.text)
    data: dict[str, object] = {
        f"{first}_rating": "5",
        f"{first}_title": "Parfaite",
        f"{first}_body": "Chauffe vite, silencieuse.",
        f"{second}_rating": "2",
        f"{second}_body": "Arrivé ébréché.",
        "display_name": "Marie C.",
        "consent": "yes",
    }
    data.update(overrides)
    return await client.post(url, data={k: v for k, v in data.items() if v is not None})


async def test_request_is_scheduled_after_delivery(api: httpx.AsyncClient) -> None:
    created = await order_with_request(api)
    assert created["send_at"].startswith("2026-11-11T10:00:00")  # delivery + 7 days
    assert created["status"] == "scheduled"
    assert "Que pensez-vous de votre commande" in created["email"]["subject"]
    row = await OutboxMessage.get(kind="review_request")
    assert row.due_at == datetime(2026, 11, 11, 10, tzinfo=UTC)
    again = await api.post("/api/v1/review-requests", json={"order_id": "O-1"})
    assert again.status_code == 200 and again.json()["id"] == created["id"]
    bad = await api.post("/api/v1/review-requests", json={"order_id": "NOPE"})
    assert bad.status_code == 422


async def test_worker_sends_the_due_request_by_email(
    api: httpx.AsyncClient, smtp: SmtpSink, settings: Settings
) -> None:
    created = await order_with_request(api, send_after_days=60)
    await Worker(settings.model_copy(update={"smtp_url": smtp.url})).run_once()
    assert smtp.messages == [] and (await ReviewRequest.get()).outcome is None  # not due yet
    await OutboxMessage.filter(kind="review_request").update(due_at=datetime.now(UTC))
    worker = Worker(settings.model_copy(update={"smtp_url": smtp.url}))
    await worker.run_once()
    [message] = smtp.parsed()
    assert message["Subject"] == "Que pensez-vous de votre commande chez Boutique Test\u202f?"
    html = message.get_body(("html",)).get_content()
    found = re.search(r'href="([^"]+/r/[^"]+)"', html)  # the first star link
    link = unescape(found.group(1))  # type: ignore[union-attr]
    assert link.startswith(created["url"].split("/r/")[0])
    assert "Mug émaillé" in (await api.get(link)).text
    assert "Mug émaillé" in message.get_body(("plain",)).get_content()
    assert (await ReviewRequest.get()).outcome == "sent"


async def test_unsubscribed_customer_gets_no_request(
    api: httpx.AsyncClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    created = await order_with_request(api)
    unsubscribe = created["email"]["headers"]["List-Unsubscribe"].strip("<>")
    await client.post(unsubscribe)
    await OutboxMessage.filter(kind="review_request").update(due_at=datetime.now(UTC))
    await Worker(settings).run_once()
    assert (await ReviewRequest.get()).outcome == "skipped_unsubscribed"
    assert await OutboxMessage.filter(kind="email").count() == 0


async def test_form_creates_verified_pending_reviews_once(api: httpx.AsyncClient) -> None:
    created = await order_with_request(api)
    answer = await fill(api, created["url"])
    assert answer.status_code == 303 and answer.headers["location"].endswith("/thanks")
    reviews = await Review.all().order_by("rating").select_related("product")
    assert [(r.product.sku, r.rating, r.status, r.verified) for r in reviews] == [
        ("MUG", 2, "pending", True),
        ("KETTLE", 5, "pending", True),
    ]
    assert reviews[1].experienced_at == datetime(2026, 11, 4, 10, tzinfo=UTC)
    assert reviews[1].author_name == "Marie C."
    # Submitting again (a double click, the back button) adds nothing.
    again = await api.post(created["url"], data={"display_name": "x", "consent": "yes"})
    assert again.status_code == 409  # refused before reading it (tests/reviews/test_photo_files.py)
    assert await Review.all().count() == 2
    assert (await api.get(created["url"])).status_code == 303


async def test_errors_reshow_the_form_with_the_input_kept(api: httpx.AsyncClient) -> None:
    created = await order_with_request(api)
    answer = await fill(api, created["url"], consent=None, display_name="")
    assert answer.status_code == 400
    assert "Merci d&#39;accepter la publication" in answer.text
    assert "Chauffe vite, silencieuse." in answer.text and 'value="5" checked' in answer.text
    first = product_ids((await api.get(created["url"])).text)[0]
    too_long = await fill(api, created["url"], **{f"{first}_body": "x" * 5001})
    assert too_long.status_code == 400 and "5000" in too_long.text
    assert await Review.all().count() == 0


async def test_questions_and_photos(api: httpx.AsyncClient, settings: Settings) -> None:
    shop = await Shop.get(slug="test-shop")
    fit = await ReviewQuestion.create(
        shop=shop, label="Fit", choices=["Too small", "Right", "Too large"]
    )
    created = await order_with_request(api)
    form = await api.get(created["url"])
    first, second = product_ids(form.text)
    answer = await api.post(
        created["url"],
        data={
            f"{first}_rating": "4",
            f"{first}_q{fit.id}": ["Right", "Injected"],
            "display_name": "Marie",
            "consent": "yes",
        },
        files=[(f"{first}_photos", ("kettle.jpg", jpeg_with_gps(), "image/jpeg"))],
    )
    assert answer.status_code == 303, answer.text[:500]
    review = await Review.get()
    assert review.answers == [["Fit", "Right"]]
    [name] = review.photos
    stored = (settings.data_dir / "media" / "photos" / name).read_bytes()
    assert b"SpyCam" not in stored and b"GPS" not in stored
    served = await api.get(f"/media/photos/{name}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert (await api.get("/media/photos/../../secret_key")).status_code == 404


async def test_bad_photos_are_refused(api: httpx.AsyncClient) -> None:
    created = await order_with_request(api)
    form = await api.get(created["url"])
    first, _ = product_ids(form.text)
    for name, content in (("x.jpg", b"not an image"), ("x.gif", b"GIF89a" + b"\0" * 40)):
        answer = await api.post(
            created["url"],
            data={f"{first}_rating": "4", "display_name": "M", "consent": "yes"},
            files=[(f"{first}_photos", (name, content, "image/jpeg"))],
        )
        assert answer.status_code == 400
    assert await Review.all().count() == 0


async def test_moderation_publish_reject_reply(api: httpx.AsyncClient, settings: Settings) -> None:
    created = await order_with_request(api)
    await fill(api, created["url"])
    mug, kettle = await Review.all().order_by("rating")
    published = await api.post(
        f"/api/v1/reviews/{kettle.id}/moderation", json={"action": "publish"}
    )
    assert published.status_code == 200 and published.json()["status"] == "published"
    no_reason = await api.post(f"/api/v1/reviews/{mug.id}/moderation", json={"action": "reject"})
    assert no_reason.status_code == 422
    rejected = await api.post(
        f"/api/v1/reviews/{mug.id}/moderation", json={"action": "reject", "reason": "off_topic"}
    )
    assert rejected.json()["status"] == "rejected"
    emails = [
        m for m in await OutboxMessage.filter(kind="email") if "publié" in m.payload["subject"]
    ]
    assert len(emails) == 1 and "ne porte pas sur le produit" in emails[0].payload["html"]
    replied = await api.post(f"/api/v1/reviews/{kettle.id}/reply", json={"body": "Merci Marie !"})
    assert replied.json()["reply"]["body"] == "Merci Marie !"
    product = (await api.get("/api/v1/products/KETTLE")).json()
    assert product["rating"] == {"value": 5.0, "count": 1}
    actions = await ModerationEvent.all().order_by("id").values_list("action", flat=True)
    assert actions == ["publish", "reject", "reply"]
    listed = (await api.get("/api/v1/reviews", params={"status": "published"})).json()["items"]
    assert [r["id"] for r in listed] == [kettle.id]


async def test_other_shops_cannot_touch_reviews(api: httpx.AsyncClient) -> None:
    created = await order_with_request(api)
    await fill(api, created["url"])
    review = await Review.first()
    assert review is not None
    _, other_key = await create_shop("Other", "other")
    headers = {"Authorization": f"Bearer {other_key}"}
    for path, body in (
        (f"/api/v1/reviews/{review.id}/moderation", {"action": "publish"}),
        (f"/api/v1/reviews/{review.id}/reply", {"body": "hi"}),
    ):
        assert (await api.post(path, json=body, headers=headers)).status_code == 404
    assert (await api.get("/api/v1/reviews", headers=headers)).json()["items"] == []
    assert (await Review.get(id=review.id)).status == "pending"


async def test_auto_publish_is_the_same_rule_for_every_rating(api: httpx.AsyncClient) -> None:
    await Shop.filter(slug="test-shop").update(reviews_auto_publish=True)
    created = await order_with_request(api)
    form = await api.get(created["url"])
    first, second = product_ids(form.text)
    await api.post(
        created["url"],
        data={
            f"{first}_rating": "1",
            f"{first}_body": "Nul, cassé au bout de deux jours.",
            f"{second}_rating": "5",
            f"{second}_body": "Top ! appelez-moi au 06 12 34 56 78",
            "display_name": "Marie",
            "consent": "yes",
        },
    )
    by_rating = {r.rating: r.status for r in await Review.all()}
    assert by_rating == {1: "published", 5: "pending"}  # the phone number waits for a person


async def test_star_labels_agree_in_number(api: httpx.AsyncClient) -> None:
    created = await order_with_request(api)
    form = (await api.get(created["url"])).text
    assert ">1 étoile sur 5<" in form and ">2 étoiles sur 5<" in form
    assert "1 étoiles" not in form
