"""The author's control over their review: the confirmation email's private link, a page
that a GET only shows, withdrawal (gone from every block, feed and the certificate, the
rating recounted), edits within 30 days (moderated again, "Modifié le …"), and nothing
else that changes a rating or a text: not the shop, not its API, not its admin."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import httpx
import pytest
from admin_helpers import csrf_of, log_in
from html_helpers import assert_valid_page
from markup_check import assert_markup_ok
from review_helpers import jpeg_with_gps, order_with_request, product_ids

from feedback_service.links import Links
from feedback_service.outbox.models import OutboxMessage
from feedback_service.reviews import photos
from feedback_service.reviews.models import Review
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user

CONFIRMATION = "Votre avis pour Boutique Test\u202f: merci"


async def reviewed(api: httpx.AsyncClient, *, photo: bool = False) -> dict[str, str]:
    """An order reviewed through its form: the kettle (5), the mug (2) and the shop (4).
    Returns the author links of the confirmation email by what they are about."""
    created = await order_with_request(api)
    kettle, mug = product_ids((await api.get(created["url"])).text)
    data = {
        f"{kettle}_rating": "5",
        f"{kettle}_title": "Parfaite",
        f"{kettle}_body": "Chauffe vite, silencieuse.",
        f"{mug}_rating": "2",
        f"{mug}_body": "Arrivé ébréché.",
        "shop_rating": "4",
        "shop_body": "Colis soigné.",
        "display_name": "Marie C.",
        "consent": "yes",
    }
    files = {f"{kettle}_photos": ("k.jpg", jpeg_with_gps(), "image/jpeg")} if photo else None
    sent = await api.post(created["url"], data=data, files=files)
    assert sent.status_code == 303, sent.text
    [email] = [
        row.payload
        for row in await OutboxMessage.filter(kind="email")
        if row.payload["subject"] == CONFIRMATION
    ]
    assert email["to"] == "o-1@example.fr"
    links = [unescape(u) for u in re.findall(r'href="([^"]+/m/[^"]+)"', email["html"])]
    assert re.findall(r"https?://\S+/m/\S+", email["text"]) == links
    by_subject = {}
    for link in links:
        page = await api.get(link)
        assert page.status_code == 200
        subject = re.search(r"<h1>Votre avis\u202f: ([^<]+)</h1>", unescape(page.text))
        by_subject[subject.group(1) if subject else "?"] = link  # type: ignore[union-attr]
    return by_subject


async def publish_all(api: httpx.AsyncClient) -> None:
    for review in await Review.filter(status="pending"):
        moderated = await api.post(
            f"/api/v1/reviews/{review.id}/moderation", json={"action": "publish"}
        )
        assert moderated.status_code == 200


async def everywhere(api: httpx.AsyncClient, settings: Settings) -> str:
    """What the public sees of the shop's reviews: blocks, pages, feeds, the certificate."""
    shop = await Shop.get(slug="test-shop")
    links = Links(settings)
    version = shop.feed_token_version
    pages = [
        "/w/test-shop/products/KETTLE/reviews",
        "/w/test-shop/products/KETTLE",
        "/w/test-shop/products/MUG/reviews",
        "/w/test-shop/reviews",
        "/w/test-shop/certificate",
        "/api/v1/feeds/google-product-reviews.xml",
        links.merchant_reviews_feed_url(shop.slug, shop.id, version),
        links.product_reviews_feed_url(shop.slug, shop.id, version),
    ]
    shown = []
    for url in pages:
        answer = await api.get(url)
        assert answer.status_code == 200, url
        shown.append(unescape(answer.text))
    return "\n".join(shown)


async def test_the_confirmation_carries_one_private_link_per_review_and_a_get_changes_nothing(
    api: httpx.AsyncClient,
) -> None:
    links = await reviewed(api)
    assert set(links) == {"Bouilloire 1,5 L", "Mug émaillé", "Votre avis sur Boutique Test"}
    before = [(r.id, r.status, r.rating, r.body) for r in await Review.all().order_by("id")]
    for link in links.values():
        for method in ("GET", "HEAD"):
            assert (await api.request(method, link)).status_code == 200
        # Only a POST withdraws: a scanner's GET of the form's target is refused.
        assert (await api.get(f"{link}/withdraw")).status_code == 405
        page = await api.get(link)
        assert page.headers["cache-control"] == "no-store"
        assert_valid_page(page.text, "author page")
        text = unescape(page.text)
        assert "jusqu'au" in text and "Retirer mon avis" in text
        assert "En attente de la vérification de la boutique" in text
    after = [(r.id, r.status, r.rating, r.body) for r in await Review.all().order_by("id")]
    assert after == before and len(after) == 3


async def test_withdrawal_removes_the_review_from_every_block_feed_and_the_certificate(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    links = await reviewed(api, photo=True)
    await publish_all(api)
    shown = await everywhere(api, settings)
    assert "Chauffe vite, silencieuse." in shown and "Colis soigné." in shown
    assert (await api.get("/api/v1/products/KETTLE")).json()["rating"]["count"] == 1
    [photo] = (await Review.get(title="Parfaite")).photos
    photo_file = photos.directory(settings.data_dir) / photo
    assert photo_file.exists()

    for subject in ("Bouilloire 1,5 L", "Votre avis sur Boutique Test"):
        withdrawn = await api.post(f"{links[subject]}/withdraw")
        assert withdrawn.status_code == 200
        assert "Votre avis est retiré" in unescape(withdrawn.text)

    shown = await everywhere(api, settings)
    assert "Chauffe vite" not in shown and "Parfaite" not in shown and "Colis soigné" not in shown
    assert "Arrivé ébréché." in shown  # the mug's review stays
    assert (await api.get("/api/v1/products/KETTLE")).json()["rating"]["count"] == 0
    assert (await api.get("/api/v1/products/MUG")).json()["rating"]["count"] == 1
    assert await Review.all().count() == 1
    assert not photo_file.exists()
    # The link now says the review is gone; withdrawing again changes nothing.
    gone = await api.get(links["Bouilloire 1,5 L"], headers={"accept-language": "fr"})
    assert gone.status_code == 410 and "Cet avis n'existe plus" in unescape(gone.text)
    again = await api.post(f"{links['Bouilloire 1,5 L']}/withdraw")
    assert again.status_code == 410 and await Review.all().count() == 1


async def test_an_edit_is_moderated_again_then_shows_edited_on(
    api: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    links = await reviewed(api)
    await publish_all(api)
    kettle = await Review.get(title="Parfaite")
    first_published = kettle.published_at
    edit = {"rating": "3", "title": "Bien, sans plus", "body": "Le couvercle coince."}
    saved = await api.post(links["Bouilloire 1,5 L"], data=edit)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=1")
    shown = unescape((await api.get(saved.headers["location"])).text)
    assert "Vos modifications sont enregistrées. La boutique vérifie de nouveau" in shown

    kettle = await Review.get(id=kettle.id)
    assert (kettle.rating, kettle.title, kettle.body) == (
        3,
        "Bien, sans plus",
        "Le couvercle coince.",
    )
    assert kettle.status == "pending" and kettle.edited_at is not None
    # Waiting for the check: neither the old text nor the new one is public.
    shown = await everywhere(api, settings)
    assert "Chauffe vite" not in shown and "Le couvercle coince." not in shown
    assert (await api.get("/api/v1/products/KETTLE")).json()["rating"]["count"] == 0

    await publish_all(api)
    kettle = await Review.get(id=kettle.id)
    assert kettle.published_at == first_published  # published on, then edited on
    block = await api.get("/w/test-shop/products/KETTLE/reviews")
    assert "Le couvercle coince." in block.text and "Modifié le" in block.text
    assert 'itemprop="dateModified"' in block.text
    assert_markup_ok(block.text, "reviews", tmp_path)
    english = await api.get("/w/test-shop/products/KETTLE/reviews?locale=en")
    assert "Edited on" in english.text
    assert (await api.get("/api/v1/products/KETTLE")).json()["rating"] == {"value": 3.0, "count": 1}
    # The shop's own review shows the mark on the certificate.
    await api.post(links["Votre avis sur Boutique Test"], data={"rating": "5", "body": "Top."})
    await publish_all(api)
    certificate = unescape((await api.get("/w/test-shop/certificate")).text)
    assert "Top." in certificate and "Modifié le" in certificate


async def test_where_the_shop_publishes_at_once_an_edit_is_published_at_once(
    api: httpx.AsyncClient,
) -> None:
    await Shop.filter(slug="test-shop").update(reviews_auto_publish=True)
    links = await reviewed(api)
    same = await api.post(
        links["Mug émaillé"], data={"rating": "2", "title": "", "body": "Arrivé ébréché."}
    )
    assert same.status_code == 303 and (await Review.get(rating=2)).edited_at is None  # no change
    await api.post(links["Mug émaillé"], data={"rating": "4", "body": "Remplacé très vite."})
    block = await api.get("/w/test-shop/products/MUG/reviews")
    assert "Remplacé très vite." in block.text and "Modifié le" in block.text
    assert (await api.get("/api/v1/products/MUG")).json()["rating"] == {"value": 4.0, "count": 1}


async def test_after_thirty_days_the_text_is_kept_but_the_review_can_still_be_withdrawn(
    api: httpx.AsyncClient,
) -> None:
    links = await reviewed(api)
    await Review.all().update(submitted_at=datetime.now(UTC) - timedelta(days=31))
    page = unescape((await api.get(links["Mug émaillé"])).text)
    assert "Le délai pour modifier votre note et votre texte a pris fin le" in page
    assert "Enregistrer mes modifications" not in page and "Retirer mon avis" in page
    late = await api.post(links["Mug émaillé"], data={"rating": "5", "body": "Finalement top."})
    assert late.status_code == 403
    assert "Le délai pour modifier cet avis est dépassé" in unescape(late.text)
    mug = await Review.get(product__sku="MUG")
    assert (mug.rating, mug.body, mug.edited_at) == (2, "Arrivé ébréché.", None)
    assert (await api.post(f"{links['Mug émaillé']}/withdraw")).status_code == 200
    assert not await Review.exists(product__sku="MUG")


@pytest.mark.parametrize(
    "form",
    [
        {"rating": "9", "body": "x"},
        {"rating": "0"},
        {"rating": "", "body": "Sans note"},
        {"rating": "4.5"},
        {"rating": "\u0664"},  # an Arabic-Indic 4
        {"rating": "4", "body": "x" * 5001},
        {"rating": "4", "title": "t" * 201},
        {"body": "no rating at all"},
    ],
)
async def test_hostile_edits_are_refused_and_change_nothing(
    api: httpx.AsyncClient, form: dict[str, str]
) -> None:
    links = await reviewed(api)
    answer = await api.post(links["Mug émaillé"], data=form)
    assert answer.status_code == 400
    assert "Merci de vérifier les champs signalés" in unescape(answer.text)
    mug = await Review.get(product__sku="MUG")
    assert (mug.rating, mug.title, mug.body, mug.edited_at) == (2, "", "Arrivé ébréché.", None)


async def test_forged_links_and_cross_site_posts_change_nothing(
    api: httpx.AsyncClient,
) -> None:
    links = await reviewed(api)
    link = links["Mug émaillé"]
    token = link.rsplit("/", 1)[1]
    review_request_token = (
        await api.post("/api/v1/review-requests", json={"order_id": "O-1"})
    ).json()["token"]
    base = link.rsplit("/m/", 1)[0]
    for bad in (
        f"{base}/m/{token[:-2]}xx",
        f"{base}/m/{review_request_token}",  # a real token for another purpose
        f"{base}/m/{'a' * 500}",
        f"{base}/m/%00",
    ):
        assert (await api.get(bad)).status_code in (400, 404)
        assert (await api.post(f"{bad}/withdraw")).status_code in (400, 404)
        assert (await api.post(bad, data={"rating": "1"})).status_code in (400, 404)
    for headers in ({"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}):
        refused = await api.post(f"{link}/withdraw", headers=headers)
        assert refused.status_code == 403
        refused = await api.post(link, data={"rating": "1", "body": "pirate"}, headers=headers)
        assert refused.status_code == 403
    mug = await Review.get(product__sku="MUG")
    assert (mug.rating, mug.body, await Review.all().count()) == (2, "Arrivé ébréché.", 3)


async def test_the_shop_can_never_change_a_rating_or_a_text(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await reviewed(api)
    shop = await Shop.get(slug="test-shop")
    mug = await Review.get(product__sku="MUG")
    path = f"/api/v1/reviews/{mug.id}"
    change = {"rating": 5, "title": "Super", "body": "Parfait !"}
    for method in ("PUT", "PATCH", "DELETE"):
        assert (await api.request(method, path, json=change)).status_code in (404, 405)
    for action in ("publish", "reject"):
        await api.post(f"{path}/moderation", json={"action": action, "reason": "spam", **change})
    await api.post(f"{path}/reply", json={"body": "Merci !", **change})
    # The same review "imported" again, by the API or the admin: a new row or nothing.
    await api.post(
        "/api/v1/reviews",
        json={
            "sku": "MUG",
            "author_name": "X",
            "source": "request",
            "source_id": str(mug.id),
            **change,
        },
    )
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(client, "boss@shop.fr", "correct horse battery")
    queue = await client.get("/admin/reviews?status=rejected")
    for action in ("publish", "reply"):
        await client.post(
            "/admin/reviews?status=rejected",
            data={
                "csrf": csrf_of(queue.text),
                "review": str(mug.id),
                "action": action,
                "rating": "5",
                "title": "Super",
                "body": "Parfait !",
            },
        )
    mug = await Review.get(id=mug.id)
    assert (mug.rating, mug.title, mug.body, mug.edited_at) == (2, "", "Arrivé ébréché.", None)
