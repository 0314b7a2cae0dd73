"""CSV and JSON-lines exports of answers and reviews, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Any

from feedback_service.csvin import FORMULA_START
from feedback_service.reviews.models import Review
from feedback_service.reviews.services import review_out
from feedback_service.shops.models import Shop
from feedback_service.surveys.models import Response
from feedback_service.surveys.services import response_out
from schema_markup import clean_text

BATCH = 500
COLUMNS = {
    "responses": [
        "id",
        "status",
        "survey",
        "score",
        "label",
        "comment",
        "sentiment",
        "invitation_id",
        "order_id",
        "customer_email",
        "customer_name",
        "customer_external_id",
        "created_at",
        "updated_at",
        "commented_at",
    ],
    "reviews": [
        "id",
        "sku",
        "rating",
        "title",
        "body",
        "author_name",
        "language",
        "answers",
        "photos",
        "status",
        "rejection_reason",
        "verified",
        "source",
        "source_id",
        "submitted_at",
        "experienced_at",
        "published_at",
        "helpful_count",
        "reply_body",
        "reply_published_at",
    ],
}
KINDS = tuple(COLUMNS)
FORMATS = ("csv", "jsonl")


def neutralise(value: Any) -> str:
    text = clean_text("" if value is None else str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def _cleaned(value: Any) -> Any:
    """Every text of a row without controls or bidi overrides (rows stored before these
    were stripped on the way in)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            for inner, item in value.items():
                flat[f"{key}_{inner}"] = item
        elif isinstance(value, list):
            flat[key] = json.dumps(value, ensure_ascii=False)
        else:
            flat[key] = value
    return flat


async def _rows(shop: Shop, kind: str) -> AsyncIterator[dict[str, Any]]:
    """Every row, a batch at a time by id, so a large shop never sits in memory at once."""
    last = 0
    while True:
        if kind == "responses":
            batch = (
                await Response.filter(shop=shop, id__gt=last)
                .order_by("id")
                .limit(BATCH)
                .select_related("customer", "invitation__order")
            )
            rows = [response_out(r).model_dump(mode="json") for r in batch]
        else:
            reviews = (
                await Review.filter(shop=shop, id__gt=last)
                .order_by("id")
                .limit(BATCH)
                .select_related("product")
            )
            rows = [review_out(r).model_dump(mode="json") for r in reviews]
        if not rows:
            return
        for row in rows:
            yield row
        last = rows[-1]["id"]


async def export(shop: Shop, kind: str, fmt: str) -> AsyncIterator[str]:
    header_written = False
    async for row in _rows(shop, kind):
        if fmt == "jsonl":
            yield json.dumps(_cleaned(row), ensure_ascii=False) + "\n"
            continue
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS[kind], extrasaction="ignore")
        if not header_written:
            writer.writeheader()
            header_written = True
        writer.writerow({k: neutralise(v) for k, v in _flat(row).items()})
        yield buffer.getvalue()
