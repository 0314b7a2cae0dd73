"""The README's server-side include, run for real: Debian's nginx in front of a static shop
page includes the blocks from the running app; the composed page is the shop's, passes the
markup checks, and stays fast and clean when the app hangs or is down."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import lxml.html
import pytest
from markup_helpers import assert_markup_ok, products, visible_text
from peers import free_port
from ssi_helpers import MISSING, NGINX, SHORT_FRESHNESS, NginxShop

from feedback_service.settings import Settings
from feedback_service.shops.models import Shop

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason=MISSING)

ERROR_TEXTS = ("error occurred", "Bad Gateway", "Gateway Time", "502", "504", "nginx")


def review(n: int) -> dict[str, object]:
    return {
        "sku": "KETTLE",
        "rating": 1 + n % 5,
        "title": f"Avis {n}",
        "body": f"Texte de l'avis {n} sur la bouilloire.",
        "author_name": f"Client {n}",
        "source": "legacy",
        "source_id": str(n),
        "submitted_at": f"2026-10-{1 + n:02d}T10:00:00Z",
        "published": True,
    }


def composed(url: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    answer = httpx.get(url, timeout=10)
    return answer, time.monotonic() - started


def view_links(doc: lxml.html.HtmlElement) -> list[str]:
    """The links that change what the block shows: sorts, languages, pages."""
    return [
        str(href)
        for href in doc.xpath(
            '//nav[contains(@class, "fs-toolbar") or contains(@class, "fs-pages")]//a/@href'
        )
    ]


def assert_clean(answer: httpx.Response, seconds: float) -> None:
    assert answer.status_code == 200
    assert seconds < 2, seconds
    text = visible_text(answer.text)
    assert not [word for word in ERROR_TEXTS if word in text], text


@pytest.mark.slow
async def test_nginx_ssi_composes_the_shops_page_and_survives_the_app_going_down(
    api: httpx.AsyncClient,
    shop_and_key: tuple[Shop, str],
    settings: Settings,
    tmp_path: Path,
    start_server: Callable[[Settings, int], subprocess.Popen[bytes]],
) -> None:
    app_port = free_port()
    nginx = NginxShop(tmp_path / "nginx", app_port, "test-shop", "KETTLE", cache=SHORT_FRESHNESS)
    product = {
        "sku": "KETTLE",
        "name": "Bouilloire 1,5 L",
        "url": nginx.page_url,
        "image_url": f"{nginx.origin}/kettle.jpg",
        "brand": "Acme",
        "gtin": "3700000000017",
    }
    assert (await api.post("/api/v1/products", json=product)).status_code == 201
    for n in range(25):  # two pages of reviews
        assert (await api.post("/api/v1/reviews", json=review(n))).status_code == 201
    ours = settings.model_copy(update={"public_base_url": f"http://127.0.0.1:{app_port}"})
    app = start_server(ours, app_port)  # stopped by the fixture if the test fails
    with nginx:
        page, seconds = composed(nginx.page_url)
        assert_clean(page, seconds)
        doc = lxml.html.document_fromstring(page.text)
        # The reviews are in the shop's page, with markup that passes the checks.
        assert len(doc.xpath('//article[contains(@class, "fs-review")]')) == 20
        assert "Bouilloire 1,5 L" in visible_text(page.text)
        assert_markup_ok(page.text, "page", tmp_path)
        [item] = products(page.text)
        assert item["aggregateRating"]["reviewCount"] == "25"
        # The shop's canonical is the only one, and og:url agrees with it.
        assert doc.xpath('//link[@rel="canonical"]/@href') == [nginx.page_url]
        assert doc.xpath('//meta[@property="og:url"]/@content') == [nginx.page_url]
        # Every view-changing link stays on the shop's site.
        links = view_links(doc)
        assert len(links) >= 7
        for link in links:
            assert link.startswith(f"{nginx.page_url}?fs_page="), link
        # ... and the shop's server passes them on: page 2, sorted, through nginx.
        [next_page] = doc.xpath('//a[@rel="next"]/@href')
        lowest = next(link for link in links if "fs_sort=rating_asc" in link)
        second, seconds = composed(next_page)
        assert_clean(second, seconds)
        assert "Page 2 sur 2" in visible_text(second.text)
        assert len(lxml.html.fromstring(second.text).xpath("//article")) == 5
        sorted_page, _ = composed(lowest)
        stars = lxml.html.fromstring(sorted_page.text).xpath(
            '//article//meta[@itemprop="ratingValue"]/@content'
        )
        assert stars[:5] == ["1"] * 5
        # A vote in the block comes back to this page of the shop.
        action = doc.xpath('//form[@class="fs-helpful"]/@action')[0]
        back = parse_qs(urlsplit(action).query)["return_to"][0]
        assert back.startswith(f"{nginx.page_url}?")

        time.sleep(1.2)  # what nginx keeps is now stale (SHORT_FRESHNESS)
        # The app hangs: nginx gives up after its read timeout, serves what it kept.
        os.kill(app.pid, signal.SIGSTOP)
        try:
            hung, seconds = composed(nginx.page_url)
            assert_clean(hung, seconds)
            assert len(lxml.html.fromstring(hung.text).xpath("//article")) == 20
        finally:
            os.kill(app.pid, signal.SIGCONT)
        # The app is down: the last good blocks, at once.
        app.terminate()
        app.wait(10)
        for url in (nginx.page_url, next_page):
            down, seconds = composed(url)
            assert_clean(down, seconds)
            shown = lxml.html.fromstring(down.text)
            assert shown.xpath("//article"), url
            assert shown.xpath('//link[@rel="canonical"]/@href') == [nginx.page_url]
        # A view nobody asked for yet: the shop's page without reviews, no error.
        never = f"{nginx.page_url}?fs_sort=helpful&fs_page=2"
        bare, seconds = composed(never)
        assert_clean(bare, seconds)
        assert "39,90 €" in bare.text and not lxml.html.fromstring(bare.text).xpath("//article")
