"""Reviews of the shop itself: the shop part of the review form and the shop's ratings.

A shop review is a `Review` without a product (see models.Review): it goes through the
same form submission, moderation, replies, webhooks, erasure and prize draws as a product
review. What is its own lives here: the overall stars and three criteria, and the
averages of the last twelve months that the certificate, the badge and the feed show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from typing import Any

from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet

from feedback_service.i18n import Translator
from feedback_service.reviews.models import Review, ReviewStatus
from feedback_service.shops.models import Shop
from schema_markup import clean_text

# In the order the form asks them; each is stored in Review.rating_<criterion>.
CRITERIA = ("delivery", "as_described", "service")
STARS = ("1", "2", "3", "4", "5")
MAX_TEXT = 5000  # as a product review's text
# The certificate's and the badge's rating: the last twelve months, as Trusted Shops and
# Avis Vérifiés show it (an old rating says little about the shop today).
RATING_WINDOW = timedelta(days=365)
PAGE_SIZE = 20


@dataclass(frozen=True)
class ShopReviewIn:
    rating: int
    criteria: dict[str, int]  # criterion -> 1..5; a skipped criterion is absent
    body: str


def read_form(
    fields: dict[str, list[str]], _: Translator
) -> tuple[ShopReviewIn | None, dict[str, str]]:
    """The shop part of a submitted review form (shop_rating, shop_<criterion>, shop_body),
    None when left empty, and the errors by field name."""

    def first(name: str) -> str:
        return (fields.get(name) or [""])[0]

    raw_rating = first("shop_rating")
    body = clean_text(first("shop_body")).strip()
    raw_criteria = {name: first(f"shop_{name}") for name in CRITERIA}
    if not raw_rating and not body and not any(raw_criteria.values()):
        return None, {}
    errors: dict[str, str] = {}
    if raw_rating not in STARS:
        errors["shop_rating"] = _("Please choose a number of stars.")
    for name, raw in raw_criteria.items():
        if raw and raw not in STARS:
            errors[f"shop_{name}"] = _("Please choose from 1 to 5 stars.")
    if len(body) > MAX_TEXT:
        errors["shop_body"] = _("A review has at most %(n)s characters.", n=MAX_TEXT)
    if errors:
        return None, errors
    criteria = {name: int(raw) for name, raw in raw_criteria.items() if raw}
    return ShopReviewIn(rating=int(raw_rating), criteria=criteria, body=body), {}


def criteria_fields(criteria: dict[str, int]) -> dict[str, Any]:
    """The Review columns of the criteria; None for each the customer skipped."""
    return {f"rating_{name}": criteria.get(name) for name in CRITERIA}


def criteria_of(review: Review) -> dict[str, int]:
    """The criteria a shop review rated, by name."""
    rated = {name: getattr(review, f"rating_{name}") for name in CRITERIA}
    return {name: value for name, value in rated.items() if value is not None}


def event_fields(review: Review) -> dict[str, Any]:
    """What a shop review adds to its webhooks and its JSON: the criteria (product
    reviews are left exactly as they were)."""
    return {"criteria": criteria_of(review)} if review.product_id is None else {}


def criteria_out(review: Review) -> dict[str, int | None] | None:
    """A shop review's criteria as the API shows them (null where skipped); None for a
    product's review."""
    if review.product_id is not None:
        return None
    return {name: getattr(review, f"rating_{name}") for name in CRITERIA}


def published(shop: Shop) -> QuerySet[Review]:
    """The shop's published reviews of itself: what its ratings count."""
    return Review.filter(shop_id=shop.id, product_id__isnull=True, status=ReviewStatus.PUBLISHED)


def shown(shop: Shop) -> QuerySet[Review]:
    """Those the certificate lists and the feed sends: not those whose author withdrew
    consent to publication (an erased customer's rating still counts, without them)."""
    return published(shop).filter(consent=True)


# --- the shop's rating ---------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionRating:
    name: str
    value: float | None
    count: int


@dataclass(frozen=True)
class ShopRating:
    """The published shop reviews of the last twelve months, and how many there are in all."""

    value: float | None
    count: int
    distribution: dict[int, int]  # stars -> reviews
    criteria: tuple[CriterionRating, ...]
    total: int


async def shop_rating(shop: Shop, now: datetime) -> ShopRating:
    sums = {f"{name}_sum": Sum(f"rating_{name}") for name in CRITERIA}
    counts = {f"{name}_n": Count(f"rating_{name}") for name in CRITERIA}
    rows = (
        await published(shop)
        .filter(published_at__gte=now - RATING_WINDOW)
        .annotate(n=Count("id"), **sums, **counts)
        .group_by("rating")
        .values("rating", "n", *sums, *counts)
    )
    distribution = {int(row["rating"]): int(row["n"]) for row in rows}
    count = sum(distribution.values())
    criteria = []
    for name in CRITERIA:
        rated = sum(int(row[f"{name}_n"] or 0) for row in rows)
        total = sum(int(row[f"{name}_sum"] or 0) for row in rows)
        criteria.append(CriterionRating(name, total / rated if rated else None, rated))
    return ShopRating(
        value=sum(k * v for k, v in distribution.items()) / count if count else None,
        count=count,
        distribution=distribution,
        criteria=tuple(criteria),
        total=await published(shop).count(),
    )


async def reviews_page(shop: Shop, page: int) -> tuple[list[Review], int, int]:
    """One page of the shop's reviews, newest first: (reviews, page, pages)."""
    reviews = shown(shop)
    pages = max(1, ceil(await reviews.count() / PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = (
        await reviews.order_by("-published_at", "-id")
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return list(rows), page, pages


async def all_shown(shop: Shop) -> list[Review]:
    """Every review the feed sends (Google wants all of them in each fetch)."""
    return list(await shown(shop).order_by("id"))
