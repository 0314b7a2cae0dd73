"""A "helpful" vote goes back to the page it came from: one of the shop's pages here, or a
page of the shop's own site (the origin of the product's url), where the block is embedded."""

from __future__ import annotations

import httpx
import lxml.html
import pytest
from review_helpers import imported_review_id

from feedback_service.reviews.models import Review
from feedback_service.settings import Settings

ATTACKS = [
    "https://evil.example/w/test-shop/reviews",
    "//evil.example/w/test-shop/reviews",
    "/\\evil.example/w/test-shop/",
    "\\\\evil.example",
    "/w/other-shop/reviews/1",
    "/w/test-shop/../other-shop/reviews",
    "/w/test-shop/%2e%2e/other-shop/reviews",
    "/w/test-shop//evil.example/",
    "/w/test-shop/reviews\r\nSet-Cookie: x=1",
    "javascript:alert(1)",
    "/admin/settings",
    # The shop's site is https://shop.example (the product's url): nothing else of it.
    "https://shop.example.evil.example/kettle",
    "https://shop.example@evil.example/kettle",
    "https://evil.example@shop.example/kettle",
    "http://shop.example/kettle",
    "https://shop.example:8443/kettle",
    "https://shop.example:99999/kettle",
    "https://shop.example/kettle\\@evil.example",
    "https://shop.example/kettle\r\nSet-Cookie: x=1",
]


def vote_form(html: str) -> str:
    [action] = lxml.html.document_fromstring(html).xpath('//form[@class="fs-helpful"]/@action')
    return str(action)


async def test_a_vote_on_the_review_page_comes_back_to_it(
    catalogue: httpx.AsyncClient, settings: Settings
) -> None:
    api = catalogue
    review_id = await imported_review_id(api, 1)
    page = f"{settings.base_url}/w/test-shop/reviews/{review_id}"
    action = vote_form((await api.get(page)).text)
    assert action.startswith(f"{page}/helpful?")
    voted = await api.post(action)  # no Referer: browsers and privacy tools may drop it
    assert voted.status_code == 303
    assert voted.headers["location"] == f"{page}#review-{review_id}"
    assert (await Review.get(id=review_id)).helpful_count == 1


async def test_a_vote_from_one_of_our_pages_comes_back_to_it(
    catalogue: httpx.AsyncClient, settings: Settings
) -> None:
    api = catalogue
    review_id = await imported_review_id(api, 1)
    listing = f"{settings.base_url}/w/test-shop/reviews?page=1&sort=helpful"
    voted = await api.post(
        f"/w/test-shop/reviews/{review_id}/helpful", headers={"Referer": listing}
    )
    assert voted.headers["location"] == f"{listing}#review-{review_id}"
    # The block embedded on the shop's own site, the origin of the product's url: back there.
    voted = await api.post(
        f"/w/test-shop/reviews/{review_id}/helpful",
        headers={"Referer": "https://shop.example/kettle?colour=red"},
    )
    assert voted.headers["location"] == f"https://shop.example/kettle?colour=red#review-{review_id}"
    # Browsers send only the origin to another site: that is the product's page there.
    voted = await api.post(
        f"/w/test-shop/reviews/{review_id}/helpful", headers={"Referer": "https://shop.example/"}
    )
    assert voted.headers["location"] == f"https://shop.example/kettle#review-{review_id}"
    # Any other site: the product's page here.
    voted = await api.post(
        f"/w/test-shop/reviews/{review_id}/helpful",
        headers={"Referer": "https://elsewhere.example/kettle"},
    )
    assert voted.headers["location"] == (
        f"{settings.base_url}/w/test-shop/products/KETTLE#review-{review_id}"
    )


async def test_a_vote_in_the_embedded_block_returns_to_that_view_of_the_shops_page(
    catalogue: httpx.AsyncClient, settings: Settings
) -> None:
    api = catalogue
    review_id = await imported_review_id(api, 1)
    block = await api.get("/w/test-shop/products/KETTLE/reviews?fs_sort=helpful&fs_lang=fr")
    action = vote_form(block.text)
    voted = await api.post(action, headers={"Referer": "https://shop.example/"})
    assert voted.status_code == 303
    assert voted.headers["location"] == (
        f"https://shop.example/kettle?fs_page=1&fs_sort=helpful&fs_lang=fr#review-{review_id}"
    )
    assert (await Review.get(id=review_id)).helpful_count == 1


@pytest.mark.parametrize("target", ATTACKS)
async def test_an_attackers_return_target_is_ignored(
    catalogue: httpx.AsyncClient, settings: Settings, target: str
) -> None:
    api = catalogue
    review_id = await imported_review_id(api, 1)
    product_page = f"{settings.base_url}/w/test-shop/products/KETTLE#review-{review_id}"
    url = f"/w/test-shop/reviews/{review_id}/helpful"
    tries = [
        api.post(url, params={"return_to": target}),
        api.post(url, data={"return_to": target}),
    ]
    if "\r" not in target:
        tries.append(api.post(url, headers={"Referer": f"{settings.base_url}{target}"}))
        tries.append(api.post(url, headers={"Referer": target}))
    for attempt in tries:
        voted = await attempt
        assert voted.status_code == 303, voted.text
        assert voted.headers["location"] == product_page, target
