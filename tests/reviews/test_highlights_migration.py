"""Migration 0016 gives the products of an earlier release their highlights."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from test_migrations import (  # noqa: F401  (empty_database is a fixture)
    FIRST,
    MIGRATE_TO,
    PREVIOUS_RELEASE_ROWS,
    Database,
    empty_database,
    run,
)

ASPECTS = {
    "good": '[{"name": "delivery", "score": 0.6, "label": "positive"}]',
    "bad": '[{"name": "delivery", "score": -0.6, "label": "negative"}]',
}
# Published reviews of the old product speaking of delivery, and a pending one.
REVIEWS = [
    ("Livraison rapide, très contente.", "good", "published", 4),
    ("Colis livré en deux jours, parfait.", "good", "published", 5),
    ("Livraison en retard de trois semaines.", "bad", "published", 6),
    ("Texte en attente : livraison éclair !", "good", "pending", 7),
]


def _review_row(body: str, aspects: str, status: str, day: int) -> str:
    published = f"'2025-03-0{day} 11:00:00+00:00'" if status == "published" else "NULL"
    return (
        "INSERT INTO review (shop_id, product_id, rating, title, body, author_name, language,"
        " answers, photos, consent, aspects, status, verified, source, submitted_at,"
        " published_at, helpful_count, created_at)"
        f" SELECT s.id, p.id, 4, '', '{body}', 'Client', 'fr', '[]', '[]', TRUE, '{aspects}',"
        f" '{status}', FALSE, 'import', '2025-03-0{day} 10:00:00+00:00', {published}, 0,"
        f" '2025-03-0{day} 10:00:00+00:00'"
        " FROM shop s JOIN product p ON p.shop_id = s.id WHERE s.slug = 'old-shop'"
    )


async def test_products_get_their_highlights_and_a_new_version(
    empty_database: Database,  # noqa: F811
) -> None:
    db = empty_database
    run([sys.executable, "-c", MIGRATE_TO, db.url, FIRST], db.url)
    rows = [_review_row(body, ASPECTS[kind], status, day) for body, kind, status, day in REVIEWS]
    await db.execute([*PREVIOUS_RELEASE_ROWS, *rows])

    run([str(Path(sys.executable).parent / "feedback-service"), "migrate"], db.url)
    [(stored, version)] = await db.rows("SELECT highlights, reviews_version FROM product")
    [delivery] = json.loads(stored) if isinstance(stored, str) else stored
    assert (delivery["aspect"], delivery["mentions"]) == ("delivery", 3)
    assert (delivery["positive"], delivery["negative"]) == (2, 1)
    quote = delivery["quotes"]["fr"]["text"]
    assert quote in {body for body, _, status, _ in REVIEWS if status == "published"}
    assert "attente" not in json.dumps(delivery, ensure_ascii=False)  # pending: not quoted
    assert version == 2  # was 1: blocks cached before the release are not served again
