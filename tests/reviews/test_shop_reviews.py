"""Reviews of the shop itself: the form's shop part, moderation, the certificate, the badge,
the seller ratings feed, erasure; never a rating of the shop in markup (self-serving)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import lxml.etree
import pytest
from admin_helpers import log_in
from html_helpers import assert_valid_html, assert_valid_page
from markup_check import assert_markup_ok, rating_markup
from review_helpers import order_with_request, product_ids
from starlette.applications import Starlette
from test_openapi import answer_errors

from feedback_service.links import Links
from feedback_service.outbox.models import OutboxMessage
from feedback_service.reviews.models import Review, ReviewRequest
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_shop, create_user
from feedback_service.worker import Worker

NS = "{http://schemas.google.com/merchant_reviews/5.0}"
EMAIL = "o-1@example.fr"  # the customer of review_helpers.order_with_request
SHOP_PART = {
    "shop_rating": "4",
    "shop_delivery": "5",
    "shop_as_described": "4",
    "shop_service": "",  # never contacted it: skipped
    "shop_body": "Colis soigné, livré en deux jours.",
}


async def send_form(
    client: httpx.AsyncClient, url: str, *, products: bool = True, **fields: object
) -> httpx.Response:
    """The review form as a browser posts it: the products rated (or not), the shop part."""
    form = await client.get(url)
    assert form.status_code == 200
    data: dict[str, object] = {"display_name": "Marie C.", "consent": "yes"}
    if products:
        first, second = product_ids(form.text)
        data |= {f"{first}_rating": "5", f"{first}_body": "Parfaite.", f"{second}_rating": "3"}
    data |= fields
    return await client.post(url, data={k: v for k, v in data.items() if v is not None})


async def shop_review(shop: Shop, n: int, **fields: Any) -> Review:
    """A published review of the shop, stored as the form stores it."""
    when = fields.pop("published_at", datetime.now(UTC) - timedelta(days=n + 1))
    values: dict[str, Any] = {
        "shop": shop,
        "product": None,
        "rating": 5,
        "body": f"Boutique au top n°{n}",
        "author_name": f"Client {n}",
        "author_email": f"client{n}@example.fr",
        "language": "fr",
        "status": "published",
        "verified": True,
        "source": "request",
        "submitted_at": when,
        "published_at": when,
        **fields,
    }
    return await Review.create(**values)


def feed_url(shop: Shop, settings: Settings) -> str:
    return Links(settings).merchant_reviews_feed_url(shop.slug, shop.id, shop.feed_token_version)


# --- the form ------------------------------------------------------------------------------


async def test_the_form_asks_about_the_shop_and_stores_its_criteria(
    api: httpx.AsyncClient, receiver: Any
) -> None:
    hook = await api.post(
        "/api/v1/webhooks", json={"url": receiver.url, "events": ["review.submitted"]}
    )
    assert hook.status_code == 201
    created = await order_with_request(api)
    form = (await api.get(created["url"])).text
    assert "Votre avis sur Boutique Test" in form and "Note globale de la boutique" in form
    for label in ("Livraison", "Produit conforme à la description", "Service client"):
        assert f"<legend>{label}</legend>" in form
    answer = await send_form(api, created["url"], **SHOP_PART)
    assert answer.status_code == 303, answer.text[:500]

    [review] = await Review.filter(product_id=None)
    assert (review.rating, review.rating_delivery, review.rating_as_described) == (4, 5, 4)
    assert review.rating_service is None  # skipped
    assert review.body == "Colis soigné, livré en deux jours." and review.title == ""
    assert (review.status, review.verified, review.author_name) == ("pending", True, "Marie C.")
    assert review.request_id == (await ReviewRequest.get()).id
    assert await Review.filter(product_id__not_isnull=True).count() == 2  # and the products'
    events = [m.payload["data"] for m in await OutboxMessage.filter(kind="webhook")]
    shop_event = next(e for e in events if e["id"] == review.id)
    assert shop_event["sku"] is None and shop_event["product_id"] is None
    assert shop_event["criteria"] == {"delivery": 5, "as_described": 4}
    assert all("criteria" not in e for e in events if e["id"] != review.id)


async def test_a_review_of_the_shop_alone_is_enough(api: httpx.AsyncClient) -> None:
    created = await order_with_request(api)
    answer = await send_form(api, created["url"], products=False, shop_rating="2")
    assert answer.status_code == 303
    [review] = await Review.all()
    assert (review.product_id, review.rating, review.body) == (None, 2, "")
    assert (review.rating_delivery, review.rating_as_described, review.rating_service) == (
        None,
        None,
        None,
    )
    # The same form sent again stores nothing more (no (request, product) pair clashes).
    again = await api.post(created["url"], data={"shop_rating": "5", "consent": "yes"})
    assert again.status_code == 409 and await Review.all().count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"shop_rating": "4", "shop_delivery": "6"},
            "shop_delivery",
            "Choisissez de 1 à 5 étoiles.",
        ),
        ({"shop_rating": "4", "shop_service": "0"}, "shop_service", "Choisissez de 1 à 5 étoiles."),
        ({"shop_rating": "4", "shop_as_described": "-1"}, "shop_as_described", "1 à 5"),
        ({"shop_rating": "4", "shop_delivery": "4.5"}, "shop_delivery", "1 à 5"),
        ({"shop_rating": "4", "shop_delivery": "５"}, "shop_delivery", "1 à 5"),  # fullwidth
        ({"shop_rating": "4", "shop_service": "3 OR 1=1"}, "shop_service", "1 à 5"),
        ({"shop_rating": "10"}, "shop_rating", "Merci de choisir un nombre"),
        ({"shop_rating": " 5"}, "shop_rating", "Merci de choisir un nombre"),
        ({"shop_delivery": "5"}, "shop_rating", "Merci de choisir un nombre"),  # criteria, no stars
        ({"shop_body": "Bien."}, "shop_rating", "Merci de choisir un nombre"),
        ({"shop_rating": "5", "shop_body": "x" * 5001}, "shop_body", "5000"),
    ],
)
async def test_hostile_shop_part_is_refused_and_nothing_is_stored(
    api: httpx.AsyncClient, fields: dict[str, str], field: str, message: str
) -> None:
    created = await order_with_request(api)
    answer = await send_form(api, created["url"], **fields)
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    doc = assert_valid_html(answer.text)
    shop_part = doc.get_element_by_id("shop-review")
    assert message in shop_part.text_content(), shop_part.text_content()
    assert field in answer.text  # the form again, with what was typed
    assert await Review.all().count() == 0  # nor the products' reviews of the same form
    assert (await ReviewRequest.get()).submitted_at is None


async def test_a_shop_review_is_moderated_like_any_review(
    api: httpx.AsyncClient,
    client: httpx.AsyncClient,
    shop_and_key: tuple[Shop, str],
    settings: Settings,
) -> None:
    created = await order_with_request(api)
    await send_form(
        api, created["url"], shop_rating="1", shop_delivery="1", shop_body="Jamais reçu."
    )
    review = await Review.get(product_id=None)
    shop = shop_and_key[0]
    assert "Jamais reçu." not in (await client.get("/w/test-shop/certificate")).text

    spec = (await client.get("/openapi.json")).json()
    listing = await api.get("/api/v1/reviews", params={"kind": "shop"})
    assert answer_errors(spec, "get", "/api/v1/reviews", listing) == []
    assert [(r["id"], r["sku"], r["criteria"]) for r in listing.json()["items"]] == [
        (review.id, None, {"delivery": 1, "as_described": None, "service": None})
    ]
    products = await api.get("/api/v1/reviews", params={"kind": "product"})
    assert answer_errors(spec, "get", "/api/v1/reviews", products) == []
    items = products.json()["items"]
    assert len(items) == 2 and all(r["sku"] and r["criteria"] is None for r in items)
    assert (await api.get("/api/v1/reviews", params={"kind": "x"})).status_code == 422
    parameters = spec["paths"]["/api/v1/reviews"]["get"]["parameters"]
    assert "kind" in [p["name"] for p in parameters]

    await Worker(settings).run_once()  # the review's alert check (alerts.tasks)

    # The staff see it in the moderation queue and the inbox (a 1-star review opens an alert).
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(api, "boss@shop.fr", "correct horse battery")
    queue = (await api.get("/admin/reviews?status=pending")).text
    assert "The shop" in queue and "Delivery ★☆☆☆☆" in queue and "Jamais reçu." in queue
    inbox = await api.get("/admin/inbox")
    assert inbox.status_code == 200 and "The shop: 1★" in inbox.text

    published = await api.post(
        f"/api/v1/reviews/{review.id}/moderation", json={"action": "publish"}
    )
    assert published.status_code == 200
    assert answer_errors(spec, "post", "/api/v1/reviews/{id}/moderation", published) == []
    assert published.json()["status"] == "published" and published.json()["sku"] is None
    page = (await client.get("/w/test-shop/certificate")).text
    assert "Jamais reçu." in page
    replied = await api.post(f"/api/v1/reviews/{review.id}/reply", json={"body": "Désolés !"})
    assert replied.status_code == 200
    assert "Désolés !" in (await client.get("/w/test-shop/certificate")).text
    rejected = await api.post(
        f"/api/v1/reviews/{review.id}/moderation", json={"action": "reject", "reason": "off_topic"}
    )
    assert rejected.status_code == 200
    assert "Jamais reçu." not in (await client.get("/w/test-shop/certificate")).text


async def test_shop_reviews_stay_out_of_the_product_pages(
    api: httpx.AsyncClient, client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    created = await order_with_request(api)
    await send_form(api, created["url"], **SHOP_PART)
    for review in await Review.all():
        await api.post(f"/api/v1/reviews/{review.id}/moderation", json={"action": "publish"})
    review = await Review.get(product_id=None)
    shop_text = SHOP_PART["shop_body"]
    for path in (
        "/w/test-shop/reviews",
        "/w/test-shop/products/KETTLE",
        "/w/test-shop/products/KETTLE/reviews",
        "/api/v1/feeds/google-product-reviews.xml",
    ):
        shown = await api.get(path)
        assert shown.status_code == 200 and "Parfaite." in shown.text, path
        assert shop_text not in shown.text, path
    # Its id is no product review's page, and takes no "helpful" vote.
    assert (await client.get(f"/w/test-shop/reviews/{review.id}")).status_code == 404
    voted = await client.post(f"/w/test-shop/reviews/{review.id}/helpful")
    assert voted.status_code == 404 and (await Review.get(id=review.id)).helpful_count == 0
    assert (await api.get("/api/v1/products/KETTLE")).json()["rating"]["count"] == 1


# --- the certificate and the badge -----------------------------------------------------------


async def test_the_certificate_in_english_and_french(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str], tmp_path: Path
) -> None:
    shop = shop_and_key[0]
    shop.logo_url = "https://shop.example/logo.png"
    await shop.save()
    await shop_review(shop, 0, rating=5, rating_delivery=5, rating_as_described=4)
    await shop_review(shop, 1, rating=4, rating_delivery=3, rating_service=5)
    await shop_review(shop, 2, rating=4, body="", reply_body="Merci !", reply_at=datetime.now(UTC))
    old = datetime.now(UTC) - timedelta(days=400)  # out of the 12 months, still listed
    await shop_review(shop, 3, rating=1, rating_delivery=1, body="Vieil avis", published_at=old)
    await shop_review(shop, 4, status="pending", body="En attente")
    await shop_review(shop, 5, status="rejected", body="Refusé")

    french = await client.get("/w/test-shop/certificate")  # the shop's language (fr)
    assert french.status_code == 200
    doc = assert_valid_page(french.text, "certificate")
    text = " ".join(doc.text_content().split())
    assert 'id="fs-cert-title">Boutique Test\u202f: avis clients sur' in french.text
    assert "4,3/5" in text and "3 avis ces 12 derniers mois" in text  # (5 + 4 + 4) / 3
    assert "4 avis sur la boutique publiés en tout." in text
    criteria = {
        li.findtext("span").strip(): " ".join(li.text_content().split())
        for li in doc.find_class("fs-criteria")[0].iter("li")
    }
    assert "4,0/5" in criteria["Livraison"] and "2 notes" in criteria["Livraison"]
    assert "4,0/5" in criteria["Produit conforme à la description"]
    assert "1 note" in criteria["Service client"] and "5,0/5" in criteria["Service client"]
    bars = [" ".join(li.text_content().split()) for li in doc.find_class("fs-dist")[0]]
    assert bars == ["5 étoiles 1", "4 étoiles 2", "3 étoiles 0", "2 étoiles 0", "1 étoile 0"]
    listed = [a.get("id") for a in doc.find_class("fs-cert-reviews")[0].iter("article")]
    ids = [r.id for r in await Review.filter(status="published").order_by("-published_at")]
    assert listed == [f"review-{i}" for i in ids]  # newest first, the old one too
    assert "Vieil avis" in text and "En attente" not in text and "Refusé" not in text
    assert "Réponse de Boutique Test" in text and "Merci !" in text
    assert "Comment ces avis sont recueillis" in text
    assert doc.xpath("//a[contains(@href, '/w/test-shop/review-policy?lang=fr')]")

    english = await client.get("/w/test-shop/certificate", params={"lang": "en"})
    text = " ".join(lxml.etree.HTML(english.text).xpath("string()").split())
    assert "Boutique Test: customer reviews of the shop" in text and "4.3/5" in text
    assert "3 reviews in the last 12 months" in text and "Delivery" in text
    by_header = await client.get("/w/test-shop/certificate", headers={"Accept-Language": "en-GB"})
    assert "customer reviews of the shop" in by_header.text
    assert "Accept-Language" in by_header.headers["vary"]

    for page in (french, english):
        # No rating of the shop in any markup: not on the shop's type, not anywhere.
        assert rating_markup(page.text) == []
        assert "AggregateRating" not in page.text and "itemscope" not in page.text
        assert_markup_ok(page.text, "head", tmp_path)  # title, Open Graph, Twitter card
        assert page.headers["cache-control"].startswith("public, max-age=300")
        again = await client.get(str(page.url), headers={"If-None-Match": page.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
    assert french.headers["etag"] != english.headers["etag"]
    # A change shows at once: the ETag is the page's own.
    await shop_review(shop, 6, body="Tout nouveau")
    fresh = await client.get(
        "/w/test-shop/certificate", headers={"If-None-Match": french.headers["etag"]}
    )
    assert fresh.status_code == 200 and "Tout nouveau" in fresh.text


async def test_the_certificate_pages_its_reviews(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    for n in range(23):
        await shop_review(shop, n)
    first = lxml.etree.HTML((await client.get("/w/test-shop/certificate?lang=fr")).text)
    assert len(first.xpath("//section[@class='fs-cert-reviews']//article")) == 20
    [next_link] = first.xpath("//a[@rel='next']/@href")
    assert next_link.endswith("/w/test-shop/certificate?lang=fr&page=2")
    second = lxml.etree.HTML((await client.get(next_link)).text)
    assert len(second.xpath("//section[@class='fs-cert-reviews']//article")) == 3
    assert "Boutique au top n°22" in second.xpath("string()")
    for odd in ("0", "-3", "99999", "abc", "1e3", "２"):
        shown = await client.get("/w/test-shop/certificate", params={"page": odd})
        assert shown.status_code == 200, odd


async def test_an_empty_certificate_and_an_unknown_shop(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    empty = await client.get("/w/test-shop/certificate?lang=en")
    assert empty.status_code == 200
    assert "No review of the shop in the last 12 months." in empty.text
    assert rating_markup(empty.text) == []
    badge = await client.get("/w/test-shop/badge?lang=en")
    assert badge.status_code == 200 and "No reviews yet" in badge.text
    for path in ("/w/nope/certificate", "/w/nope/badge"):
        assert (await client.get(path)).status_code == 404


async def test_the_badge_says_the_rating_and_links_to_the_certificate(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str], settings: Settings
) -> None:
    shop = shop_and_key[0]
    # 1,283 reviews (7 in 10 with 5 stars): the thousands separator of each language.
    rows = [
        Review(
            shop=shop,
            product=None,
            rating=5 if n % 10 < 7 else 4,
            body="",
            author_name="C.",
            language="fr",
            status="published",
            verified=True,
            source="request",
            submitted_at=datetime.now(UTC) - timedelta(days=3),
            published_at=datetime.now(UTC) - timedelta(days=3),
        )
        for n in range(1283)
    ]
    await Review.bulk_create(rows, batch_size=500)
    french = await client.get("/w/test-shop/badge")
    assert french.status_code == 200
    [link] = lxml.etree.HTML(french.text).xpath("//a")
    assert link.get("href") == f"{settings.base_url}/w/test-shop/certificate?lang=fr"
    # (split() also splits at the no-break space the French thousands separator is.)
    assert " ".join(link.xpath("string()").split()) == "★★★★★ 4,7/5 — 1 283 avis vérifiés"
    english = await client.get("/w/test-shop/badge", params={"lang": "en"})
    assert "4.7/5 — 1,283 verified reviews" in english.text
    for badge in (french, english):
        assert rating_markup(badge.text) == [] and "itemprop" not in badge.text
        assert "<html" not in badge.text  # a fragment
        again = await client.get(str(badge.url), headers={"If-None-Match": badge.headers["etag"]})
        assert again.status_code == 304
        assert badge.headers["cache-control"].startswith("public, max-age=300")
    assert (await Shop.get(id=shop.id)).block_seen_at is not None  # embedded: the dashboard knows


# --- the seller ratings feed -----------------------------------------------------------------


async def test_the_merchant_reviews_feed(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str], settings: Settings, app: Starlette
) -> None:
    shop = shop_and_key[0]
    created = await order_with_request(api)  # products on the shop's site, and a form
    await send_form(api, created["url"], **SHOP_PART)
    for review in await Review.all():
        await api.post(f"/api/v1/reviews/{review.id}/moderation", json={"action": "publish"})
    form_review = await Review.get(product_id=None)
    anonymous = await shop_review(shop, 1, author_name="", body="", rating=3, rating_service=2)
    await shop_review(shop, 2, status="pending", body="Pas encore")
    await shop_review(shop, 3, status="rejected", body="Refusé")
    other, _ = await create_shop("Autre", "autre")
    await shop_review(other, 4, body="Chez les autres")
    url = feed_url(shop, settings)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as fetcher:
        fetched = await fetcher.get(url, headers={"Accept-Encoding": "identity"})
        assert fetched.status_code == 200 and fetched.headers["content-type"] == "application/xml"
        root = lxml.etree.fromstring(fetched.content)
        assert root.tag == f"{NS}feed"
        location = root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation")
        assert location.split() == [
            "http://schemas.google.com/merchant_reviews/5.0",
            "http://www.gstatic.com/productsearch/static/reviews/5.0/merchant_reviews.xsd",
        ]
        assert [child.tag for child in root] == [f"{NS}merchants", f"{NS}reviews"]
        [merchant] = root.findall(f"{NS}merchants/{NS}merchant")
        assert merchant.get("id") == str(shop.id)
        assert [c.tag.removeprefix(NS) for c in merchant] == [
            "name",
            "merchant_url",
            "rating_url",
            "create_timestamp",
            "last_update_timestamp",
        ]
        assert merchant.findtext(f"{NS}name") == "Boutique Test"
        assert merchant.findtext(f"{NS}merchant_url") == "https://shop.example/"
        assert (
            merchant.findtext(f"{NS}rating_url") == f"{settings.base_url}/w/test-shop/certificate"
        )
        reviews = {r.get("id"): r for r in root.findall(f"{NS}reviews/{NS}review")}
        assert set(reviews) == {str(form_review.id), str(anonymous.id)}  # only published, ours
        assert {r.get("mid") for r in reviews.values()} == {str(shop.id)}

        mine = reviews[str(form_review.id)]
        assert [c.tag.removeprefix(NS) for c in mine] == [
            "reviewer_name",
            "create_timestamp",
            "last_update_timestamp",
            "content",
            "ratings",
            "collection_method",
        ]
        assert mine.findtext(f"{NS}reviewer_name") == "Marie C."
        assert mine.findtext(f"{NS}content") == SHOP_PART["shop_body"]
        assert re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", mine.findtext(f"{NS}create_timestamp")
        )
        overall = mine.find(f"{NS}ratings/{NS}overall")
        assert (overall.text, overall.get("min"), overall.get("max")) == ("4", "1", "5")
        assert mine.find(f"{NS}ratings/{NS}customer_service") is None  # skipped
        assert mine.findtext(f"{NS}collection_method") == "after_fulfillment"
        blank = reviews[str(anonymous.id)]
        assert blank.find(f"{NS}reviewer_name") is None  # anonymous: no name
        assert blank.findtext(f"{NS}content") in ("", None)
        assert blank.findtext(f"{NS}ratings/{NS}customer_service") == "2"

        etag = fetched.headers["etag"]
        assert fetched.headers["cache-control"] == "private, no-cache"
        again = await fetcher.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        packed = await fetcher.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip" and packed.content == fetched.content
        for bad in (
            url.replace("/test-shop/", "/autre/"),
            re.sub(r"/[A-Za-z0-9_-]{32}/", "/" + "A" * 32 + "/", url),
            url.replace("merchant-reviews", "merchant-review"),
        ):
            assert (await fetcher.get(bad)).status_code == 404, bad
        # The admin shows it, and renewing the product feed's address renews this one.
        await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
        await log_in(api, "boss@shop.fr", "correct horse battery")
        settings_page = (await api.get("/admin/settings")).text
        assert url in settings_page and "/w/test-shop/certificate" in settings_page
        await Shop.filter(id=shop.id).update(feed_token_version=1)
        assert (await fetcher.get(url)).status_code == 404


# --- erasure -----------------------------------------------------------------------------------


async def test_erasure_removes_the_shop_review_from_the_certificate_and_the_feed(
    api: httpx.AsyncClient,
    client: httpx.AsyncClient,
    shop_and_key: tuple[Shop, str],
    settings: Settings,
) -> None:
    shop = shop_and_key[0]
    created = await order_with_request(api)
    await send_form(
        api,
        created["url"],
        products=False,
        shop_rating="2",
        shop_body="Service lent, signé Zénobie Quartzfeld.",
        display_name="Zénobie Q.",
    )
    review = await Review.get(product_id=None)
    await api.post(f"/api/v1/reviews/{review.id}/moderation", json={"action": "publish"})
    await shop_review(shop, 1, rating=4, body="Un autre client")
    export = await api.get(f"/api/v1/customers/{EMAIL}/export")
    spec = (await client.get("/openapi.json")).json()
    assert answer_errors(spec, "get", "/api/v1/customers/{email}/export", export) == []
    exported = export.json()
    assert [r["criteria"] for r in exported["reviews"]] == [  # the export has it too
        {"delivery": None, "as_described": None, "service": None}
    ]
    certificate = await client.get("/w/test-shop/certificate")
    feed = await client.get(feed_url(shop, settings))
    for shown in (certificate.text, feed.text):
        assert "Zénobie" in shown and "Quartzfeld" in shown

    assert (await api.delete(f"/api/v1/customers/{EMAIL}")).status_code == 204

    certificate = await client.get("/w/test-shop/certificate")
    feed = await client.get(feed_url(shop, settings))
    for shown in (certificate.text, feed.text):
        assert "Zénobie" not in shown and "Quartzfeld" not in shown and "Service lent" not in shown
        assert "Un autre client" in shown
    sent = [r.get("id") for r in lxml.etree.fromstring(feed.content).iter(f"{NS}review")]
    assert len(sent) == 1 and str(review.id) not in sent
    doc = lxml.etree.HTML(certificate.text)
    assert len(doc.xpath("//section[@class='fs-cert-reviews']//article")) == 1
    # Its score stays in the shop's statistics, as erasure keeps every score.
    assert "2 avis ces 12 derniers mois" in " ".join(doc.xpath("string()").split())
