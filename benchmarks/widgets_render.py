"""Render time of the widgets alone (no app, no database): a page of 20 reviews.

    .venv/bin/python benchmarks/widgets_render.py [--runs 500] [--profile]

Prints the median milliseconds per call of each hot-path renderer, in English and
French. The goal is under 1.5 ms for the reviews block of 20 reviews. Times are the
process's CPU time: other work on the machine moves them less than wall-clock time,
but still does (shared cores and caches), so compare runs made one after the other.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import widgets
from widgets import PageInfo, Product, Reply, Review, Shop, Summary

SERVICE = "https://reviews.example.com"
SHOP = Shop(
    slug="maison-dupont",
    name="Maison Dupont",
    policy_url="https://reviews.example.com/w/maison-dupont/review-policy",
    certificate_url="https://reviews.example.com/w/maison-dupont/certificate",
    logo_url="https://shop.example.com/logo.png",
    timezone="Europe/Paris",
)
PRODUCT = Product(
    sku="KETTLE-1",
    name="Bouilloire émaillée 1,5 L",
    url="https://shop.example.com/products/kettle",
    image_url="https://shop.example.com/img/kettle.jpg",
    brand="Dupont",
    gtin="3017620422003",
    description="Bouilloire en acier émaillé pour tous les feux, sifflet inclus.",
)
SUMMARY = Summary(value=4.25, count=143, distribution={5: 80, 4: 35, 3: 15, 2: 8, 1: 5})
PAGE = PageInfo(
    page=1,
    pages=8,
    sort="recent",
    lang=None,
    base_url="https://reviews.example.com/w/maison-dupont/products/KETTLE-1/reviews",
)
CANONICAL = "https://shop.example.com/products/kettle"
TEXTS = {
    "fr": (
        "Très bien, un peu bruyante",
        "Elle chauffe vite et le sifflet s'entend de loin. Un peu lourde une fois pleine.\n"
        "Le manche reste froid, la couleur est belle.",
        "Merci pour votre avis ! Le sifflet peut se retirer.",
        (("Recommanderiez-vous ce produit ?", "Oui"), ("Type de feu", "Induction")),
    ),
    "en": (
        "Boils fast, whistles loud",
        "Water boils in four minutes on gas.\nThe handle stays cool & the lid fits well.",
        "Thank you! The whistle can be removed.",
        (("Would you recommend it?", "Yes"), ("Hob type", "Gas")),
    ),
}


def sample_reviews(count: int = 20) -> list[Review]:
    """Reviews a day or two apart, in both languages; some with replies, answers, photos."""
    start = datetime(2025, 3, 20, 18, 45, tzinfo=UTC)
    reviews = []
    for n in range(count):
        language = "fr" if n % 3 else "en"
        title, body, reply, answers = TEXTS[language]
        published = start - timedelta(days=n // 2, hours=n)
        reviews.append(
            Review(
                id=1000 + n,
                product_sku=PRODUCT.sku,
                product_name=PRODUCT.name,
                author_name=f"Client {n} <b>",
                rating=5 - n % 5,
                title=title,
                body=body,
                language=language,
                published_at=published,
                experienced_at=published - timedelta(days=10) if n % 2 else None,
                verified=n % 4 != 3,
                helpful_count=n % 7 * 150,
                reply=Reply(reply, published + timedelta(days=1)) if n % 5 == 1 else None,
                photos=(
                    f"https://cdn.example.com/photos/{n}-a.jpg",
                    f"https://cdn.example.com/photos/{n}-b.jpg",
                )
                if n % 6 == 0
                else (),
                url=f"{SERVICE}/w/maison-dupont/reviews/{1000 + n}",
                helpful_url=f"{SERVICE}/w/maison-dupont/reviews/{1000 + n}/helpful",
                incentivised=n == 7,
                answers=answers if n % 2 == 0 else (),
            )
        )
    return reviews


REVIEWS = sample_reviews()


def renderers(locale: str) -> dict[str, Callable[[], str]]:
    return {
        "render_reviews_block": lambda: widgets.render_reviews_block(
            SHOP, PRODUCT, SUMMARY, REVIEWS, PAGE, locale
        ),
        "render_product_page": lambda: widgets.render_product_page(
            SHOP, PRODUCT, SUMMARY, REVIEWS, PAGE, CANONICAL, locale
        ),
        "render_badge": lambda: widgets.render_badge(SHOP, PRODUCT, SUMMARY, locale),
        "render_head": lambda: widgets.render_head(SHOP, PRODUCT, SUMMARY, CANONICAL, locale),
    }


def median_ms(call: Callable[[], str], runs: int) -> float:
    call()  # warm-up: first-use caches are not what a busy page sees
    samples = []
    for _ in range(runs):
        started = time.process_time()
        call()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--profile", action="store_true", help="cProfile the reviews block")
    args = parser.parse_args()
    if args.profile:
        block = renderers("fr")["render_reviews_block"]
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [block() for _ in range(args.runs)])
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    print(f"{len(REVIEWS)} reviews, median of {args.runs} calls, ms per call")
    print(f"{'function':<24} {'en':>8} {'fr':>8}")
    timings = {locale: renderers(locale) for locale in ("en", "fr")}
    for name in timings["en"]:
        en, fr = (median_ms(timings[locale][name], args.runs) for locale in ("en", "fr"))
        print(f"{name:<24} {en:>8.3f} {fr:>8.3f}")


if __name__ == "__main__":
    main()
