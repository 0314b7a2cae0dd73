"""Render time of a review's share card (/w/{shop}/reviews/{id}/card.png), no app, no database.

    .venv/bin/python benchmarks/cards.py [--runs 50]

Prints the median milliseconds per card (wall clock, one thread) and the PNG's size, for
an ordinary French review and a hostile one (5,000-character words, emoji, RTL, bidi
overrides), whose text is cut before layout so it costs about the same.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

from widgets import Product, Review, Shop
from widgets.card import render_review_card

SHOP = Shop(
    slug="maison-dupont",
    name="Maison Dupont",
    policy_url="https://reviews.example.com/w/maison-dupont/review-policy",
    certificate_url="https://reviews.example.com/w/maison-dupont/certificate",
)
PRODUCT = Product(
    sku="KETTLE-1",
    name="Bouilloire émaillée 1,5 L",
    url="https://shop.example.com/products/kettle",
    image_url=None,
    brand=None,
    gtin=None,
)


def review(title: str, body: str, author: str) -> Review:
    return Review(
        id=1,
        product_sku="KETTLE-1",
        product_name=PRODUCT.name,
        author_name=author,
        rating=4,
        title=title,
        body=body,
        language="fr",
        published_at=datetime(2026, 11, 1, tzinfo=UTC),
        experienced_at=None,
        verified=True,
        helpful_count=0,
        reply=None,
        photos=(),
        url="https://reviews.example.com/w/maison-dupont/reviews/1",
        helpful_url="https://reviews.example.com/w/maison-dupont/reviews/1/helpful",
    )


CASES = {
    "ordinary (fr)": review(
        "Chauffe vite et sans bruit",
        "Très belle finition, l'émail est épais et le sifflet s'entend de loin. "
        "Un peu lourde une fois pleine, mais je la recommande sans hésiter.",
        "Camille D.",
    ),
    "hostile": review(
        "\u202egpj.exe " + "W" * 5000 + " 😀👍🏽 مرحبا שלום 中文",
        ("A" * 5000 + " ") * 3 + "🦄" * 500,
        "\u202eLéa " + "X" * 300,
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    for name, case in CASES.items():
        render_review_card(SHOP, PRODUCT, case, "fr")  # fonts and glyph checks warm up
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            png = render_review_card(SHOP, PRODUCT, case, "fr")
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{name:14} {statistics.median(times):6.1f} ms per card "
            f"(max {max(times):.1f} ms), {len(png) / 1024:.0f} KiB"
        )


if __name__ == "__main__":
    main()
