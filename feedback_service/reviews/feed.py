"""The Google Product Ratings feed of a shop's published reviews."""

from __future__ import annotations

from feedback_service.links import PHOTO, REVIEW_PAGE, Links
from feedback_service.reviews.models import Review, ReviewStatus
from feedback_service.shops.models import Shop
from schema_markup.google_feed import FeedReview, render_product_reviews_feed


async def product_reviews_feed(shop: Shop, links: Links) -> bytes:
    rows = (
        await Review.filter(shop=shop, status=ReviewStatus.PUBLISHED)
        .order_by("id")
        .select_related("product")
    )
    reviews = [
        FeedReview(
            review_id=str(r.id),
            reviewer_name=r.author_name,
            published_at=r.published_at or r.submitted_at,
            title=r.title,
            content=r.body,
            review_url=links.url(REVIEW_PAGE, shop=shop.slug, id=r.id),
            rating=r.rating,
            product_name=r.product.name,
            product_url=r.product.url,
            sku=r.product.sku,
            gtin=r.product.gtin,
            brand=r.product.brand,
            verified=r.verified,
            incentivised=r.incentivised,
            photo_urls=tuple(links.url(PHOTO, name=name) for name in r.photos),
        )
        for r in rows
    ]
    return render_product_reviews_feed(shop.name, reviews)
