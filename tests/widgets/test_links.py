"""Every link of the blocks: the service's URLs come with the data and get their query here;
the links that change the view go to the shop's page when the block is embedded there."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from widget_samples import review

from widgets.data import PageInfo, Shop
from widgets.links import (
    canonical_url,
    certificate_url,
    current_page,
    current_sort,
    embedded_url,
    helpful_url,
    host_page,
    listing_url,
    page_count,
    policy_url,
    share_links,
)

ROOT = "https://reviews.example.com/w/la%20boutique%2F1"
SHOP = Shop(
    slug="la boutique/1",
    name="B",
    policy_url=f"{ROOT}/review-policy",
    certificate_url=f"{ROOT}/certificate",
)
BLOCK = "https://reviews.example.com/w/shop/products/KETTLE/reviews"


def page(**changes: object) -> PageInfo:
    values: dict[str, object] = {
        "page": 2,
        "pages": 3,
        "sort": "helpful",
        "lang": "fr",
        "base_url": BLOCK,
    }
    return PageInfo(**{**values, **changes})  # type: ignore[arg-type]


def test_the_shops_pages_get_their_query() -> None:
    assert policy_url(SHOP, "fr") == f"{ROOT}/review-policy?lang=fr"
    assert certificate_url(SHOP, "en") == f"{ROOT}/certificate?lang=en"
    assert certificate_url(SHOP, "fr", 3) == f"{ROOT}/certificate?lang=fr&page=3"


def test_a_helpful_vote_names_the_page_to_come_back_to() -> None:
    voted = review(7, helpful_url=f"{ROOT}/reviews/7/helpful")
    assert helpful_url(voted) == f"{ROOT}/reviews/7/helpful"
    url = helpful_url(voted, "/w/x?a=1&b=2")
    assert url.startswith(f"{ROOT}/reviews/7/helpful?")
    assert parse_qs(urlsplit(url).query) == {"return_to": ["/w/x?a=1&b=2"]}


def test_share_links_are_plain_links_to_each_networks_share_page() -> None:
    url = f"{ROOT}/reviews/7"
    links = dict(share_links(url, "★ Top & bien"))
    assert list(links) == ["facebook", "x", "linkedin", "whatsapp", "email"]
    assert parse_qs(urlsplit(links["facebook"]).query) == {"u": [url]}
    assert parse_qs(urlsplit(links["x"]).query) == {"url": [url], "text": ["★ Top & bien"]}
    assert parse_qs(urlsplit(links["whatsapp"]).query) == {"text": [f"★ Top & bien {url}"]}
    # mailto: is read literally by mail clients: spaces as %20, never "+".
    assert links["email"].startswith("mailto:?subject=%E2%98%85%20Top%20%26%20bien&body=")
    assert "+" not in links["email"]


def test_sort_and_page_numbers_are_brought_back_into_range() -> None:
    assert current_sort(page(sort="bogus")) == "recent"
    assert current_sort(page(sort="rating_asc")) == "rating_asc"
    assert page_count(page(pages=0)) == 1
    assert current_page(page(page=9)) == 3
    assert current_page(page(page=-1)) == 1


def test_listing_links_keep_the_filter_unless_told_otherwise() -> None:
    assert listing_url(page(), number=3) == f"{BLOCK}?page=3&sort=helpful&lang=fr"
    assert listing_url(page(), sort="recent") == f"{BLOCK}?page=1&sort=recent&lang=fr"
    assert listing_url(page(), lang="en") == f"{BLOCK}?page=1&sort=helpful&lang=en"
    assert listing_url(page(), lang=None) == f"{BLOCK}?page=1&sort=helpful"


def test_embedded_blocks_link_to_the_shops_page_with_fs_parameters() -> None:
    embedded = page(host_url="https://shop.example/p?color=red&fs_page=9&fs_sort=x#top")
    assert listing_url(embedded, number=3) == (
        "https://shop.example/p?color=red&fs_page=3&fs_sort=helpful&fs_lang=fr#fs-reviews"
    )
    assert host_page(embedded) == (
        "https://shop.example/p?color=red&fs_page=2&fs_sort=helpful&fs_lang=fr#fs-reviews"
    )
    # The shop's own parameters stay as written; ours replace any it had, encoded or not.
    assert embedded_url("https://shop.example/p?a=%2F&fs%5Fpage=2", {"page": 1}) == (
        "https://shop.example/p?a=%2F&fs_page=1#fs-reviews"
    )


def test_a_host_page_that_is_not_an_http_url_is_ignored() -> None:
    hostile = page(host_url="javascript:alert(1)")
    assert host_page(hostile) is None
    assert listing_url(hostile) == f"{BLOCK}?page=1&sort=helpful&lang=fr"


def test_one_canonical_per_page_of_the_default_listing() -> None:
    assert canonical_url(page(page=1)) == BLOCK
    assert canonical_url(page(page=2, sort="rating_asc", lang="en")) == f"{BLOCK}?page=2"
    assert canonical_url(page(page=7)) == f"{BLOCK}?page=3"
