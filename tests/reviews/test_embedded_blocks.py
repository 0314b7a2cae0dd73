"""Blocks embedded in the shop's product page belong to that page: its URL in og:url and as
the full page's canonical, view links to it with fs_ parameters, caching for proxies."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import lxml.html
from review_helpers import imported_review

from feedback_service.orders.models import Product

SHOP_PAGE = "https://shop.example/kettle"  # KETTLE's url


def head(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><head>{html}</head><body></body></html>")


async def test_head_fragment_names_the_shops_page_and_no_canonical(
    catalogue: httpx.AsyncClient,
) -> None:
    api = catalogue
    await imported_review(api, 0, rating=5)
    fragment = await api.get("/w/test-shop/products/KETTLE/head")
    doc = head(fragment.text)
    assert doc.xpath('//link[@rel="canonical"]') == []
    assert doc.xpath('//meta[@property="og:url"]/@content') == [SHOP_PAGE]
    assert str(api.base_url).rstrip("/") not in fragment.text  # nothing points here


async def test_the_full_page_declares_the_shops_page_canonical(
    catalogue: httpx.AsyncClient,
) -> None:
    api = catalogue
    await imported_review(api, 0, rating=5)
    page = lxml.html.document_fromstring((await api.get("/w/test-shop/products/KETTLE")).text)
    assert page.xpath('//link[@rel="canonical"]/@href') == [SHOP_PAGE]
    assert page.xpath('//meta[@property="og:url"]/@content') == [SHOP_PAGE]


async def test_a_product_without_a_usable_url_keeps_this_services_page(
    catalogue: httpx.AsyncClient,
) -> None:
    api = catalogue
    product = {"sku": "LAMP", "name": "Lampe", "url": "https://shop.example/lamp"}
    assert (await api.post("/api/v1/products", json=product)).status_code == 201
    await imported_review(api, 0, rating=5, sku="LAMP")
    # The API takes http(s) URLs only; a product from elsewhere (an import) may have none.
    await Product.filter(sku="LAMP").update(url="")
    ours = f"{api.base_url}/w/test-shop/products/LAMP".replace("//w", "/w")
    doc = head((await api.get("/w/test-shop/products/LAMP/head")).text)
    assert doc.xpath('//link[@rel="canonical"]/@href') == [ours]
    assert doc.xpath('//meta[@property="og:url"]/@content') == [ours]
    block = lxml.html.fromstring((await api.get("/w/test-shop/products/LAMP/reviews")).text)
    assert all(href.startswith(f"{ours}/reviews?") for href in block.xpath("//nav//a/@href"))


async def test_fragment_links_go_to_the_shops_page_and_fs_names_are_accepted(
    catalogue: httpx.AsyncClient,
) -> None:
    api = catalogue
    for n in range(25):  # two pages
        await imported_review(api, n, rating=1 + n % 5)
    block = await api.get("/w/test-shop/products/KETTLE/reviews")
    doc = lxml.html.fromstring(block.text)
    links = doc.xpath("//nav//a/@href")
    assert links and all(link.startswith(f"{SHOP_PAGE}?fs_page=") for link in links)
    [next_page] = doc.xpath('//a[@rel="next"]/@href')
    assert parse_qs(urlsplit(next_page).query) == {"fs_page": ["2"], "fs_sort": ["recent"]}
    # The shop's server passes its query string on: fs_ names, or the old ones, same block.
    new = await api.get("/w/test-shop/products/KETTLE/reviews?fs_page=2&fs_sort=rating_asc")
    old = await api.get("/w/test-shop/products/KETTLE/reviews?page=2&sort=rating_asc")
    assert new.status_code == old.status_code == 200
    assert new.headers["etag"] == old.headers["etag"] != block.headers["etag"]
    assert new.text == old.text
    shown = lxml.html.fromstring(new.text)
    assert shown.xpath('//*[contains(@class, "fs-page-of")]/text()') == ["Page 2 sur 2"]
    assert "fs_sort=rating_asc" in shown.xpath('//a[@rel="prev"]/@href')[0]
    # fs_ names win over the old ones the shop's own page may use for something else.
    both = await api.get("/w/test-shop/products/KETTLE/reviews?page=9&fs_page=2&fs_sort=rating_asc")
    assert both.headers["etag"] == new.headers["etag"]


async def test_blocks_tell_proxies_and_cdns_how_long_and_come_gzipped(
    catalogue: httpx.AsyncClient,
) -> None:
    """Cache-Control for shared caches (kept fresh 5 min, served stale while refetching or
    when this service fails), ETag and 304 unchanged, gzip for those that accept it."""
    api = catalogue
    for n in range(5):
        await imported_review(api, n, rating=5)
    for kind in ("/reviews", "/head", "/badge", ""):
        path = f"/w/test-shop/products/KETTLE{kind}"
        plain = await api.get(path, headers={"Accept-Encoding": "identity"})
        directives = {d.strip().split("=")[0]: d for d in plain.headers["cache-control"].split(",")}
        assert set(directives) == {"public", "max-age", "stale-while-revalidate", "stale-if-error"}
        assert "content-encoding" not in plain.headers
        etag = plain.headers["etag"]
        packed = await api.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert packed.headers["etag"] == etag and packed.content == plain.content
        if len(plain.content) >= 1024:
            assert packed.headers["content-encoding"] == "gzip", path
            assert packed.headers["vary"] == "Accept-Encoding"
            assert int(packed.headers["content-length"]) < len(plain.content) / 2
        again = await api.get(path, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["cache-control"] == plain.headers["cache-control"]
