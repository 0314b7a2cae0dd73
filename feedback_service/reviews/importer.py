"""Importing reviews from another platform: one at a time (POST /api/v1/reviews) or a CSV
export (feedback-service import-reviews)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from feedback_service.csvin import CsvProblem, moment, open_table
from feedback_service.errors import DomainError, InvalidInput
from feedback_service.http import validated
from feedback_service.i18n import N_
from feedback_service.orders.models import OrderItem, Product
from feedback_service.reviews.models import ModerationEvent, Review, ReviewStatus
from feedback_service.reviews.presets import PRESETS, REQUIRED, Preset
from feedback_service.reviews.schemas import ReviewImportIn
from feedback_service.reviews.services import (
    MAX_TEXT,
    MAX_TITLE,
    clean_text,
    refresh_product_rating,
    sentiment_fields,
)
from feedback_service.sentiment import analyse
from feedback_service.shops.models import Shop

TRUE = {"1", "true", "yes", "y", "oui"}


async def import_review(
    shop: Shop, data: ReviewImportIn, *, refresh: bool = True
) -> tuple[Review, bool]:
    """Idempotent by (source, source_id). Verified only when we hold the order itself.

    ``refresh=False``: the caller refreshes the product's rating and highlights once
    after a whole file (refresh_product_rating), instead of once per review."""
    existing = await Review.filter(shop=shop, source=data.source, source_id=data.source_id).first()
    if existing is not None:
        return existing, False
    product = await Product.filter(shop=shop, sku=data.sku).first()
    if product is None:
        raise InvalidInput("Unknown product.", fields={"sku": "no such product"})
    verified = False
    if data.verified and data.order_id:
        verified = await OrderItem.filter(
            order__shop=shop, order__external_id=data.order_id, product=product
        ).exists()
    text = f"{data.title}\n{data.body}"
    sentiment = analyse(text, data.language or shop.locale) if text.strip() else None
    fields = sentiment_fields(sentiment, data.language or shop.locale)
    if data.language:  # the source platform knew it
        fields["language"] = data.language
    try:
        async with in_transaction():
            review = await Review.create(
                shop=shop,
                product=product,
                rating=data.rating,
                title=clean_text(data.title, MAX_TITLE),
                body=clean_text(data.body, MAX_TEXT),
                author_name=clean_text(data.author_name, 100)[:100],
                author_email=data.author_email,
                status=ReviewStatus.PUBLISHED if data.published else ReviewStatus.PENDING,
                verified=verified,
                source=data.source,
                source_id=data.source_id,
                submitted_at=data.submitted_at,
                experienced_at=data.experienced_at,
                published_at=data.submitted_at if data.published else None,
                **fields,
            )
            await ModerationEvent.create(
                review=review, action="import", actor=f"import:{data.source}"
            )
            if data.published and refresh:
                await refresh_product_rating(product.id)
    except IntegrityError:
        return await Review.get(shop=shop, source=data.source, source_id=data.source_id), False
    return review, True


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def _missing(preset: Preset, header: list[str]) -> list[str]:
    given = set(header)
    have = {ours for ours, theirs in preset.columns.items() if theirs in given}
    if preset.source:
        have.add("source")
    if preset.name_parts and preset.name_parts[0] in given:
        have.add("author_name")
    # Without an id column, a review is known by a hash of its cells.
    have.add("source_id")
    return [f for f in REQUIRED if f not in have]


def _review(cells: dict[str, str], preset: Preset, zone: ZoneInfo) -> ReviewImportIn:
    data: dict[str, object] = {
        ours: cells[theirs] for ours, theirs in preset.columns.items() if cells.get(theirs)
    }
    if preset.source:
        data["source"] = preset.source
    if preset.name_parts:
        first, last = (cells.get(name, "") for name in preset.name_parts)
        data["author_name"] = f"{first} {last[:1]}.".strip() if last else first
    if "rating" in data:  # "4", "4.0", "4,0"
        data["rating"] = re.sub(r"^(\d+)[.,]0*$", r"\1", str(data["rating"]))
    for name in ("submitted_at", "experienced_at"):
        if name in data:
            data[name] = moment(str(data[name]), zone)
    if "verified" in data:
        data["verified"] = str(data["verified"]).lower() in TRUE
    if "published" in data:
        data["published"] = str(data["published"]).lower() in preset.published
    language = str(data.pop("language", ""))[:2].lower()
    if language in ("en", "fr"):  # others are analysed in the shop's language
        data["language"] = language
    if "source_id" not in data:
        key = "|".join(
            str(data.get(f, "")) for f in ("sku", "author_email", "submitted_at", "body")
        )
        data["source_id"] = hashlib.sha256(key.encode()).hexdigest()[:32]
    return validated(ReviewImportIn, data)


async def import_csv(
    shop: Shop, path: Path, advance: Callable[[], None], *, preset: str = "generic"
) -> ImportReport:
    """Import the file's reviews (idempotent by source and source_id). Raises CsvProblem
    if the file cannot be read or lacks a column the preset needs."""
    chosen = PRESETS[preset]
    zone = ZoneInfo(shop.timezone)
    report = ImportReport()
    # Products with new published reviews: their rating and highlights are worked out
    # once at the end (per review, a big file on one product took four times as long).
    published: set[int] = set()
    try:
        with open_table(path) as (header, rows):
            if missing := _missing(chosen, header):
                raise CsvProblem(N_("missing columns: %(fields)s"), fields=", ".join(missing))
            for row in rows:
                try:
                    data = _review(row.cells, chosen, zone)
                    review, created = await import_review(shop, data, refresh=False)
                except DomainError as exc:
                    detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items()) or exc.message
                    report.rejected.append((row.line, detail))
                else:
                    if created:
                        report.created += 1
                        if data.published and review.product_id is not None:
                            published.add(review.product_id)
                    else:
                        report.unchanged += 1
                advance()
    finally:
        for product_id in sorted(published):
            await refresh_product_rating(product_id)
    return report
