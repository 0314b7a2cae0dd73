"""`feedback-service import-reviews` and `feed` on a CSV from another platform."""

from __future__ import annotations

import csv
from pathlib import Path

import httpx
from conftest import run_cli
from review_helpers import PRODUCTS

from feedback_service.reviews.models import Review
from feedback_service.settings import Settings


async def test_import_reports_rejects_and_is_idempotent(
    api: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    await api.post("/api/v1/products", json=PRODUCTS[0])
    path = tmp_path / "judgeme.csv"
    header = [
        "sku",
        "rating",
        "title",
        "body",
        "author_name",
        "source",
        "source_id",
        "submitted_at",
        "published",
        "verified",
    ]
    rows = [
        [
            "KETTLE",
            "5",
            "Super",
            '=HYPERLINK("http://x")',
            "Ana",
            "judgeme",
            "1",
            "2025-01-02T10:00:00Z",
            "yes",
            "yes",
        ],
        ["KETTLE", "4", "Bien", "ok", "Bo", "judgeme", "2", "2025-01-03T10:00:00Z", "yes", ""],
        [
            "KETTLE",
            "9",
            "Bad",
            "rating out of range",
            "Cy",
            "judgeme",
            "3",
            "2025-01-03T10:00:00Z",
            "",
            "",
        ],
        ["NOPE", "4", "x", "unknown product", "Di", "judgeme", "4", "2025-01-03T10:00:00Z", "", ""],
        ["KETTLE", "4", "x", "no date", "Ed", "judgeme", "5", "", "", ""],
    ]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    first = run_cli(settings, "import-reviews", "test-shop", str(path))
    assert first.returncode == 0, first.stderr
    assert "2 imported, 0 already there, 3 rejected." in first.stdout
    assert "line 4: rating" in first.stdout and "line 5: sku" in first.stdout
    assert "line 6: submitted_at" in first.stdout
    again = run_cli(settings, "import-reviews", "test-shop", str(path))
    assert "0 imported, 2 already there, 3 rejected." in again.stdout
    reviews = await Review.all().order_by("source_id")
    assert [r.source_id for r in reviews] == ["1", "2"]
    # A CSV claim of "verified" without an order we hold is not a verified purchase here.
    assert [r.verified for r in reviews] == [False, False]
    assert reviews[0].body == '=HYPERLINK("http://x")'  # stored as text, neutralised on export
    feed = run_cli(settings, "feed", "test-shop")
    assert feed.returncode == 0 and feed.stdout.count("<review>") == 2


async def test_import_errors_are_clear(settings: Settings, tmp_path: Path, db: str) -> None:
    missing = run_cli(settings, "import-reviews", "test-shop", str(tmp_path / "none.csv"))
    assert missing.returncode == 2 and "no such file" in missing.stdout
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n")
    no_shop = run_cli(settings, "import-reviews", "nope", str(path))
    assert no_shop.returncode == 2 and "No shop" in no_shop.stdout
