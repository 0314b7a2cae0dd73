"""A star link of the request email in Chromium: the form opens with those stars chosen,
one press of "Envoyer mon avis" stores one review with that rating. In the demo flow too,
where the clicks are counted: star click → review stored."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import httpx
from review_helpers import order_with_request

from feedback_service import demo
from feedback_service.orders.models import Product
from feedback_service.reviews.models import Review
from feedback_service.settings import Settings

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


async def test_a_star_click_then_send_stores_one_review(api: httpx.AsyncClient, page) -> None:  # type: ignore[no-untyped-def]
    created = await order_with_request(api)
    mug = await Product.get(sku="MUG")
    links = [
        unescape(u) for u in re.findall(r'href="([^"]+stars=[^"]+)"', created["email"]["html"])
    ]
    [link] = [u for u in links if f"product={mug.id}&stars=4" in u]

    await page.goto(link)
    section = page.locator(f"#p{mug.id}")
    assert await section.get_by_role("radio", name="4 étoiles sur 5").is_checked()
    assert await page.get_by_role("radio", checked=True).count() == 1
    assert await page.get_by_role("status").inner_text() != ""
    assert await Review.all().count() == 0  # opening the form stored nothing
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "review-form-star-click-fr.png"))

    await section.get_by_label("Votre avis (facultatif)").fill("Joli émail, tient chaud.")
    # Sent from the product's own section, where the page opens: no scrolling to the end.
    assert "sous le nom « Marie C. »" in (await section.inner_text()).replace("\u00a0", " ")
    await section.get_by_role("button", name="Envoyer mon avis").click()
    await page.get_by_text("Merci pour votre avis").wait_for()
    [review] = await Review.all()
    assert (review.product_id, review.rating, review.body) == (
        mug.id,
        4,
        "Joli émail, tient chaud.",
    )


async def test_demo_flow_clicks_from_star_to_stored_review(
    page, client: httpx.AsyncClient, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    lines = await demo.load(settings)
    [star_link] = [line.split(": ", 1)[1] for line in lines if line.startswith("A star link")]
    before = await Review.filter(request__order__external_id="DEMO-GUEST").count()
    clicks = 1  # the star in the email
    await page.goto(star_link)
    send = page.get_by_role("button", name="Envoyer mon avis").first
    assert await send.is_visible() and await send.is_enabled()
    assert (await send.bounding_box())["y"] < 844  # in the first screen of the phone
    await send.click()
    clicks += 1
    await page.get_by_text("Merci pour votre avis").wait_for()
    [review] = await Review.filter(request__order__external_id="DEMO-GUEST")
    assert before == 0 and review.rating == 4
    assert clicks == 2  # star click → review stored
