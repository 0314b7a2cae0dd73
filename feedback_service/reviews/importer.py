"""Importing reviews from another platform's CSV export."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from feedback_service.errors import DomainError
from feedback_service.http import validation_fields
from feedback_service.reviews.schemas import ReviewImportIn
from feedback_service.reviews.services import import_review
from feedback_service.shops.models import Shop

COLUMNS = (
    "sku",
    "rating",
    "title",
    "body",
    "author_name",
    "author_email",
    "language",
    "source",
    "source_id",
    "verified",
    "order_id",
    "submitted_at",
    "experienced_at",
    "published",
)
REQUIRED = {"sku", "rating", "author_name", "source", "source_id", "submitted_at"}
TRUE = {"1", "true", "yes", "y", "oui"}


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = REQUIRED - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"missing columns: {', '.join(sorted(missing))}")
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k in COLUMNS}


def count_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return max(0, sum(1 for _ in csv.reader(handle)) - 1)


def _to_input(row: dict[str, str]) -> ReviewImportIn:
    data: dict[str, object] = {k: v for k, v in row.items() if v != ""}
    for flag in ("verified", "published"):
        if flag in data:
            data[flag] = str(data[flag]).lower() in TRUE
    return ReviewImportIn.model_validate(data)


async def import_csv(shop: Shop, path: Path, advance: Callable[[], None]) -> ImportReport:
    report = ImportReport()
    for line, row in rows(path):
        try:
            _, created = await import_review(shop, _to_input(row))
        except ValidationError as exc:
            fields = validation_fields(exc)
            report.rejected.append((line, "; ".join(f"{k}: {v}" for k, v in fields.items())))
        except DomainError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items()) or exc.message
            report.rejected.append((line, detail))
        else:
            if created:
                report.created += 1
            else:
                report.unchanged += 1
        advance()
    return report
