"""Plain sample data for the widget tests (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from widgets import (
    CriterionRating,
    DrawNotice,
    PageInfo,
    Product,
    Reply,
    Review,
    ReviewPolicy,
    Shop,
    ShopRating,
    ShopReview,
    Summary,
)

HOSTILE = (
    "<script>alert(1)</script><img src=x onerror=alert(2)> {{7*7}} "
    "\u202egnp.exe\u202c \x00\x07\x1b[31m line\u2028sep\u2029para"
)
LONG_WORD = "A" * 5000

SERVICE = "https://reviews.example.com"
SHOP = Shop(
    slug="demo-shop",
    name="Maison Dupont",
    policy_url=f"{SERVICE}/w/demo-shop/review-policy",
    certificate_url=f"{SERVICE}/w/demo-shop/certificate",
    icon_url=f"{SERVICE}/favicon.svg",
)
POLICY = ReviewPolicy(
    publication_days=7,
    retention_years=5,
    moderated=True,
    refusal_reasons=("It contains abusive or offensive language.", "It is advertising or spam."),
)
DRAW = DrawNotice(
    prize="Un panier garni",
    ends=datetime(2026, 6, 30, 22, 0, tzinfo=UTC),  # July 1, 0:00 in Paris: June 30 is the last day
    url=f"{SERVICE}/w/demo-shop/draws/3",
)
PRODUCT = Product(
    sku="KETTLE-1",
    name="Stovetop kettle 1.5 L",
    url="https://shop.example.com/products/kettle",
    image_url="https://shop.example.com/img/kettle.jpg",
    brand="Dupont",
    gtin="3017620422003",
    description="Enamelled steel kettle for every hob, whistle included.",
    page_url=f"{SERVICE}/w/demo-shop/products/KETTLE-1",
    questions_url=f"{SERVICE}/w/demo-shop/products/KETTLE-1/questions",
)
SUMMARY = Summary(value=4.25, count=27, distribution={5: 14, 4: 8, 3: 3, 2: 1, 1: 1})


def when(day: int, month: int = 3) -> datetime:
    return datetime(2024, month, day, 9, 30, tzinfo=UTC)


def review(id: int, **changes: object) -> Review:
    base = Review(
        id=id,
        product_sku=PRODUCT.sku,
        product_name=PRODUCT.name,
        author_name="Alice M.",
        rating=5,
        title="Boils fast, whistles loud",
        body="Water boils in four minutes on gas.\nThe handle stays cool.",
        language="en",
        published_at=when(12),
        experienced_at=when(2),
        verified=True,
        helpful_count=3,
        reply=None,
        photos=(),
        url=f"{SERVICE}/w/demo-shop/reviews/{id}",
        helpful_url=f"{SERVICE}/w/demo-shop/reviews/{id}/helpful",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


REVIEWS = (
    review(
        101,
        photos=(
            "https://cdn.example.com/photos/101-a.jpg",
            "https://cdn.example.com/photos/101-b.jpg",
        ),
        answers=(("Would you recommend it?", "Yes"), ("Hob type", "Gas")),
    ),
    review(
        102,
        author_name="Jérôme",
        rating=4,
        title="Très bien, un peu bruyante",
        body="Elle chauffe vite et le sifflet s'entend de loin. Un peu lourde une fois pleine.",
        language="fr",
        published_at=when(10),
        experienced_at=when(1),
        helpful_count=1,
        reply=Reply(body="Merci Jérôme ! Le sifflet peut se retirer.", published_at=when(11)),
    ),
    review(
        103,
        author_name="Sam",
        rating=3,
        title="Fine, but the lid is loose",
        body="Does the job. The lid rattles when the water boils.",
        published_at=when(5),
        experienced_at=None,
        verified=False,
        helpful_count=0,
        incentivised=True,
    ),
    review(
        104,
        author_name="Priya",
        rating=5,
        title="Lovely colour",
        body="Looks great on the stove and works on induction.",
        published_at=when(28, 2),
        experienced_at=when(20, 2),
        helpful_count=7,
    ),
    review(
        105,
        author_name="Tom",
        rating=2,
        title="Handle got hot",
        body="On a large gas ring the handle gets too hot to hold.",
        published_at=when(20, 2),
        experienced_at=when(10, 2),
        helpful_count=2,
        reply=Reply(
            body="Sorry to hear that, Tom. Please use a smaller ring; we sent you a silicone grip.",
            published_at=when(21, 2),
        ),
    ),
)

PAGE = PageInfo(
    page=2,
    pages=3,
    sort="recent",
    lang=None,
    base_url="https://reviews.example.com/w/demo-shop/products/KETTLE-1/reviews",
)
CANONICAL = "https://shop.example.com/products/kettle"

# The shop's reviews of itself (its certificate and badge).
SHOP_RATING = ShopRating(
    summary=Summary(value=4.62, count=1283, distribution={5: 930, 4: 262, 3: 51, 2: 22, 1: 18}),
    criteria=(
        CriterionRating("delivery", 4.71, 1270),
        CriterionRating("as_described", 4.58, 1244),
        CriterionRating("service", 4.2, 310),
    ),
    total=1302,
)
SHOP_REVIEWS = (
    ShopReview(
        id=201,
        author_name="Léa M.",
        rating=5,
        criteria=(("delivery", 5), ("as_described", 5), ("service", 4)),
        body="Colis soigné, arrivé en deux jours. Le service client a répondu dans l'heure.",
        language="fr",
        published_at=when(14),
        experienced_at=when(9),
        verified=True,
    ),
    ShopReview(
        id=202,
        author_name="Tom",
        rating=2,
        criteria=(("delivery", 1),),
        body="The parcel came a week late.",
        language="en",
        published_at=when(13),
        experienced_at=None,
        verified=True,
        reply=Reply(
            body="Sorry, Tom: the carrier lost a day; we refunded the shipping.",
            published_at=when(14),
        ),
        incentivised=True,
    ),
)
