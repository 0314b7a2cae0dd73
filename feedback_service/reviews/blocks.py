"""Published reviews as plain data for the `widgets` renderers."""

from __future__ import annotations

import zlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import ceil
from typing import Any

import widgets
from feedback_service import db
from feedback_service.errors import NotFound
from feedback_service.http import whole_number
from feedback_service.i18n import Translator
from feedback_service.links import (
    CERTIFICATE,
    ICON,
    PHOTO,
    REVIEW_HELPFUL,
    REVIEW_PAGE,
    REVIEW_POLICY,
    Links,
)
from feedback_service.orders.models import Product
from feedback_service.reviews import draws, moderation
from feedback_service.reviews.models import Review, ReviewStatus
from feedback_service.reviews.schemas import REJECTION_REASONS
from feedback_service.shops.models import Shop

PAGE_SIZE = 20
ORDERINGS = {
    "recent": ("-published_at", "-id"),
    "rating_desc": ("-rating", "-published_at", "-id"),
    "rating_asc": ("rating", "-published_at", "-id"),
    "helpful": ("-helpful_count", "-published_at", "-id"),
}
LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class BlockQuery:
    page: int
    sort: str
    lang: str | None
    locale: str | None

    @classmethod
    def parse(cls, params: dict[str, str]) -> BlockQuery:
        """Lenient on purpose: a crawler's odd query gets the default block, never an error.

        fs_page, fs_sort and fs_lang, the names of the links in an embedded block, come
        first: a shop's server may pass its page's whole query string on to the include.
        """
        raw_page = params.get("fs_page") or params.get("page") or "1"
        page = whole_number(raw_page, digits=5) or 1
        sort = params.get("fs_sort") or params.get("sort") or "recent"
        lang = params.get("fs_lang") or params.get("lang") or None
        locale = params.get("locale") or None
        return cls(
            page=max(page, 1),
            sort=sort if sort in ORDERINGS else "recent",
            lang=lang if lang in LANGUAGES else None,
            locale=locale if locale in LANGUAGES else None,
        )

    def key(self) -> str:
        return f"{self.page}-{self.sort}-{self.lang or ''}-{self.locale or ''}"


EMBEDDED_EVERY = timedelta(days=1)


async def product_for_block(shop_slug: str, sku: str) -> Product:
    """The one indexed lookup a block needs before it knows whether anything changed."""
    rows = await db.fetch(
        f"SELECT {db.columns(Product, 'p')}, {db.columns(Shop, 's')}"
        ' FROM "product" p JOIN "shop" s ON s.id = p.shop_id'
        " WHERE s.slug = :shop_slug AND p.sku = :sku",
        {"shop_slug": shop_slug, "sku": sku},
    )
    product = db.from_row(Product, rows[0], "p") if rows else None
    if product is None:
        raise NotFound("No such product.")
    product.shop = db.from_row(Shop, rows[0], "s")  # type: ignore[assignment]
    return product


async def note_embedded(shop: Shop) -> None:
    """Remember that a fragment of the shop was fetched (the dashboard's "embed the block"
    step): one UPDATE per shop and day at most; the shop's row came with the product."""
    now = datetime.now(UTC)
    seen = shop.block_seen_at
    if seen is None or seen < now - EMBEDDED_EVERY:
        shop.block_seen_at = now
        await Shop.filter(id=shop.id).update(block_seen_at=now)


def content_version(product: Product) -> str:
    """Changes with anything a product's blocks show: its reviews (the version), the
    product itself (updated_at) and the shop's name, timezone and locale."""
    shop = product.shop
    stamp = int(product.updated_at.timestamp() * 1_000_000)
    fingerprint = zlib.crc32(f"{shop.name}\0{shop.timezone}\0{shop.locale}".encode())
    return f"{product.reviews_version}.{stamp:x}.{fingerprint:x}"


def shop_data(shop: Shop, links: Links) -> widgets.Shop:
    return widgets.Shop(
        slug=shop.slug,
        name=shop.name,
        policy_url=links.url(REVIEW_POLICY, shop=shop.slug),
        certificate_url=links.url(CERTIFICATE, shop=shop.slug),
        timezone=shop.timezone,
        icon_url=links.url(ICON),
    )


async def policy_data(shop: Shop, links: Links, locale: str) -> widgets.ReviewPolicy:
    """The shop's promises about its reviews, for the policy page: its settings, the
    moderation's reasons in `locale`, and the prize draw open now."""
    _ = Translator(locale)
    draw = await draws.open_draw(shop, datetime.now(UTC))
    return widgets.ReviewPolicy(
        publication_days=shop.review_publication_days,
        retention_years=shop.review_retention_years,
        moderated=not shop.reviews_auto_publish,
        refusal_reasons=tuple(_(moderation.REASON_LABELS[r]) for r in REJECTION_REASONS),
        draw=widgets.DrawNotice(
            prize=draw.prize, ends=draw.period_end, url=draws.public_url(links, shop, draw)
        )
        if draw
        else None,
    )


def product_data(
    product: Product, page_url: str | None = None, questions_url: str | None = None
) -> widgets.Product:
    """`page_url`: this service's page of the product, where a page links to it;
    `questions_url`: where its block's form asks a question."""
    return widgets.Product(
        sku=product.sku,
        name=product.name,
        url=product.url,
        image_url=product.image_url,
        brand=product.brand,
        gtin=product.gtin,
        page_url=page_url,
        questions_url=questions_url,
    )


def summary_of(product: Product) -> widgets.Summary:
    counts = {int(k): v for k, v in (product.rating_counts or {}).items()}
    count = sum(counts.values())
    value = sum(k * v for k, v in counts.items()) / count if count else None
    return widgets.Summary(value=value, count=count, distribution=counts)


def highlights_data(
    stored: list[dict[str, Any]], shop_slug: str, links: Links, no_page: Collection[int] = ()
) -> tuple[widgets.Highlight, ...]:
    """Highlights as reviews.highlights stored them (with the product), for the widgets;
    the quotes of the reviews in `no_page` (the shop's reviews of itself) link nowhere."""
    return tuple(
        widgets.Highlight(
            aspect=h["aspect"],
            mentions=h["mentions"],
            positive=h["positive"],
            negative=h["negative"],
            quotes=tuple(
                widgets.Quote(
                    url=None
                    if q["review"] in no_page
                    else links.url(REVIEW_PAGE, shop=shop_slug, id=q["review"]),
                    language=language,
                    text=q["text"],
                    cut_start=q["cut_start"],
                    cut_end=q["cut_end"],
                )
                for language, q in h["quotes"].items()
            ),
        )
        for h in stored or ()
    )


def review_data(review: Review, product: Product, shop_slug: str, links: Links) -> widgets.Review:
    assert review.published_at is not None
    return widgets.Review(
        id=review.id,
        product_sku=product.sku,
        product_name=product.name,
        author_name=review.author_name,
        rating=review.rating,
        title=review.title,
        body=review.body,
        language=review.language,
        published_at=review.published_at,
        experienced_at=review.experienced_at,
        verified=review.verified,
        incentivised=review.incentivised,
        helpful_count=review.helpful_count,
        reply=widgets.Reply(review.reply_body, review.reply_at)
        if review.reply_body and review.reply_at
        else None,
        photos=tuple(links.url(PHOTO, name=name) for name in review.photos),
        url=links.url(REVIEW_PAGE, shop=shop_slug, id=review.id),
        helpful_url=links.url(REVIEW_HELPFUL, shop=shop_slug, id=review.id),
        answers=tuple((label, value) for label, value in review.answers),
        edited_at=review.edited_at,
    )


async def product_page_data(
    product: Product,
    query: BlockQuery,
    links: Links,
    block_url: str,
    host_url: str | None = None,
) -> tuple[widgets.Summary, list[widgets.Review], widgets.PageInfo]:
    """`host_url`: the shop's page the block is embedded in, where its links go."""
    summary = summary_of(product)
    reviews = Review.filter(product_id=product.id, status=ReviewStatus.PUBLISHED)
    total = summary.count
    if query.lang:
        reviews = reviews.filter(language=query.lang)
        total = await reviews.count()
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(query.page, pages)
    rows = (
        await reviews.order_by(*ORDERINGS[query.sort])
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    info = widgets.PageInfo(
        page=page,
        pages=pages,
        sort=query.sort,
        lang=query.lang,
        base_url=block_url,
        host_url=host_url,
    )
    slug = product.shop.slug
    return summary, [review_data(r, product, slug, links) for r in rows], info


async def shop_page_data(
    shop: Shop, query: BlockQuery, links: Links, page_url: str
) -> tuple[
    list[widgets.Review], widgets.PageInfo, dict[str, widgets.Product], dict[str, widgets.Summary]
]:
    # Product reviews: the shop's reviews of itself are on its certificate.
    reviews = Review.filter(shop=shop, status=ReviewStatus.PUBLISHED, product_id__isnull=False)
    if query.lang:
        reviews = reviews.filter(language=query.lang)
    total = await reviews.count()
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(query.page, pages)
    rows = (
        await reviews.order_by(*ORDERINGS[query.sort])
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .select_related("product")
    )
    found = [(r, r.product) for r in rows if r.product]
    products = {p.sku: product_data(p) for _, p in found}
    summaries = {p.sku: summary_of(p) for _, p in found}
    info = widgets.PageInfo(
        page=page, pages=pages, sort=query.sort, lang=query.lang, base_url=page_url
    )
    shown = [review_data(r, p, shop.slug, links) for r, p in found]
    return shown, info, products, summaries
