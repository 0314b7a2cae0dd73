"""A customer rates the shop in Chromium's review form; published, it shows on the
certificate, and the badge counts it."""

from __future__ import annotations

from pathlib import Path

import httpx
from review_helpers import order_with_request

from feedback_service.reviews.models import Review

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


async def test_the_shop_part_of_the_form_to_the_certificate(api: httpx.AsyncClient, page) -> None:  # type: ignore[no-untyped-def]
    created = await order_with_request(api)
    await page.goto(created["url"])
    shop_part = page.locator("section#shop-review")
    await shop_part.get_by_role("heading", name="Votre avis sur Boutique Test").wait_for()
    # The stars of each question are their own group: a click in one leaves the others.
    overall = shop_part.locator("fieldset", has_text="Note globale de la boutique")
    await overall.get_by_title("4 étoiles sur 5").click()
    await (
        shop_part.locator("fieldset", has_text="Livraison").get_by_title("5 étoiles sur 5").click()
    )
    described = shop_part.locator("fieldset", has_text="Produit conforme à la description")
    await described.get_by_title("3 étoiles sur 5").click()
    await shop_part.get_by_label("Sur la boutique (facultatif)").fill("Emballage soigné, merci.")
    assert await overall.locator("input:checked").get_attribute("value") == "4"
    await page.get_by_label("Nom affiché avec votre avis").fill("Marie C.")
    assert await page.get_by_text("En envoyant votre avis, vous acceptez").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    await shop_part.screenshot(path=str(ARTIFACTS / "review-form-shop-part-fr.png"))
    await page.get_by_role("button", name="Envoyer mon avis").click()
    await page.get_by_text("Merci pour votre avis").wait_for()

    [review] = await Review.all()  # no product rated: only the shop's review
    assert review.product_id is None
    assert (review.rating, review.rating_delivery, review.rating_as_described) == (4, 5, 3)
    assert review.rating_service is None and review.body == "Emballage soigné, merci."
    moderated = await api.post(
        f"/api/v1/reviews/{review.id}/moderation", json={"action": "publish"}
    )
    assert moderated.status_code == 200

    await page.goto(str(api.base_url.join("/w/test-shop/certificate")))
    entry = page.locator(f"article#review-{review.id}")
    await entry.wait_for()
    assert "Emballage soigné, merci." in await entry.inner_text()
    assert "Achat vérifié" in await entry.inner_text()
    await page.get_by_role("link", name="English").click()
    await page.get_by_role("heading", name="Boutique Test: customer reviews of the shop").wait_for()
    assert "1 review in the last 12 months" in await page.locator("main").inner_text()
    await page.goto(str(api.base_url.join("/w/test-shop/badge?lang=en")))
    assert "4.0/5 — 1 verified review" in await page.locator("body").inner_text()
