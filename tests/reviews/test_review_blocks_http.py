"""The served blocks: markup that passes Google's rules, caching, what is shown and not."""

from __future__ import annotations

from pathlib import Path

import extruct
import httpx
import lxml.html
from markup_check import assert_markup_ok
from review_helpers import imported_review

from feedback_service.reviews.models import Review

HOSTILE = {
    "author_name": "<img src=x onerror=alert(1)>\u202eevil" + "N" * 60,
    "title": "{{7*7}} </script><script>alert(1)</script>",
    "body": "javascript:alert(1) \u2028 " + "W" * 4900,
}


async def test_every_block_passes_check_markup(
    catalogue: httpx.AsyncClient, tmp_path: Path
) -> None:
    api = catalogue
    for n, rating in enumerate([5, 4, 4, 2]):
        await imported_review(api, n, rating=rating)
    await imported_review(api, 10, rating=1, published=False)
    reviews = await api.get("/w/test-shop/products/KETTLE/reviews")
    assert reviews.status_code == 200
    print(assert_markup_ok(reviews.text, "reviews", tmp_path))
    head = await api.get("/w/test-shop/products/KETTLE/head")
    print(assert_markup_ok(head.text, "head", tmp_path))
    full = await api.get("/w/test-shop/products/KETTLE")
    print(assert_markup_ok(full.text, "page", tmp_path))
    shop_page = await api.get("/w/test-shop/reviews")
    print(assert_markup_ok(shop_page.text, "page", tmp_path))
    badge = await api.get("/w/test-shop/products/KETTLE/badge")
    assert badge.status_code == 200 and "3,8" in badge.text  # the shop is French


async def test_markup_matches_published_reviews_only(catalogue: httpx.AsyncClient) -> None:
    api = catalogue
    for n, rating in enumerate([5, 3]):
        await imported_review(api, n, rating=rating)
    await imported_review(api, 5, rating=1, published=False)
    rejected = await imported_review(api, 6, rating=1, published=False)
    await api.post(
        f"/api/v1/reviews/{rejected['id']}/moderation", json={"action": "reject", "reason": "spam"}
    )
    html = (await api.get("/w/test-shop/products/KETTLE/reviews")).text
    data = extruct.extract(html, syntaxes=["microdata"], uniform=True)["microdata"]
    [product] = [item for item in data if item["@type"] == "Product"]
    aggregate = product["aggregateRating"]
    assert (float(aggregate["ratingValue"]), aggregate["reviewCount"]) == (4.0, "2")
    titles = sorted(r["name"] for r in product["review"])
    assert titles == ["Avis 0", "Avis 1"]
    assert "Avis 5" not in html and "Avis 6" not in html


async def test_etag_and_304(catalogue: httpx.AsyncClient) -> None:
    api = catalogue
    await imported_review(api, 0, rating=5)
    first = await api.get("/w/test-shop/products/KETTLE/reviews")
    etag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = await api.get("/w/test-shop/products/KETTLE/reviews", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    await imported_review(api, 1, rating=2)  # a new published review
    changed = await api.get("/w/test-shop/products/KETTLE/reviews", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


async def test_hostile_text_is_inert_and_markup_stays_valid(
    catalogue: httpx.AsyncClient, tmp_path: Path
) -> None:
    api = catalogue
    review = await imported_review(api, 0, rating=4, **HOSTILE)
    await api.post(f"/api/v1/reviews/{review['id']}/reply", json={"body": "<b onclick=x>merci</b>"})
    for path, kind in (
        ("/w/test-shop/products/KETTLE/reviews", "reviews"),
        ("/w/test-shop/products/KETTLE", "page"),
    ):
        html = (await api.get(path)).text
        doc = lxml.html.fromstring(html)
        assert not doc.xpath("//script"), path
        assert not doc.xpath("//@onerror|//@onclick"), path
        assert "49" not in doc.text_content().replace("4,9", "")
        assert "{{7*7}}" in doc.text_content()
        assert "\u202e" not in html
        assert_markup_ok(html, kind, tmp_path)


async def test_helpful_votes_once_per_browser(catalogue: httpx.AsyncClient) -> None:
    api = catalogue
    review = await imported_review(api, 0, rating=5)
    url = f"/w/test-shop/reviews/{review['id']}/helpful"
    first = await api.post(url)
    assert first.status_code == 303 and "#review-" in first.headers["location"]
    await api.post(url)  # the same browser again
    assert (await Review.get(id=review["id"])).helpful_count == 1
    assert (await api.post("/w/test-shop/reviews/999999/helpful")).status_code == 404
    pending = await imported_review(api, 1, rating=5, published=False)
    assert (await api.post(f"/w/test-shop/reviews/{pending['id']}/helpful")).status_code == 404


async def test_unknown_shop_or_product_is_404(catalogue: httpx.AsyncClient) -> None:
    api = catalogue
    for path in (
        "/w/nope/products/KETTLE/reviews",
        "/w/test-shop/products/NOPE",
        "/w/nope/reviews",
        "/w/test-shop/products/KETTLE/other",
    ):
        assert (await api.get(path)).status_code == 404, path
    odd = await api.get("/w/test-shop/products/KETTLE/reviews?page=-3&sort=evil&lang=xx")
    assert odd.status_code == 200


async def test_google_feed(catalogue: httpx.AsyncClient) -> None:
    api = catalogue
    await imported_review(api, 0, rating=5)
    await imported_review(api, 1, rating=1, published=False)
    answer = await api.get("/api/v1/feeds/google-product-reviews.xml")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/xml"
    root = lxml.etree.fromstring(answer.content)
    reviews = root.findall(".//review")
    assert len(reviews) == 1
    assert reviews[0].findtext("ratings/overall") == "5"
    assert reviews[0].findtext(".//gtin") == "3700000000017"
