"""One-click stars in the review request email: a star link opens the form with that rating
chosen (a GET or HEAD stores nothing: mail scanners fetch every link); the customer's POST
stores one review with it; a forged star link gets a friendly page and stores nothing."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from html_helpers import assert_valid_page
from review_helpers import order_with_request

from feedback_service.orders.models import Product
from feedback_service.reviews.models import Review, ReviewRequest


def star_links(html: str) -> list[str]:
    return [unescape(link) for link in re.findall(r'href="([^"]+/r/[^"]+stars=[^"]+)"', html)]


async def stored_nothing() -> None:
    assert await Review.all().count() == 0
    assert (await ReviewRequest.get()).submitted_at is None


async def test_the_email_has_five_star_links_per_product_in_both_parts(
    api: httpx.AsyncClient,
) -> None:
    created = await order_with_request(api)
    email = created["email"]
    kettle, mug = await Product.filter(sku__in=["KETTLE", "MUG"]).order_by("sku")
    links = star_links(email["html"])
    assert len(links) == 10
    wanted = {(str(p.id), str(n)) for p in (kettle, mug) for n in range(1, 6)}
    found = {(q["product"][0], q["stars"][0]) for q in (parse_qs(urlsplit(u).query) for u in links)}
    assert found == wanted
    assert all(link.startswith(created["url"] + "?") for link in links)
    # Labelled for screen readers, in the customer's language.
    assert 'aria-label="4 étoiles sur 5"' in email["html"] and "1 étoile sur 5" in email["html"]
    text = email["text"]
    assert "Bouilloire 1,5 L" in text and "Mug émaillé" in text
    assert text.count("?product=") == 10 and "5 étoiles sur 5 : http" in text.replace("\u202f", " ")
    assert created["url"] in text  # the whole form, for the shop review and photos


async def test_scanners_fetching_every_star_link_store_nothing(api: httpx.AsyncClient) -> None:
    created = await order_with_request(api)
    links = star_links(created["email"]["html"])
    links += re.findall(r"https?://\S+\?product=\S+", created["email"]["text"])
    assert len(links) == 20
    for link in links:
        for method in ("HEAD", "GET"):
            answer = await api.request(method, link, headers={"user-agent": "Barracuda/1.0"})
            assert answer.status_code == 200, (method, link)
    await stored_nothing()


async def test_a_star_click_preselects_and_the_post_stores_one_review(
    api: httpx.AsyncClient,
) -> None:
    created = await order_with_request(api)
    mug = await Product.get(sku="MUG")
    [link] = [u for u in star_links(created["email"]["html"]) if f"product={mug.id}&stars=4" in u]
    form = await api.get(link)
    assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
    assert_valid_page(form.text, "star form")
    checked = re.findall(r'name="(p\d+_rating)" value="(\d)" checked', form.text)
    assert checked == [(f"p{mug.id}_rating", "4")]
    assert "Votre note pour Mug émaillé est choisie" in form.text
    await stored_nothing()

    # What the browser sends when the customer presses "Envoyer mon avis" at once.
    data = {name: value for name, value in checked} | {"display_name": "Marie C."}
    sent = await api.post(created["url"], data=data | {"consent": "yes"})
    assert sent.status_code == 303
    [review] = await Review.all()
    assert (review.product_id, review.rating, review.body) == (mug.id, 4, "")
    assert review.status == "pending" and review.verified
    again = await api.get(link)  # the same star once more: the thanks page, nothing new
    assert again.status_code == 303 and again.headers["location"].endswith("/thanks")
    assert await Review.all().count() == 1


async def test_sending_without_the_button_is_not_consent(api: httpx.AsyncClient) -> None:
    created = await order_with_request(api)
    mug = await Product.get(sku="MUG")
    answer = await api.post(
        created["url"], data={f"p{mug.id}_rating": "4", "display_name": "Marie C."}
    )
    assert answer.status_code == 400
    await stored_nothing()


@pytest.mark.parametrize(
    "query",
    [
        "product={mug}&stars=0",
        "product={mug}&stars=6",
        "product={mug}&stars=4.5",
        "product={mug}&stars=%EF%BC%94",  # a full-width 4
        "product={mug}&stars=",
        "product={mug}",
        "stars=4",
        "product=999999&stars=4",
        "product={other}&stars=4",  # a product of another order
        "product=-1&stars=4",
        "product=1e9999&stars=4",
        "product={mug}&stars=" + "9" * 5000,
    ],
)
async def test_a_forged_star_link_gets_a_friendly_page_and_stores_nothing(
    api: httpx.AsyncClient, query: str
) -> None:
    created = await order_with_request(api)
    added = await api.post(
        "/api/v1/products", json={"sku": "OTHER", "name": "Autre", "url": "https://shop.example/o"}
    )
    assert added.status_code in (200, 201)
    mug, other = await Product.get(sku="MUG"), await Product.get(sku="OTHER")
    url = created["url"] + "?" + query.format(mug=mug.id, other=other.id)
    answer = await api.get(url, headers={"accept-language": "en"})
    assert answer.status_code == 400
    assert "Ce lien d'étoiles n'est pas valide" in unescape(answer.text)  # the customer's
    assert f'href="{created["url"]}"' in answer.text  # and the way on
    assert_valid_page(answer.text, "bad star link")
    await stored_nothing()


async def test_an_english_customer_reads_english(api: httpx.AsyncClient) -> None:
    created = await order_with_request(api, locale="en")
    assert "Click the stars you would give" in created["email"]["html"]
    bad = await api.get(created["url"] + "?stars=7", headers={"accept-language": "fr"})
    assert bad.status_code == 400 and "This star link is not valid" in bad.text
    [link] = [u for u in star_links(created["email"]["html"]) if "stars=5" in u][:1]
    form = await api.get(link)
    assert "is chosen: 5 out of 5 stars" in form.text
    assert "By sending your review, you agree" in form.text


async def test_a_forged_token_with_stars_is_the_usual_bad_link_page(
    api: httpx.AsyncClient,
) -> None:
    created = await order_with_request(api)
    forged = created["url"][:-3] + "abc?product=1&stars=5"
    answer = await api.get(forged, headers={"accept-language": "fr"})
    assert answer.status_code == 404 and "Ce lien n'est pas valide" in unescape(answer.text)
    await stored_nothing()
