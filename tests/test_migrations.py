"""Migrations run on a database made by the previous release, and again as a no-op.

"Previous release": the schema after 0001_initial only, with rows written by plain SQL.
Every migration runs in a subprocess on its own database (a temporary SQLite file, or a
database created next to TEST_DATABASE_URL's), so the session's database and Tortoise's
state in this process are left alone. The head is whatever the package holds.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

import feedback_service.migrations

FIRST = "0001_initial"
MIGRATIONS = sorted(
    path.stem
    for path in Path(feedback_service.migrations.__file__).parent.glob("[0-9][0-9][0-9][0-9]_*.py")
)
MIGRATE_TO = """
import asyncio, sys
from tortoise import Tortoise
from tortoise.migrations.api import migrate
from feedback_service.db import APP_LABEL, tortoise_config

async def main() -> None:
    await migrate(config=tortoise_config(sys.argv[1]), target=f"{APP_LABEL}.{sys.argv[2]}")
    await Tortoise.close_connections()

asyncio.run(main())
"""
# Only the columns 0001 knows; literals both engines read the same way.
PREVIOUS_RELEASE_ROWS = [
    "INSERT INTO shop (slug, name, locale, timezone, throttle_days, sender_name, sender_email,"
    " brand_color, review_delay_days, reviews_auto_publish, alert_rules, sla_hours, created_at)"
    " VALUES ('old-shop', 'Old Shop', 'fr', 'Europe/Paris', 30, '', '', '#2563eb', 7, FALSE,"
    " '{}', 24, '2025-03-01 10:00:00+00:00')",
    "INSERT INTO customer (shop_id, email, name, locale, created_at)"
    " SELECT id, 'old@example.fr', 'Ancien Client', 'fr', '2025-03-02 10:00:00+00:00'"
    " FROM shop WHERE slug = 'old-shop'",
    "INSERT INTO product (shop_id, sku, name, url, rating_counts, reviews_version, created_at,"
    " updated_at) SELECT id, 'OLD-1', 'Vieux produit', 'https://shop.example/old', '{\"5\": 1}',"
    " 1, '2025-03-01 10:00:00+00:00', '2025-03-01 10:00:00+00:00' FROM shop"
    " WHERE slug = 'old-shop'",
    "INSERT INTO review (shop_id, product_id, customer_id, rating, title, body, author_name,"
    " language, answers, photos, consent, aspects, status, verified, source, submitted_at,"
    " published_at, helpful_count, created_at)"
    " SELECT s.id, p.id, c.id, 5, 'Toujours là', 'Écrit avant la mise à jour.', 'Ancien C.',"
    " 'fr', '[]', '[]', TRUE, '[]', 'published', TRUE, 'form', '2025-03-03 10:00:00+00:00',"
    " '2025-03-03 11:00:00+00:00', 2, '2025-03-03 10:00:00+00:00'"
    " FROM shop s JOIN product p ON p.shop_id = s.id JOIN customer c ON c.shop_id = s.id"
    " WHERE s.slug = 'old-shop'",
    # Its moderation trail and a vote: rows that point at the review.
    "INSERT INTO moderation_event (review_id, action, actor, created_at)"
    " SELECT id, 'publish', 'admin@old.example', '2025-03-03 11:00:00+00:00' FROM review",
    "INSERT INTO helpful_vote (review_id, voter, created_at)"
    " SELECT id, 'voter-hash', '2025-03-04 11:00:00+00:00' FROM review",
    "INSERT INTO shop_order (shop_id, external_id, customer_id, ordered_at, created_at)"
    " SELECT s.id, 'OLD-ORDER', c.id, '2025-03-02 12:00:00+00:00', '2025-03-02 12:00:00+00:00'"
    " FROM shop s JOIN customer c ON c.shop_id = s.id WHERE s.slug = 'old-shop'",
    "INSERT INTO order_item (order_id, product_id, quantity, unit_price)"
    " SELECT o.id, p.id, 2, 12.50 FROM shop_order o JOIN product p ON p.shop_id = o.shop_id",
    # Two NPS answers of the customer (the later one is their latest) and an anonymous one.
    *(
        "INSERT INTO invitation (shop_id, kind, customer_id, reusable, locale, created_at)"
        f" SELECT s.id, 'nps', {customer}, {reusable}, 'fr', '2025-03-0{day} 09:00:00+00:00'"
        " FROM shop s JOIN customer c ON c.shop_id = s.id WHERE s.slug = 'old-shop'"
        for day, customer, reusable in (
            (4, "c.id", "FALSE"),
            (5, "c.id", "FALSE"),
            (6, "NULL", "TRUE"),
        )
    ),
    "INSERT INTO response (shop_id, invitation_id, customer_id, kind, score, aspects, dedupe_key,"
    " created_at, updated_at)"
    " SELECT shop_id, id, customer_id, kind, 3 + 6 * (id % 2), '[]', 'inv:' || id,"
    " created_at, created_at FROM invitation",
    # The alert check of the customer's latest answer, still waiting in the outbox.
    "INSERT INTO outbox_message (shop_id, kind, message_id, payload, subject, state, due_at,"
    " attempts, created_at) SELECT shop_id, 'alert_check', 'alert_check_old', '{}',"
    " 'response:' || id, 'pending', '2025-03-05 09:00:10+00:00', 0, created_at"
    " FROM response WHERE score = 3",
]
SHOP_REVIEW = (
    "INSERT INTO review (shop_id, product_id, rating, rating_delivery, title, body, author_name,"
    " language, answers, photos, consent, aspects, status, verified, source, source_id,"
    " submitted_at, helpful_count, created_at, incentivised)"
    " SELECT id, NULL, 4, 5, '', 'La boutique', 'C.', 'fr', '[]', '[]', TRUE, '[]', 'published',"
    " TRUE, 'legacy', '{source_id}', '2025-04-01 10:00:00+00:00', 0,"
    " '2025-04-01 10:00:00+00:00', FALSE FROM shop"
)
CHECKS = {
    "shop": "SELECT name, churn_days FROM shop",
    "customer": "SELECT email, name, contact_preference FROM customer",
    "review": "SELECT body, helpful_count, incentivised FROM review",
    # 0017 lets a review have no product; on SQLite, Tortoise's way (a rebuilt table) would
    # have dropped the review table's constraints and, by cascade, these rows.
    "review_trail": "SELECT (SELECT COUNT(*) FROM moderation_event),"
    " (SELECT COUNT(*) FROM helpful_vote)",
    "applied": "SELECT name FROM tortoise_migrations ORDER BY name",
    # 0003 back-fills each customer's order totals from the orders already stored.
    "order_totals": "SELECT orders_count, priced_orders, sales, last_order_at IS NOT NULL"
    " FROM customer",
    # 0006 stores each order's amount, chains the answers and gives the customer their
    # latest NPS answer.
    "order_amount": "SELECT amount FROM shop_order",
    "answers": "SELECT score, superseded_at IS NOT NULL, chained FROM response ORDER BY id",
    "latest_nps": "SELECT nps_score, nps_at IS NOT NULL FROM customer",
    # … and moves the alert checks waiting in the outbox to the answers.
    "alert_due": "SELECT score FROM response WHERE alert_due_at IS NOT NULL",
    "alert_checks": "SELECT COUNT(*) FROM outbox_message WHERE kind = 'alert_check'",
}


class Database:
    """A throwaway database of the engine under test, by plain driver."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith("postgres")

    async def execute(self, statements: list[str]) -> None:
        if self.postgres:
            import asyncpg

            conn = await asyncpg.connect(self.url.replace("postgres://", "postgresql://", 1))
            try:
                for statement in statements:
                    await conn.execute(statement)
            finally:
                await conn.close()
            return
        with sqlite3.connect(self.url.removeprefix("sqlite://")) as conn:
            for statement in statements:
                conn.execute(statement)

    async def rows(self, query: str) -> list[tuple[Any, ...]]:
        if self.postgres:
            import asyncpg

            conn = await asyncpg.connect(self.url.replace("postgres://", "postgresql://", 1))
            try:
                return [tuple(row) for row in await conn.fetch(query)]
            finally:
                await conn.close()
        with sqlite3.connect(self.url.removeprefix("sqlite://")) as conn:
            return [tuple(row) for row in conn.execute(query)]


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_database(
    request: pytest.FixtureRequest, tmp_path: Path, database_url: str
) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        yield Database(f"sqlite://{tmp_path / 'previous_release.sqlite3'}")
        return
    if not database_url.startswith("postgres"):
        pytest.skip("PostgreSQL runs when TEST_DATABASE_URL is set")
    import asyncpg

    parts = urlsplit(database_url)
    name = f"{parts.path.lstrip('/')}_previous_release_{os.getpid()}"
    server = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.execute(f'CREATE DATABASE "{name}"')
        yield Database(urlunsplit(parts._replace(path=f"/{name}")))
    finally:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.close()


def run(argv: list[str], url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        argv,
        env={**os.environ, "DATABASE_URL": url},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.mark.slow
async def test_migrations_run_twice_from_the_previous_release(
    empty_database: Database, pytestconfig: pytest.Config
) -> None:
    db = empty_database
    assert MIGRATIONS[0] == FIRST and len(MIGRATIONS) > 1
    run([sys.executable, "-c", MIGRATE_TO, db.url, FIRST], db.url, pytestconfig.rootpath)
    assert await db.rows(CHECKS["applied"]) == [(FIRST,)]
    await db.execute(PREVIOUS_RELEASE_ROWS)

    feedback_service_cli = str(Path(sys.executable).parent / "feedback-service")
    for _ in range(2):  # the second run finds nothing to do
        run([feedback_service_cli, "migrate"], db.url, pytestconfig.rootpath)
        assert [name for (name,) in await db.rows(CHECKS["applied"])] == MIGRATIONS
        assert await db.rows(CHECKS["shop"]) == [("Old Shop", 180)]
        assert await db.rows(CHECKS["customer"]) == [("old@example.fr", "Ancien Client", "")]
        [(orders, priced, sales, has_last_order)] = await db.rows(CHECKS["order_totals"])
        assert (orders, priced, sales, bool(has_last_order)) == (1, 1, 25.0, True)
        assert await db.rows(CHECKS["order_amount"]) == [(25.0,)]
        answers = [tuple(map(int, row)) for row in await db.rows(CHECKS["answers"])]
        assert answers == [(9, 1, 1), (3, 0, 1), (9, 0, 1)]
        assert await db.rows(CHECKS["latest_nps"]) == [(3, True)]
        assert await db.rows(CHECKS["alert_due"]) == [(3,)]
        assert await db.rows(CHECKS["alert_checks"]) == [(0,)]
        [(body, helpful, incentivised)] = await db.rows(CHECKS["review"])
        assert (body, helpful, bool(incentivised)) == ("Écrit avant la mise à jour.", 2, False)
        assert await db.rows(CHECKS["review_trail"]) == [(1, 1)]
    # A review of the shop itself has no product; the unique constraints are still there.
    await db.execute([SHOP_REVIEW.format(source_id="shop-1")])
    assert await db.rows("SELECT COUNT(*) FROM review WHERE product_id IS NULL") == [(1,)]
    with pytest.raises(Exception, match="(?i)unique"):
        await db.execute([SHOP_REVIEW.format(source_id="shop-1")])


# --- 0016: review highlights ---------------------------------------------------------

HIGHLIGHT_ASPECTS = {
    "good": '[{"name": "delivery", "score": 0.6, "label": "positive"}]',
    "bad": '[{"name": "delivery", "score": -0.6, "label": "negative"}]',
}
# Published reviews of the old product speaking of delivery, and a pending one.
HIGHLIGHT_REVIEWS = [
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


async def test_migration_0016_gives_products_their_highlights_and_a_new_version(
    empty_database: Database, pytestconfig: pytest.Config
) -> None:
    db = empty_database
    run([sys.executable, "-c", MIGRATE_TO, db.url, FIRST], db.url, pytestconfig.rootpath)
    rows = [
        _review_row(body, HIGHLIGHT_ASPECTS[kind], status, day)
        for body, kind, status, day in HIGHLIGHT_REVIEWS
    ]
    await db.execute([*PREVIOUS_RELEASE_ROWS, *rows])

    run(
        [str(Path(sys.executable).parent / "feedback-service"), "migrate"],
        db.url,
        pytestconfig.rootpath,
    )
    [(stored, version)] = await db.rows("SELECT highlights, reviews_version FROM product")
    [delivery] = json.loads(stored) if isinstance(stored, str) else stored
    assert (delivery["aspect"], delivery["mentions"]) == ("delivery", 3)
    assert (delivery["positive"], delivery["negative"]) == (2, 1)
    quote = delivery["quotes"]["fr"]["text"]
    assert quote in {body for body, _, status, _ in HIGHLIGHT_REVIEWS if status == "published"}
    assert "attente" not in json.dumps(delivery, ensure_ascii=False)  # pending: not quoted
    assert version == 2  # was 1: blocks cached before the release are not served again
