"""Review highlights in the served blocks: English and French, published reviews only,
kept up to date by moderation and erasure, with the block's ETag."""

from __future__ import annotations

import csv
import re
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import lxml.html
import pytest
from markup_check import assert_markup_ok
from review_helpers import PRODUCTS

import widgets
from feedback_service.links import Links
from feedback_service.orders.models import Product
from feedback_service.reviews import blocks
from feedback_service.reviews.highlights import shop_highlights
from feedback_service.reviews.models import Review, ReviewStatus
from feedback_service.reviews.services import sentiment_fields
from feedback_service.sentiment import analyse
from feedback_service.settings import Settings

BLOCK = "/w/test-shop/products/KETTLE/reviews"
ERASED_EMAIL = "first.reviewer@example.com"
# (language, text, day of October): delivery 4 positive of 5, quality 3 negative of 3.
PUBLISHED = [
    ("en", "Arrived the next day. Fast delivery and the kettle boils in no time.", 20),
    ("en", "Delivery was quick and the box was well packed.", 12),
    ("en", "The handle broke after a week, really poor quality for the money.", 11),
    ("en", "Delivery was late and the box arrived damaged.", 10),
    ("fr", "Livraison rapide, bouilloire conforme.", 9),
    ("fr", "Colis reçu en 48 h, livraison parfaite.", 8),
    ("fr", "La qualité est décevante, le couvercle a cassé.", 7),
    ("fr", "Qualité médiocre, la poignée chauffe.", 6),
]
PENDING = "Pending words: super fast delivery, excellent quality."
REJECTED = "Rejected words: lightning fast delivery, superb quality."


async def import_review(
    api: httpx.AsyncClient, n: int, language: str, body: str, day: int, *, published: bool = True
) -> int:
    answer = await api.post(
        "/api/v1/reviews",
        json={
            "sku": "KETTLE",
            "rating": 4,
            "body": body,
            "language": language,
            "author_name": f"Client {n}",
            "author_email": ERASED_EMAIL if n == 0 else f"client{n}@example.com",
            "source": "legacy",
            "source_id": str(n),
            "submitted_at": f"2026-10-{day:02d}T10:00:00Z",
            "published": published,
        },
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


@pytest.fixture
async def reviewed(api: httpx.AsyncClient) -> dict[str, int]:
    for product in PRODUCTS:
        await api.post("/api/v1/products", json=product)
    for n, (language, body, day) in enumerate(PUBLISHED):
        await import_review(api, n, language, body, day)
    pending = await import_review(api, 20, "en", PENDING, 21, published=False)
    rejected = await import_review(api, 21, "en", REJECTED, 22, published=False)
    answer = await api.post(
        f"/api/v1/reviews/{rejected}/moderation", json={"action": "reject", "reason": "spam"}
    )
    assert answer.status_code == 200
    return {"pending": pending, "rejected": rejected}


def _classed(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def highlights(html: str) -> dict[str, dict[str, str]]:
    """Aspect label -> its count, shares and quote (with the quote's lang), as shown."""
    [section] = lxml.html.fromstring(html).xpath(f"//section[{_classed('fs-highlights')}]")
    shown = {}
    for item in section.xpath(f".//li[{_classed('fs-hl')}]"):

        def text(name: str, item: lxml.html.HtmlElement = item) -> str:
            found = item.xpath(f".//*[{_classed(name)}]")[0].text_content()
            return re.sub(r"[ \n]+", " ", found).strip()  # narrow no-break spaces stay

        quote = item.xpath(".//blockquote")
        shown[text("fs-hl-aspect")] = {
            "count": text("fs-hl-count"),
            "shares": text("fs-hl-shares"),
            "quote": quote[0].text_content().strip() if quote else "",
            "lang": quote[0].get("lang", "") if quote else "",
            "source": (item.xpath(".//figcaption/a/@href") or [""])[0],
        }
    return shown


def published_bodies() -> set[str]:
    return {body for _, body, _ in PUBLISHED}


def verbatim_from(quote: str, bodies: set[str]) -> bool:
    words = quote.strip("…")
    return any(words in body for body in bodies)


async def test_english_and_french_blocks_show_what_customers_say(
    reviewed: dict[str, int], client: httpx.AsyncClient, tmp_path: Path
) -> None:
    english = await client.get(BLOCK, params={"locale": "en"})
    shown = highlights(english.text)
    # Most mentioned first; price, in one review only, is not shown.
    assert list(shown) == ["Delivery", "Quality", "Packaging"]
    assert shown["Delivery"]["count"] == "5 mentions"
    assert shown["Delivery"]["shares"] == "80% positive 20% negative"
    assert shown["Quality"]["shares"] == "0% positive 100% negative"
    # The newest positive English sentence about delivery; the neutral first one is not it.
    assert shown["Delivery"]["quote"] == "Fast delivery and the kettle boils in no time."
    assert shown["Quality"]["quote"] == (
        "The handle broke after a week, really poor quality for the money."
    )
    assert shown["Delivery"]["lang"] == ""  # the page's language
    assert (
        shown["Delivery"]["source"].startswith("http")
        and "/reviews/" in shown["Delivery"]["source"]
    )
    assert_markup_ok(english.text, "reviews", tmp_path)

    french = await client.get(BLOCK, params={"locale": "fr"})
    shown = highlights(french.text)
    assert list(shown) == ["Livraison", "Qualité", "Emballage"]
    assert "Ce que disent les clients" in french.text
    assert shown["Livraison"]["count"] == "5 mentions"
    assert shown["Livraison"]["shares"] == "80\u202f% positives 20\u202f% négatives"
    assert shown["Livraison"]["quote"] in {
        "Livraison rapide, bouilloire conforme.",
        "Colis reçu en 48 h, livraison parfaite.",
    }
    assert shown["Qualité"]["quote"] == "La qualité est décevante, le couvercle a cassé."
    # No French review speaks of the packaging: an English one does, marked as English.
    assert shown["Emballage"]["lang"] == "en"
    assert shown["Emballage"]["shares"] == "50\u202f% positives 50\u202f% négatives"
    for aspect in shown.values():
        assert verbatim_from(aspect["quote"], published_bodies())

    page = await client.get("/w/test-shop/products/KETTLE", params={"locale": "fr"})
    assert highlights(page.text) == shown
    assert_markup_ok(page.text, "page", tmp_path)
    for html in (english.text, french.text, page.text):
        assert "Pending words" not in html and "Rejected words" not in html


async def test_a_language_without_quotes_borrows_one_marked_with_its_language(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    for product in PRODUCTS:
        await api.post("/api/v1/products", json=product)
    for n, (language, body, day) in enumerate(PUBLISHED[4:]):  # French reviews only
        await import_review(api, n + 1, language, body, day)
    shown = highlights((await client.get(BLOCK, params={"locale": "en"})).text)
    assert shown["Delivery"]["lang"] == "fr"
    assert verbatim_from(shown["Delivery"]["quote"], published_bodies())


async def test_moderation_updates_highlights_and_the_etag(
    reviewed: dict[str, int], api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    before = await client.get(BLOCK, params={"locale": "en"})
    moderation = f"/api/v1/reviews/{reviewed['pending']}/moderation"
    assert (await api.post(moderation, json={"action": "publish"})).status_code == 200
    published = await client.get(
        BLOCK, params={"locale": "en"}, headers={"If-None-Match": before.headers["etag"]}
    )
    assert published.status_code == 200 and published.headers["etag"] != before.headers["etag"]
    shown = highlights(published.text)
    assert shown["Delivery"]["count"] == "6 mentions"
    assert shown["Delivery"]["shares"] == "83% positive 17% negative"
    assert shown["Quality"]["shares"] == "25% positive 75% negative"
    # The newest positive mention now speaks for delivery.
    assert shown["Delivery"]["quote"] == PENDING

    answer = await api.post(moderation, json={"action": "reject", "reason": "off_topic"})
    assert answer.status_code == 200
    rejected = await client.get(BLOCK, params={"locale": "en"})
    assert rejected.headers["etag"] not in (before.headers["etag"], published.headers["etag"])
    assert highlights(rejected.text) == highlights(before.text)
    assert "Pending words" not in rejected.text
    stored = (await Product.get(sku="KETTLE")).highlights
    assert "Pending words" not in str(stored) and "super fast" not in str(stored)


async def test_an_erased_authors_words_leave_the_highlights(
    reviewed: dict[str, int], api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    first = PUBLISHED[0][1]
    before = await client.get(BLOCK, params={"locale": "en"})
    assert highlights(before.text)["Delivery"]["quote"] in first

    assert (await api.delete(f"/api/v1/customers/{ERASED_EMAIL}")).status_code == 204
    after = await client.get(BLOCK, params={"locale": "en"})
    assert after.headers["etag"] != before.headers["etag"]
    shown = highlights(after.text)
    assert shown["Delivery"]["count"] == "4 mentions"  # their aspects went with their words
    assert shown["Delivery"]["quote"] == "Delivery was quick and the box was well packed."
    assert "kettle boils" not in after.text
    stored = (await Product.get(sku="KETTLE")).highlights
    erased = await Review.get(author_email__isnull=True, rating=4, body="")
    assert "kettle boils" not in str(stored)
    assert all(q["review"] != erased.id for h in stored for q in h["quotes"].values())


async def test_the_shops_highlights_for_its_certificate(
    reviewed: dict[str, int], client: httpx.AsyncClient, settings: Settings
) -> None:
    product = await Product.get(sku="KETTLE")
    # All the shop's reviews are about the kettle: the same words, worked out again.
    assert await shop_highlights(product.shop_id) == product.highlights  # type: ignore[attr-defined]
    shop = await product.shop
    html = widgets.render_highlights(
        blocks.highlights_data(product.highlights, shop.slug, Links(settings)), "fr"
    )
    assert list(highlights(html)) == ["Livraison", "Qualité", "Emballage"]


async def test_the_certificate_says_what_customers_say_about_the_shop(
    reviewed: dict[str, int], client: httpx.AsyncClient
) -> None:
    product = await Product.get(sku="KETTLE")
    said = [
        "Service client injoignable, personne ne répond aux messages.",
        "Le service client ne répond jamais, très déçu.",
    ]
    for n, words in enumerate(said):  # two reviews of the shop itself
        await Review.create(
            shop_id=product.shop_id,
            product=None,
            rating=1,
            body=words,
            author_name=f"Client {30 + n}",
            author_email=f"client{30 + n}@example.com",
            status=ReviewStatus.PUBLISHED,
            source="request",
            verified=True,
            submitted_at=datetime.now(UTC),
            published_at=datetime.now(UTC),
            **sentiment_fields(analyse(words, "fr"), "fr"),
        )
    french = await client.get("/w/test-shop/certificate", params={"lang": "fr"})
    shown = highlights(french.text)
    # Across the shop's reviews: the kettle's, and the one of the shop itself.
    assert set(shown) == {"Livraison", "Qualité", "Emballage", "Service client"}
    assert "Service client" in shown and "100\u202f% négatives" in shown["Service client"]["shares"]
    assert any(words.split(",")[0] in shown["Service client"]["quote"] for words in said)
    # A product review's quote links to its page; the shop's own review has no page.
    assert re.search(r"/w/test-shop/reviews/\d+$", shown["Livraison"]["source"])
    assert shown["Service client"]["source"] == ""
    assert "Ce que disent les clients" in french.text
    english = await client.get("/w/test-shop/certificate", params={"lang": "en"})
    assert "What customers say" in english.text and "Customer service" in highlights(english.text)
    assert "AggregateRating" not in french.text + english.text  # still no rating markup
    assert REJECTED not in french.text and PENDING not in french.text


async def test_a_csv_import_refreshes_rating_and_highlights_once_at_the_end(
    api: httpx.AsyncClient,
    client: httpx.AsyncClient,
    run_cli: Callable[..., subprocess.CompletedProcess[str]],
    tmp_path: Path,
) -> None:
    await api.post("/api/v1/products", json=PRODUCTS[0])
    path = tmp_path / "reviews.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "rating", "body", "author_name", "source", "source_id",
                         "submitted_at", "published", "language"])  # fmt: skip
        for n, (language, body, day) in enumerate(PUBLISHED):
            writer.writerow(
                ["KETTLE", "4", body, f"C{n}", "csv", str(n), f"2026-10-{day:02d}", "yes", language]
            )
    done = run_cli("import-reviews", "test-shop", str(path))
    assert done.returncode == 0 and "8 imported" in done.stdout, done.stdout + done.stderr
    product = await Product.get(sku="KETTLE")
    assert product.rating_counts == {"4": 8}
    html = (await client.get(BLOCK, params={"locale": "en"})).text
    assert highlights(html)["Delivery"]["count"] == "5 mentions"
