"""The Google feed at a secret URL: fetched as Merchant Center does (no header), a wrong or
rotated token is a 404, ETag and 304, gzip, every published review every time."""

from __future__ import annotations

import re

import httpx
import lxml.etree
import lxml.html
from admin_helpers import csrf_of, log_in
from review_helpers import PRODUCTS, imported_review
from starlette.applications import Starlette

from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user

FEED = re.compile(r"/feeds/test-shop/[A-Za-z0-9_-]{32}/google-product-reviews\.xml")


async def feed_url_in_admin(client: httpx.AsyncClient) -> tuple[str, str]:
    """The feed URL the settings page shows, and the page's CSRF token."""
    html = (await client.get("/admin/settings")).text
    doc = lxml.html.fromstring(html)
    [url] = doc.xpath('//section[@id="feed-url"]//input[@type="url"]/@value')
    return str(url), csrf_of(html)


async def test_merchant_center_fetches_the_feed_without_any_header(
    api: httpx.AsyncClient, shop_and_key: tuple[Shop, str], settings: Settings, app: Starlette
) -> None:
    for product in PRODUCTS:
        await api.post("/api/v1/products", json=product)
    for n in range(3):
        await imported_review(api, n, rating=5 - n)
    await imported_review(api, 9, rating=1, published=False)
    await create_user(shop_and_key[0], "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(api, "boss@shop.fr", "correct horse battery")
    url, csrf = await feed_url_in_admin(api)
    assert url.startswith(settings.base_url) and FEED.fullmatch(url[len(settings.base_url) :])

    # Merchant Center: no API key, no cookie, just the URL.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as fetcher:
        fetched = await fetcher.get(url, headers={"Accept-Encoding": "identity"})
        assert fetched.status_code == 200, fetched.text
        assert fetched.headers["content-type"] == "application/xml"
        root = lxml.etree.fromstring(fetched.content)
        reviews = root.findall("reviews/review")
        assert sorted(r.findtext("title") for r in reviews) == ["Avis 0", "Avis 1", "Avis 2"]
        first = next(r for r in reviews if r.findtext("title") == "Avis 0")
        # Imported without an order: neither verified nor collected after fulfilment.
        assert first.findtext("is_verified_purchase") == "false"
        assert first.findtext("is_incentivized_review") == "false"
        assert first.findtext("collection_method") == "unsolicited"
        ids = first.find("products/product/product_ids")
        assert ids.findtext("gtins/gtin") == "3700000000017"
        assert ids.findtext("skus/sku") == "KETTLE"
        assert ids.findtext("brands/brand") == "Acme"

        etag = fetched.headers["etag"]
        again = await fetcher.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        packed = await fetcher.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.headers["etag"] == etag
        assert packed.content == fetched.content  # httpx has unpacked it

        wrong = url.replace("/google-product", "x/google-product")
        for bad in (
            wrong,
            url.replace("/test-shop/", "/other-shop/"),
            re.sub(r"/[A-Za-z0-9_-]{32}/", "/" + "A" * 32 + "/", url),
            re.sub(r"/[A-Za-z0-9_-]{32}/", "/%C3%A9t%C3%A9/", url),
        ):
            assert (await fetcher.get(bad)).status_code == 404, bad

        # A new address: the old one is a 404 at once, the new one works.
        rotated = await api.post("/admin/settings/feed-url", data={"csrf": csrf})
        assert rotated.status_code == 303
        new_url, _ = await feed_url_in_admin(api)
        assert new_url != url
        assert (await fetcher.get(url)).status_code == 404
        assert (await fetcher.get(new_url)).status_code == 200
        forged = await api.post("/admin/settings/feed-url", data={"csrf": "forged"})
        assert forged.status_code == 403
        assert (await feed_url_in_admin(api))[0] == new_url
