"""The retention period the review policy states is kept: a published review goes once it
has been online for the shop's `review_retention_years`, and the product's rating follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import lxml.html

from feedback_service.orders.models import Product
from feedback_service.reviews import retention
from feedback_service.reviews.models import Review
from feedback_service.reviews.services import refresh_product_rating
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_shop
from feedback_service.worker import Worker


def test_years_before_keeps_the_date() -> None:
    assert retention.years_before(datetime(2026, 3, 1, 9, tzinfo=UTC), 5) == datetime(
        2021, 3, 1, 9, tzinfo=UTC
    )
    assert retention.years_before(datetime(2028, 2, 29, tzinfo=UTC), 1) == datetime(
        2027, 2, 28, tzinfo=UTC
    )


async def test_published_reviews_past_the_retention_period_go(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str], settings: Settings
) -> None:
    shop = shop_and_key[0]
    await Shop.filter(id=shop.id).update(review_retention_years=2)
    other, _ = await create_shop("Autre", "autre", locale="fr")  # keeps reviews 5 years
    now = datetime.now(UTC)
    products = {}
    for owner in (shop, other):
        products[owner.id] = await Product.create(
            shop=owner, sku="KETTLE", name="Bouilloire", url="https://x.fr/k"
        )
    rows = {
        "expired": (shop, products[shop.id], "published", 3 * 365),
        "kept": (shop, products[shop.id], "published", 365),
        "old pending": (shop, products[shop.id], "pending", 3 * 365),
        "old rejected": (shop, products[shop.id], "rejected", 3 * 365),
        "shop review expired": (shop, None, "published", 3 * 365),
        "other shop": (other, products[other.id], "published", 3 * 365),
    }
    for title, (owner, product, status, age) in rows.items():
        at = now - timedelta(days=age)
        await Review.create(
            shop=owner,
            product=product,
            rating=2 if title == "expired" else 5,
            title=title,
            body="Texte",
            author_name="Client",
            status=status,
            submitted_at=at,
            published_at=at if status == "published" else None,
        )
    for product in products.values():
        await refresh_product_rating(product.id)

    # The worker's chore does it (and a second pass has nothing left to do).
    await Worker(settings).run_once()
    assert await retention.delete_expired_reviews() == 0
    left = {r.title for r in await Review.all()}
    assert left == {"kept", "old pending", "old rejected", "other shop"}
    product = await Product.get(id=products[shop.id].id)
    assert product.rating_counts == {"5": 1}
    block = lxml.html.fromstring((await client.get("/w/test-shop/products/KETTLE/reviews")).text)
    assert len(block.xpath("//article")) == 1
    assert "kept" in block.text_content() and "expired" not in block.text_content()
