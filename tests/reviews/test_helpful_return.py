"""A "helpful" vote goes back to the page it came from, and only to one of the shop's pages."""

from __future__ import annotations

import httpx
import lxml.html
import pytest
from test_review_page import catalogue, imported

from feedback_service.reviews.models import Review
from feedback_service.settings import Settings

__all__ = ["catalogue"]  # the fixture, shared with test_review_page

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
]


def vote_form(html: str) -> str:
    [action] = lxml.html.document_fromstring(html).xpath('//form[@class="fs-helpful"]/@action')
    return str(action)


async def test_a_vote_on_the_review_page_comes_back_to_it(
    catalogue: httpx.AsyncClient, settings: Settings
) -> None:
    api = catalogue
    review_id = await imported(api, 1)
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
    review_id = await imported(api, 1)
    listing = f"{settings.base_url}/w/test-shop/reviews?page=1&sort=helpful"
    voted = await api.post(
        f"/w/test-shop/reviews/{review_id}/helpful", headers={"Referer": listing}
    )
    assert voted.headers["location"] == f"{listing}#review-{review_id}"
    # The block embedded on the shop's own site: another origin, so the product page.
    voted = await api.post(
        f"/w/test-shop/reviews/{review_id}/helpful",
        headers={"Referer": "https://shop.example/kettle"},
    )
    assert voted.headers["location"] == (
        f"{settings.base_url}/w/test-shop/products/KETTLE#review-{review_id}"
    )


@pytest.mark.parametrize("target", ATTACKS)
async def test_an_attackers_return_target_is_ignored(
    catalogue: httpx.AsyncClient, settings: Settings, target: str
) -> None:
    api = catalogue
    review_id = await imported(api, 1)
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
