"""The demo shop: products, customers, orders and three months of answers."""

from __future__ import annotations

import hashlib
import hmac
import random
import unicodedata
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from feedback_service.links import (
    ADMIN_DRAWS,
    ADMIN_LOGIN,
    ADMIN_OUTBOX,
    ADMIN_QUESTIONS,
    CERTIFICATE,
    PRODUCT_BLOCK,
    PRODUCT_PAGE,
    REVIEW_CARD,
    REVIEW_PAGE,
    Links,
)
from feedback_service.orders.models import Customer, Order, OrderItem, Product
from feedback_service.orders.services import refresh_order_totals
from feedback_service.questions.models import Answer, AnswerStatus, Question, QuestionStatus
from feedback_service.reviews import draws
from feedback_service.reviews.models import Review, ReviewQuestion, ReviewRequest, ReviewStatus
from feedback_service.reviews.services import refresh_product_rating, review_url, star_links
from feedback_service.sentiment import analyse
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop, StaffUser
from feedback_service.shops.services import create_api_key, password_hash
from feedback_service.surveys.kinds import Kind
from feedback_service.surveys.models import Invitation, Response
from feedback_service.surveys.services import invitation_out

SLUG = "demo"
ADMIN_EMAIL = "admin@demo.example"
AGENT_EMAIL = "agent@demo.example"
DEMO_PASSWORD = "demo-password"

PRODUCTS = [
    ("TSHIRT-01", "T-shirt en coton bio", "tops", Decimal("25.00")),
    ("SWEAT-02", "Sweat à capuche", "tops", Decimal("59.00")),
    ("JEAN-03", "Jean droit", "bottoms", Decimal("79.00")),
    ("SHORT-04", "Short en lin", "bottoms", Decimal("45.00")),
    ("SNEAK-05", "Baskets en toile", "shoes", Decimal("89.00")),
    ("BOOT-06", "Bottines en cuir", "shoes", Decimal("149.00")),
    ("CAP-07", "Casquette brodée", "accessories", Decimal("22.00")),
    ("BAG-08", "Sac cabas", "accessories", Decimal("35.00")),
]
FIRST_NAMES = [
    "Camille",
    "Léa",
    "Hugo",
    "Chloé",
    "Lucas",
    "Emma",
    "Louis",
    "Manon",
    "Jules",
    "Inès",
    "Sarah",
    "Tom",
    "Alice",
    "Nathan",
    "Olivia",
    "James",
    "Emily",
    "Noah",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Durand",
    "Lefebvre",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Garcia",
    "Smith",
    "Brown",
    "Taylor",
    "Wilson",
]
COMMENTS = {
    "positive": [
        ("fr", "Livraison rapide et produit nickel, rien à redire !"),
        ("fr", "Très contente de ma commande, la qualité est au top."),
        ("fr", "Service client super réactif, merci !"),
        ("en", "Great quality and fast delivery, thank you!"),
        ("en", "Lovely fit, I will order again."),
    ],
    "negative": [
        ("fr", "Colis arrivé avec une semaine de retard, et aucune réponse du service client."),
        ("fr", "Taille beaucoup trop petite, très déçue."),
        ("fr", "Le produit est bien mais le remboursement n'est toujours pas arrivé."),
        ("en", "The parcel arrived damaged and nobody answered my emails."),
        ("en", "Too expensive for the quality, disappointed."),
    ],
    "neutral": [
        ("fr", "Correct, sans plus."),
        ("en", "It's okay, as described."),
    ],
}


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


REVIEW_TEXTS = [
    (5, "fr", "Parfait", "Très belle qualité, taille normalement. Livraison rapide."),
    (5, "fr", "Au top", "Rien à redire, je recommande !"),
    (4, "fr", "Très bien", "Bon produit, un peu long à arriver mais emballage soigné."),
    (4, "en", "Lovely", "Nice fabric and true to size. Would buy again."),
    (3, "fr", "Correct", "Correct sans plus, les couleurs sont un peu ternes."),
    (2, "fr", "Déçue", "La taille est beaucoup trop petite et le retour est payant."),
    (1, "en", "Arrived damaged", "The parcel was torn and the item stained. Waiting for a refund."),
    (5, "en", "Perfect gift", "My partner loves it. Fast shipping."),
]


# Reviews of the shop itself: overall, then delivery, product as described, customer service
# (None: not rated, as a customer who never wrote to the shop leaves it).
SHOP_REVIEW_TEXTS = [
    (5, (5, 5, None), "fr", "Commande reçue en 48 h, emballage soigné. Je recommande la boutique."),
    (5, (5, 5, 5), "fr", "Un échange de taille fait sans difficulté, service client adorable."),
    (4, (4, 5, None), "fr", "Bonne boutique, livraison un peu lente mais tout était conforme."),
    (5, (5, 4, None), "en", "Fast delivery to Brussels and the sizes were exactly as described."),
    (
        3,
        (2, 4, 3),
        "fr",
        "Colis arrivé avec trois jours de retard, mais réponse rapide du service.",
    ),
    (4, (4, 4, None), "en", ""),
    (2, (1, 3, 2), "fr", "Livraison très en retard et suivi du colis introuvable."),
    (5, (5, 5, None), "fr", ""),
]


async def _reviews(shop: Shop, orders: list[Order], rng: random.Random, now: datetime) -> None:
    # The shop's own words, in its language (fr), asked about every product it sells:
    # bags and caps have no size, so the demo asks what fits them all.
    fit = await ReviewQuestion.create(
        shop=shop,
        label="Conforme à la description ?",
        choices=["Oui", "En partie", "Non"],
        position=1,
    )
    again = await ReviewQuestion.create(
        shop=shop, label="Le rachèteriez-vous ?", choices=["Oui", "Non"], position=2
    )
    product_ids = set()
    for n, order in enumerate(orders[:70]):
        item = await OrderItem.filter(order=order).select_related("product").first()
        assert item is not None
        customer = await Customer.get(id=order.customer_id)
        rating, language, title, body = REVIEW_TEXTS[rng.randrange(len(REVIEW_TEXTS))]
        published = n % 10 != 0  # a few wait for moderation
        submitted = min(now, (order.delivered_at or now) + timedelta(days=rng.randint(3, 12)))
        first, *rest = customer.name.split()
        # Analysed as the review form does: the demo's products get their highlights.
        sentiment = analyse(f"{title}\n{body}", language)
        await Review.create(
            shop=shop,
            product=item.product,
            customer=customer,
            rating=rating,
            title=title,
            body=body,
            author_name=f"{first} {rest[-1][0]}." if rest else first,
            author_email=customer.email,
            language=language,
            sentiment_score=sentiment.score,
            sentiment_label=sentiment.label,
            aspects=sentiment.as_dict()["aspects"],
            answers=[[fit.label, rng.choice(fit.choices)], [again.label, again.choices[0]]],
            status=ReviewStatus.PUBLISHED if published else ReviewStatus.PENDING,
            verified=True,
            source="request",
            experienced_at=order.delivered_at,
            submitted_at=submitted,
            published_at=submitted if published else None,
            reply_body="Merci beaucoup pour votre retour !" if n % 7 == 0 else None,
            reply_at=submitted if n % 7 == 0 else None,
        )
        product_ids.add(item.product.id)
        if n % 4 != 3:  # most customers rate the shop too
            rating, criteria, language, body = SHOP_REVIEW_TEXTS[n % len(SHOP_REVIEW_TEXTS)]
            delivery, as_described, service = criteria
            await Review.create(
                shop=shop,
                product=None,
                customer=customer,
                rating=rating,
                rating_delivery=delivery,
                rating_as_described=as_described,
                rating_service=service,
                body=body,
                author_name=f"{first} {rest[-1][0]}." if rest else first,
                author_email=customer.email,
                language=language,
                status=ReviewStatus.PUBLISHED if published else ReviewStatus.PENDING,
                verified=True,
                source="request",
                experienced_at=order.delivered_at,
                submitted_at=submitted,
                published_at=submitted if published else None,
                reply_body="Merci, nous avons changé de transporteur." if rating <= 2 else None,
                reply_at=submitted if rating <= 2 else None,
            )
    for product_id in product_ids:
        await refresh_product_rating(product_id)


async def _questions(shop: Shop, product: Product, buyer: Customer, now: datetime) -> None:
    """Shoppers' questions on the first product: answered by the shop, answered by a buyer
    (both shown under its reviews), and one waiting in /admin/questions."""
    asked = [
        (
            "Léa",
            "Taille-t-il grand\u202f? Je fais du M d'habitude.",
            QuestionStatus.PUBLISHED,
            True,
        ),
        (
            "Hugo",
            "Le coton rétrécit-il au lavage à 40\u00a0°C\u202f?",
            QuestionStatus.PUBLISHED,
            False,
        ),
        ("Inès", "Existe-t-il en vert sapin\u202f?", QuestionStatus.PENDING, False),
    ]
    for n, (name, body, status, by_shop) in enumerate(asked):
        when = now - timedelta(days=20 - 5 * n)
        question = await Question.create(
            shop=shop,
            product=product,
            body=body,
            author_name=name,
            author_email=f"{_ascii(name)}.question@demo.example",
            language="fr",
            status=status,
            asked_at=when,
            confirmed_at=when,
            published_at=when + timedelta(hours=3) if status == QuestionStatus.PUBLISHED else None,
            answered_at=when + timedelta(hours=3) if status == QuestionStatus.PUBLISHED else None,
        )
        if status != QuestionStatus.PUBLISHED:
            continue
        await Answer.create(
            question=question,
            by_shop=by_shop,
            customer=None if by_shop else buyer,
            author_name="" if by_shop else "Camille D.",
            author_email=None if by_shop else buyer.email,
            body="Il taille normalement\u202f: prenez votre taille habituelle."
            if by_shop
            else "Non, le mien n'a pas bougé après dix lavages à 40\u00a0°C.",
            status=AnswerStatus.PUBLISHED,
            created_at=when + timedelta(hours=3),
            published_at=when + timedelta(hours=3),
        )


def demo_api_key(settings: Settings) -> str:
    """Stable across runs (so `make run` can print it), unguessable without the secret."""
    digest = hmac.new(settings.secret_key.encode(), b"demo-api-key", hashlib.sha256)
    return "fsk_demo_" + digest.hexdigest()[:32]


def _score_mood(kind: str, rng: random.Random) -> tuple[int, str]:
    if kind == Kind.NPS:
        score = rng.choices(range(11), weights=[1, 1, 1, 2, 2, 3, 4, 8, 10, 14, 12])[0]
        return score, "positive" if score >= 9 else "negative" if score <= 6 else "neutral"
    if kind == Kind.CSAT:
        score = rng.choices(range(1, 6), weights=[2, 3, 5, 12, 14])[0]
        return score, "positive" if score >= 4 else "negative" if score <= 2 else "neutral"
    score = rng.choices([4, 3, 2, 1], weights=[14, 10, 4, 2])[0]
    return score, "positive" if score >= 3 else "negative"


async def load(settings: Settings) -> list[str]:
    rng = random.Random(20261123)
    now = datetime.now(UTC).replace(microsecond=0)
    await Shop.filter(slug=SLUG).delete()  # a refresh starts from the same clean state
    shop = await Shop.create(
        slug=SLUG,
        name="Maison Exemple",
        locale="fr",
        sender_name="Maison Exemple",
        sender_email="bonjour@demo.example",
    )
    key = demo_api_key(settings)
    await create_api_key(shop, name="demo", key=key)
    hashed = password_hash.hash(DEMO_PASSWORD)
    await StaffUser.filter(email__in=[ADMIN_EMAIL, AGENT_EMAIL]).delete()
    await StaffUser.create(shop=shop, email=ADMIN_EMAIL, password_hash=hashed, role="admin")
    await StaffUser.create(shop=shop, email=AGENT_EMAIL, password_hash=hashed, role="agent")

    products = [
        await Product.create(
            shop=shop,
            sku=sku,
            name=name,
            category=category,
            brand="Maison Exemple",
            url=f"https://shop.demo.example/p/{sku.lower()}",
            image_url=f"https://shop.demo.example/img/{sku.lower()}.jpg",
        )
        for sku, name, category, _ in PRODUCTS
    ]
    prices = {sku: price for sku, _, _, price in PRODUCTS}
    customers = []
    for n in range(150):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        customers.append(
            await Customer.create(
                shop=shop,
                email=f"{_ascii(first)}.{_ascii(last)}.{n}@demo.example",
                name=f"{first} {last}",
                locale="en" if n % 4 == 0 else "fr",
                external_id=f"C{n:04d}",
            )
        )
    orders = []
    for n in range(320):
        customer = customers[min(int(rng.paretovariate(1.2)) - 1, 149) if n % 3 else n % 150]
        ordered = now - timedelta(days=rng.randint(1, 360), hours=rng.randint(0, 23))
        order = await Order.create(
            shop=shop,
            external_id=f"DEMO-{n:05d}",
            customer=customer,
            ordered_at=ordered,
            delivered_at=ordered + timedelta(days=rng.randint(2, 6)),
        )
        chosen = rng.sample(products, k=rng.choice([1, 1, 1, 2, 3]))
        await OrderItem.bulk_create(
            [
                OrderItem(order=order, product=p, quantity=1, unit_price=prices[p.sku])
                for p in chosen
            ]
        )
        orders.append(order)

    for n in range(300):
        kind = tuple(Kind)[n % 3]
        order = orders[n % len(orders)]
        customer = customers[n % len(customers)]
        when = now - timedelta(days=rng.randint(0, 90), minutes=rng.randint(0, 1440))
        invitation = await Invitation.create(
            shop=shop, kind=kind, customer=customer, order=order, locale=customer.locale
        )
        score, mood = _score_mood(kind, rng)
        comment = None
        if rng.random() < 0.45:
            comment = rng.choice(COMMENTS[mood])[1]
        response = await Response.create(
            shop=shop,
            invitation=invitation,
            customer=customer,
            kind=kind,
            score=score,
            comment=comment,
            commented_at=when if comment else None,
            dedupe_key=f"inv:{invitation.id}",
        )
        await Invitation.filter(id=invitation.id).update(created_at=when - timedelta(hours=2))
        await Response.filter(id=response.id).update(created_at=when, updated_at=when)

    await _reviews(shop, orders, rng, now)
    guest = await Customer.create(
        shop=shop, email="camille.guest@demo.example", name="Camille Durand", locale="fr"
    )
    guest_order = await Order.create(
        shop=shop,
        external_id="DEMO-GUEST",
        customer=guest,
        ordered_at=now - timedelta(days=9),
        delivered_at=now - timedelta(days=7),
    )
    await OrderItem.bulk_create(
        [OrderItem(order=guest_order, product=p, quantity=1) for p in products[:2]]
    )
    await _questions(shop, products[0], guest, now)
    # Orders written directly, not through upsert_order: the customers' totals once at the end.
    await refresh_order_totals([*(c.id for c in customers), guest.id])
    review_request = await ReviewRequest.create(
        shop=shop, order=guest_order, customer=guest, send_at=now
    )
    invitation = await Invitation.create(
        shop=shop, kind=Kind.THERMOMETER, customer=guest, locale="fr"
    )
    sample = invitation_out(shop, invitation, guest, Links(settings))
    # Announced now, so /admin/draws has a draw and new demo reviews enter it.
    draw = await draws.create_draw(
        shop,
        period_start=now,
        period_end=now + timedelta(days=30),
        prize="Un bon d'achat de 50 € / A €50 voucher",
        rules_url="https://shop.demo.example/jeu-concours",
    )
    shared = (
        await Review.filter(shop=shop, status=ReviewStatus.PUBLISHED, product=products[0])
        .order_by("-rating", "-published_at", "id")
        .first()
    ) or await Review.filter(
        shop=shop, status=ReviewStatus.PUBLISHED, product_id__isnull=False
    ).order_by("id").first()
    links = Links(settings)
    sku = PRODUCTS[0][0]
    form_url = review_url(links, review_request)
    starred, stars = star_links(form_url, products[:1])[0]
    four_stars = dict(stars)[4]
    return [
        f"Demo shop [bold]{shop.name}[/bold] ({SLUG}) ready: {len(customers)} customers, "
        f"{len(orders)} orders, 300 answers over three months.",
        f"Admin login: {links.url(ADMIN_LOGIN)}  {ADMIN_EMAIL} / {DEMO_PASSWORD}"
        f"  (agent: {AGENT_EMAIL} / {DEMO_PASSWORD})",
        f"Demo API key: {key}",
        f"Survey link (French thermometer, 'gold'): {sample.links['gold']}",
        f"Review form (order DEMO-GUEST): {form_url}",
        f"A star link of its email (4 stars for {starred.name}): {four_stars}",
        f"Product page with reviews: {links.url(PRODUCT_PAGE, shop=SLUG, sku=sku)}",
        f"Embeddable block: {links.url(PRODUCT_BLOCK, shop=SLUG, sku=sku, kind='reviews')}",
        # The badge is a fragment for the shop's pages, not a page: named, not linked.
        f"The shop's review certificate: {links.url(CERTIFICATE, shop=SLUG)}  (its badge: /badge)",
        f"Product questions to moderate and answer: {links.url(ADMIN_QUESTIONS)}",
        *(
            [
                f"One review's shareable page: {links.url(REVIEW_PAGE, shop=SLUG, id=shared.id)}"
                f"  (its share card: {links.url(REVIEW_CARD, shop=SLUG, id=shared.id)})"
            ]
            if shared
            else []
        ),
        f"Prize draw, announced for 30 days: {links.url(ADMIN_DRAWS)}  (public page: "
        f"{draws.public_url(links, shop, draw)})",
        f"Outbox (emails are kept there without SMTP_URL): {links.url(ADMIN_OUTBOX)}",
        f"Try the API: curl -H 'Authorization: Bearer {key}' {settings.base_url}/api/v1/responses",
    ]
