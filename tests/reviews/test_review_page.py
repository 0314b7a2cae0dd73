"""/w/{shop}/reviews/{id}: one published review's own page, its card and share links."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import lxml.etree
import lxml.html
from markup_helpers import assert_markup_ok, head_tags, metas, products
from review_helpers import PRODUCTS, imported_review_id

from feedback_service.reviews.models import Review
from feedback_service.settings import Settings

SHARE_HOSTS = {
    "www.facebook.com",
    "x.com",
    "www.linkedin.com",
    "wa.me",
}


async def test_review_page_is_a_proper_card_and_passes_the_checker(
    catalogue: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    api = catalogue
    await imported_review_id(api, 1, rating=5)
    review_id = await imported_review_id(api, 2, rating=4, title="Chauffe vite")
    answer = await api.get(f"/w/test-shop/reviews/{review_id}")
    assert answer.status_code == 200 and "max-age" in answer.headers["cache-control"]
    html = answer.text
    assert_markup_ok(html, "page", tmp_path)
    assert_markup_ok(head_tags(html), "head", tmp_path)

    url = f"{settings.base_url}/w/test-shop/reviews/{review_id}"
    tags = metas(html)
    assert tags["og:url"] == url and tags["og:type"] == "article"
    assert tags["og:title"] == "Chauffe vite — Bouilloire 1,5 L"
    # The review's own card, even though the product has a picture (test_review_card.py).
    assert tags["og:image"] == tags["twitter:image"] == f"{url}/card.png"
    assert tags["og:description"].startswith("★★★★☆ 4/5 par Client 2")  # the shop is French
    assert "Texte de l'avis 2" in tags["og:description"]
    assert tags["twitter:card"] == "summary_large_image"
    doc = lxml.html.document_fromstring(html)
    assert doc.xpath('//link[@rel="canonical"]/@href') == [url]

    [product] = products(html)
    assert product["name"] == "Bouilloire 1,5 L"
    assert product["aggregateRating"]["reviewCount"] == "2"
    review = product["review"]
    review = review[0] if isinstance(review, list) else review
    assert review["name"] == "Chauffe vite" and review["reviewRating"]["ratingValue"] == "4"

    # Plain links only: no script, no third-party image, no iframe.
    assert not doc.xpath("//script | //iframe")
    for src in doc.xpath("//img/@src"):
        assert src == "https://shop.example/kettle.jpg", src
    shares = {
        urlsplit(href).hostname or urlsplit(href).scheme: href
        for href in doc.xpath('//nav[@class="fs-share"]//a/@href')
    }
    assert set(shares) == SHARE_HOSTS | {"mailto"}
    assert parse_qs(urlsplit(shares["www.facebook.com"]).query)["u"] == [url]
    assert parse_qs(urlsplit(shares["www.linkedin.com"]).query)["url"] == [url]
    assert parse_qs(urlsplit(shares["x.com"]).query)["url"] == [url]
    assert url in parse_qs(urlsplit(shares["wa.me"]).query)["text"][0]
    assert url in parse_qs(urlsplit(shares["mailto"]).query)["body"][0]
    assert "+" not in shares["mailto"]  # mail clients take "+" literally

    again = await api.get(
        f"/w/test-shop/reviews/{review_id}", headers={"If-None-Match": answer.headers["etag"]}
    )
    assert again.status_code == 304
    english = await api.get(f"/w/test-shop/reviews/{review_id}?locale=en")
    assert metas(english.text)["og:description"].startswith("★★★★☆ 4/5 by Client 2")


async def test_block_and_feed_link_to_the_review_page(
    catalogue: httpx.AsyncClient, settings: Settings
) -> None:
    api = catalogue
    review_id = await imported_review_id(api, 1)
    url = f"{settings.base_url}/w/test-shop/reviews/{review_id}"
    block = lxml.html.fromstring((await api.get("/w/test-shop/products/KETTLE/reviews")).text)
    assert block.xpath(f'//article[@id="review-{review_id}"]//a[@href="{url}"]')
    feed = lxml.etree.fromstring(
        (await api.get("/api/v1/feeds/google-product-reviews.xml")).content
    )
    assert [r.findtext("review_url") for r in feed.iter("review")] == [url]


async def test_unpublished_unknown_or_other_shops_reviews_are_a_friendly_404(
    catalogue: httpx.AsyncClient, settings: Settings
) -> None:
    api = catalogue
    pending = await imported_review_id(api, 1, published=False)
    rejected = await imported_review_id(api, 2, published=False)
    await api.post(
        f"/api/v1/reviews/{rejected}/moderation", json={"action": "reject", "reason": "spam"}
    )
    published = await imported_review_id(api, 3)
    for path in (
        f"/w/test-shop/reviews/{pending}",
        f"/w/test-shop/reviews/{rejected}",
        "/w/test-shop/reviews/999999",
        "/w/test-shop/reviews/abc",
        "/w/test-shop/reviews/" + "9" * 40,
        f"/w/other-shop/reviews/{published}",
    ):
        answer = await api.get(path, headers={"Accept-Language": "fr"})
        assert answer.status_code == 404, path
        text = lxml.html.document_fromstring(answer.text).text_content()
        assert "Cet avis n'est pas disponible" in text, path
        assert "Avis 1" not in answer.text and "Avis 2" not in answer.text
    known_shop = await api.get(f"/w/test-shop/reviews/{pending}")
    assert f'href="{settings.base_url}/w/test-shop/reviews"' in known_shop.text


async def test_hostile_review_is_inert_on_its_page(
    catalogue: httpx.AsyncClient, tmp_path: Path
) -> None:
    api = catalogue
    review_id = await imported_review_id(
        api,
        1,
        author_name="<img src=x onerror=alert(1)>\u202eevil",
        title='"><script>alert(1)</script>{{7*7}}',
        body="</textarea><svg onload=alert(2)> javascript:alert(3) " + "W" * 600,
    )
    await api.post(f"/api/v1/reviews/{review_id}/reply", json={"body": "<b onclick=x>merci</b>"})
    html = (await api.get(f"/w/test-shop/reviews/{review_id}")).text
    doc = lxml.html.document_fromstring(html)
    assert not doc.xpath("//script | //svg | //@onerror | //@onclick | //@onload")
    assert "\u202e" not in html
    assert "{{7*7}}" in doc.text_content() and "49" not in doc.text_content()
    for content in metas(html).values():
        assert "<" not in content or "&lt;" in html  # escaped in the attribute
    assert len(metas(html)["og:description"]) <= 200
    assert_markup_ok(html, "page", tmp_path)


async def test_incentivised_review_says_so_on_its_page(catalogue: httpx.AsyncClient) -> None:
    api = catalogue
    review_id = await imported_review_id(api, 1)
    await Review.filter(id=review_id).update(incentivised=True)
    html = (await api.get(f"/w/test-shop/reviews/{review_id}")).text
    text = " ".join(lxml.html.document_fromstring(html).text_content().split())
    assert "L'auteur a participé à un tirage au sort" in text
    assert re.search(r"Partager cet avis", text)


async def test_a_product_change_shows_on_the_review_page_despite_its_etag(
    catalogue: httpx.AsyncClient,
) -> None:
    """The page shows the product's name and image: renaming it must change the ETag."""
    review_id = await imported_review_id(catalogue, 1)
    first = await catalogue.get(f"/w/test-shop/reviews/{review_id}")
    renamed = {**PRODUCTS[0], "name": "Bouilloire inox 1,7 L"}
    assert (await catalogue.post("/api/v1/products", json=renamed)).status_code in (200, 201)
    again = await catalogue.get(
        f"/w/test-shop/reviews/{review_id}", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 200
    assert "Bouilloire inox 1,7 L" in again.text
