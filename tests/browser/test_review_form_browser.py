"""A customer fills the review form in Chromium; the shop publishes; the block shows it."""

from __future__ import annotations

from pathlib import Path

import httpx
from review_helpers import jpeg_with_gps, order_with_request

from feedback_service.reviews.models import Review, ReviewQuestion
from feedback_service.shops.models import Shop

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


async def test_review_form_to_published_block(api: httpx.AsyncClient, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shop = await Shop.get(slug="test-shop")
    await ReviewQuestion.create(
        shop=shop, label="Taille", choices=["Trop petit", "Juste", "Trop grand"]
    )
    created = await order_with_request(api)
    photo = tmp_path / "bouilloire.jpg"
    photo.write_bytes(jpeg_with_gps())

    await page.goto(created["url"])
    kettle = page.locator("section", has_text="Bouilloire 1,5 L")
    mug = page.locator("section", has_text="Mug émaillé")
    await kettle.get_by_title("5 étoiles sur 5").click()
    await kettle.get_by_label("Titre (facultatif)").fill("Parfaite")
    await kettle.get_by_label("Votre avis (facultatif)").fill("Chauffe vite et sans bruit.")
    await kettle.get_by_label("Juste").check()
    await kettle.get_by_label("Photos (facultatif)").set_input_files(str(photo))
    await mug.get_by_title("3 étoiles sur 5").click()
    await page.get_by_label("Nom affiché avec votre avis").fill("Marie C.")
    # Sending is the consent: said next to the button, which carries it.
    assert await page.get_by_text("En envoyant votre avis, vous acceptez").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "review-form-fr.png"), full_page=True)
    await page.get_by_role("button", name="Envoyer mon avis").click()
    await page.get_by_text("Merci pour votre avis").wait_for()

    reviews = {r.rating: r for r in await Review.all()}
    assert set(reviews) == {5, 3}
    assert reviews[5].answers == [["Taille", "Juste"]] and len(reviews[5].photos) == 1
    for review in reviews.values():
        moderated = await api.post(
            f"/api/v1/reviews/{review.id}/moderation", json={"action": "publish"}
        )
        assert moderated.status_code == 200

    await page.goto(api.base_url.join("/w/test-shop/products/KETTLE").__str__())
    block = page.locator("article", has_text="Parfaite")
    await block.wait_for()
    assert "Chauffe vite et sans bruit." in await block.inner_text()
    assert "Achat vérifié" in await block.inner_text()
    assert await block.locator("img").count() == 1
    await page.screenshot(path=str(ARTIFACTS / "product-page-fr.png"), full_page=True)
