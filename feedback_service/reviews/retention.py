"""The review policy's retention period, kept: a published review goes once it has been
online for the shop's `review_retention_years` (D111-18: the policy states how long reviews
are kept)."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from feedback_service.reviews.models import Review, ReviewStatus
from feedback_service.reviews.services import refresh_product_rating, utcnow
from feedback_service.shops.models import Shop


def years_before(moment: datetime, years: int) -> datetime:
    """The same date `years` earlier; February 29 becomes February 28."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


async def delete_expired_reviews(now: datetime | None = None) -> int:
    """Delete the published reviews past their shop's retention period; their products'
    ratings are counted again. Returns how many went."""
    now = now or utcnow()
    removed = 0
    for shop in await Shop.all().only("id", "review_retention_years"):
        expired = await Review.filter(
            shop_id=shop.id,
            status=ReviewStatus.PUBLISHED,
            published_at__lt=years_before(now, shop.review_retention_years),
        ).values_list("id", "product_id")
        if not expired:
            continue
        async with in_transaction():
            await Review.filter(id__in=[review_id for review_id, _ in expired]).delete()
            for product_id in {product for _, product in expired if product is not None}:
                await refresh_product_rating(product_id)
        removed += len(expired)
    return removed
