"""Column presets of other platforms' review exports: our field -> their column.

Plain data (the command line's --help lists it without loading the app)."""

from __future__ import annotations

from dataclasses import dataclass

# Our fields (the generic preset's columns).
FIELDS = (
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
REQUIRED = ("sku", "rating", "author_name", "source", "source_id", "submitted_at")


@dataclass(frozen=True)
class Preset:
    export: str  # where the file comes from
    columns: dict[str, str]  # our field -> their column
    source: str | None = None  # the platform's name, when the file has no such column
    published: frozenset[str] = frozenset()  # values of the "published" column that mean yes
    # First and last name columns: the author shows as "Léa M." (the initial only).
    name_parts: tuple[str, str] | None = None


PRESETS = {
    "generic": Preset(
        "any spreadsheet with these columns; verified and published: 1, true, yes or oui",
        {name: name for name in FIELDS},
        published=frozenset({"1", "true", "yes", "y", "oui"}),
    ),
    "judgeme": Preset(
        "Judge.me > Settings > Import/Export > Export reviews (product handles as skus)",
        {
            "title": "title",
            "body": "body",
            "rating": "rating",
            "submitted_at": "review_date",
            "author_name": "reviewer_name",
            "author_email": "reviewer_email",
            "sku": "product_handle",
            "published": "curated",
        },
        source="judgeme",
        published=frozenset({"ok"}),
    ),
    "trustpilot": Preset(
        "Trustpilot Business > Product reviews > Export",
        {
            "source_id": "Review Id",
            "sku": "SKU",
            "rating": "Stars",
            "title": "Title",
            "body": "Content",
            "author_name": "Consumer Name",
            "author_email": "Consumer Email",
            "language": "Language",
            "order_id": "Reference Id",
            "submitted_at": "Created At",
            "published": "State",
        },
        source="trustpilot",
        published=frozenset({"published", "public"}),
    ),
    "avis-verifies": Preset(
        "Avis Vérifiés (Skeepers) > Avis produits > Exporter (dates day first, e.g. 31/12/2026)",
        {
            "source_id": "Identifiant avis",
            "sku": "Référence produit",
            "rating": "Note",
            "body": "Avis",
            "author_name": "Prénom",
            "author_email": "Email",
            "order_id": "Référence commande",
            "submitted_at": "Date de l'avis",
            "experienced_at": "Date de commande",
        },
        source="avis-verifies",
        name_parts=("Prénom", "Nom"),
    ),
}


def describe(preset: str) -> str:
    """One line for --help: the file, then each of our fields and its column."""
    found = PRESETS[preset]
    pairs = ", ".join(f"{ours}={theirs}" for ours, theirs in found.columns.items())
    if found.name_parts:
        pairs += f", author_name={' + '.join(found.name_parts)} (initial)"
    return f"{preset}: {found.export}. Columns: {pairs}."
