"""The shop's Google feeds: Product Ratings (its product reviews) and merchant reviews
(its reviews of itself, for seller ratings)."""

from __future__ import annotations

from urllib.parse import urlsplit

from feedback_service.links import CERTIFICATE, PHOTO, REVIEW_PAGE, Links
from feedback_service.orders.models import Product
from feedback_service.reviews import shop_reviews
from feedback_service.reviews.models import Review, ReviewStatus
from feedback_service.shops.models import Shop
from schema_markup import (
    FeedReview,
    Merchant,
    MerchantReview,
    render_merchant_reviews_feed,
    render_product_reviews_feed,
    safe_http_url,
)


async def product_reviews_feed(shop: Shop, links: Links) -> bytes:
    rows = (
        await Review.filter(shop=shop, status=ReviewStatus.PUBLISHED, product_id__isnull=False)
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
            product_name=p.name,
            product_url=p.url,
            sku=p.sku,
            gtin=p.gtin,
            brand=p.brand,
            verified=r.verified,
            incentivised=r.incentivised,
            photo_urls=tuple(links.url(PHOTO, name=name) for name in r.photos),
        )
        for r in rows
        if (p := r.product) is not None
    ]
    return render_product_reviews_feed(shop.name, reviews)


async def merchant_reviews_feed(shop: Shop, links: Links) -> bytes:
    rows = await shop_reviews.all_shown(shop)
    merchant = Merchant(
        merchant_id=str(shop.id),
        name=shop.name,
        rating_url=links.url(CERTIFICATE, shop=shop.slug),
        created_at=shop.created_at,
        updated_at=max((r.published_at or r.submitted_at for r in rows), default=shop.created_at),
        merchant_url=await _shop_site(shop),
    )
    reviews = [
        MerchantReview(
            review_id=str(r.id),
            reviewer_name=r.author_name,
            created_at=r.submitted_at,
            updated_at=r.edited_at or r.published_at or r.submitted_at,
            content=r.body,
            rating=r.rating,
            customer_service=r.rating_service,
            verified=r.verified,
        )
        for r in rows
    ]
    return render_merchant_reviews_feed(merchant, reviews)


async def _shop_site(shop: Shop) -> str | None:
    """The shop's own site, which the shop gives nowhere else: the origin of its products'
    pages."""
    product = await Product.filter(shop=shop).order_by("-id").first()
    url = safe_http_url(product.url if product else None)
    if url is None:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"
