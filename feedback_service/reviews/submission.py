"""The review form of an order (/r/{token}): what it asks, what it reads, what it stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from feedback_service import tokens
from feedback_service.errors import InvalidInput, InvalidToken
from feedback_service.i18n import Translator
from feedback_service.links import Links
from feedback_service.orders.models import Customer, Product
from feedback_service.outbox import services as outbox
from feedback_service.reviews import authors, checks, draws, photos, shop_reviews
from feedback_service.reviews.models import (
    ModerationEvent,
    PrizeDraw,
    Review,
    ReviewQuestion,
    ReviewRequest,
    ReviewStatus,
)
from feedback_service.reviews.services import (
    MAX_TEXT,
    MAX_TITLE,
    REVIEW_TOKEN_MAX_AGE,
    clean_text,
    order_products,
    refresh_product_rating,
    review_event,
    sentiment_fields,
    utcnow,
)
from feedback_service.sentiment import analyse
from feedback_service.shops.models import Shop


@dataclass
class ReviewForm:
    request: ReviewRequest
    shop: Shop
    customer: Customer
    products: list[Product]
    questions: list[ReviewQuestion]
    submitted: bool
    draw: PrizeDraw | None = None  # a prize draw open now: the form says so


@dataclass
class ProductReview:
    product: Product | None  # None: the review of the shop itself (shop_reviews)
    rating: int
    title: str
    body: str
    answers: list[list[str]]
    photos: list[bytes] = field(default_factory=list)
    criteria: dict[str, int] = field(default_factory=dict)  # a shop review's criteria


async def load_form(token: str, links: Links) -> ReviewForm:
    request_id, shop_id = links.signer.loads(tokens.REVIEW, token, REVIEW_TOKEN_MAX_AGE)
    request = (
        await ReviewRequest.filter(id=request_id, shop_id=shop_id)
        .select_related("shop", "customer", "order")
        .first()
    )
    if request is None:
        raise InvalidToken("This link is not valid.")
    questions = await ReviewQuestion.filter(shop_id=shop_id, active=True).order_by("position", "id")
    return ReviewForm(
        request=request,
        shop=request.shop,
        customer=request.customer,
        products=await order_products(request.order),
        questions=questions,
        submitted=request.submitted_at is not None,
        draw=await draws.open_draw(request.shop, utcnow()),
    )


@dataclass(frozen=True)
class StarClick:
    """The stars a customer clicked in the request email, for one product of the order."""

    product: Product
    rating: int


def star_click(form: ReviewForm, product: str | None, stars: str | None) -> StarClick | None:
    """The email's `?product=&stars=`, None without them; InvalidInput when either is
    missing, forged or out of range (the form is not shown with a made-up rating)."""
    if product is None and stars is None:
        return None
    chosen = next((p for p in form.products if str(p.id) == product), None)
    if chosen is None or stars not in {"1", "2", "3", "4", "5"}:
        raise InvalidInput("This star link is not valid.", fields={"stars": "invalid"})
    return StarClick(chosen, int(stars))


def default_display_name(name: str) -> str:
    """First name and initial: "Marie Curie" -> "Marie C."."""
    parts = name.split()
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else f"{parts[0]} {parts[-1][0]}."


def read_submission(
    form: ReviewForm, fields: dict[str, list[str]], files: dict[str, list[bytes]]
) -> tuple[list[ProductReview], str, dict[str, str]]:
    """The reviews in a submitted form, the display name, and errors by field name."""
    _ = Translator(form.customer.locale)
    errors: dict[str, str] = {}
    items: list[ProductReview] = []

    def first(name: str) -> str:
        values = fields.get(name) or [""]
        return values[0]

    for product in form.products:
        prefix = f"p{product.id}_"
        raw_rating = first(prefix + "rating")
        title = clean_text(first(prefix + "title"), MAX_TITLE)
        body = clean_text(first(prefix + "body"), MAX_TEXT)
        uploads = [data for data in files.get(prefix + "photos", []) if data]
        if not raw_rating:
            if title or body or uploads:
                errors[prefix + "rating"] = _("Please choose a number of stars.")
            continue
        if raw_rating not in {"1", "2", "3", "4", "5"}:
            errors[prefix + "rating"] = _("Please choose a number of stars.")
            continue
        if len(title) > MAX_TITLE:
            errors[prefix + "title"] = _("A title has at most %(n)s characters.", n=MAX_TITLE)
        if len(body) > MAX_TEXT:
            errors[prefix + "body"] = _("A review has at most %(n)s characters.", n=MAX_TEXT)
        if len(uploads) > photos.MAX_PHOTOS:
            errors[prefix + "photos"] = _("At most %(n)s photos.", n=photos.MAX_PHOTOS)
        answers = []
        for question in form.questions:
            chosen = [v for v in fields.get(f"{prefix}q{question.id}", []) if v in question.choices]
            if chosen:
                answers.append(
                    [question.label, ", ".join(chosen if question.multiple else chosen[:1])]
                )
        items.append(ProductReview(product, int(raw_rating), title, body, answers, uploads))
    about_shop, shop_errors = shop_reviews.read_form(fields, _)
    errors.update(shop_errors)
    if about_shop is not None:  # the review of the shop itself: no product
        criteria = about_shop.criteria
        items.append(ProductReview(None, about_shop.rating, "", about_shop.body, [], [], criteria))
    if not items and not errors:
        errors["form"] = _("Please rate at least one product.")
    display_name = clean_text(first("display_name"), 60)
    if not display_name:
        errors["display_name"] = _("Please give the name to show with your review.")
    if first("consent") != "yes":
        errors["consent"] = _("Please accept the publication of your review.")
    return items, display_name, errors


async def submit(
    form: ReviewForm,
    items: list[ProductReview],
    display_name: str,
    photo_dir: Path,
    links: Links,
) -> list[Review]:
    """Store the order's reviews and queue their confirmation email (with the author's
    private links); a second submission of the same form changes nothing."""
    if form.submitted:
        return []
    # Every photo decoded and re-encoded (InvalidInput) before any is written.
    cleaned = [[photos.reencode(data) for data in item.photos] for item in items]
    stored = [[photos.save(clean, photo_dir) for clean in photo_list] for photo_list in cleaned]
    shop, request = form.shop, form.request
    now = utcnow()
    # Written while a prize draw is announced: the review says so, whatever its rating.
    incentivised = await draws.announced(shop, now)
    created: list[Review] = []
    try:
        async with in_transaction():
            for item, item_photos in zip(items, stored, strict=True):
                text = f"{item.title}\n{item.body}"
                auto = (
                    shop.reviews_auto_publish
                    and not checks.flags(text)
                    and not checks.flags(display_name)
                )
                sentiment = analyse(text, form.customer.locale) if text.strip() else None
                review = await Review.create(
                    shop=shop,
                    product=item.product,
                    customer=form.customer,
                    request=request,
                    rating=item.rating,
                    title=item.title,
                    body=item.body,
                    author_name=display_name,
                    author_email=form.customer.email,
                    answers=item.answers,
                    photos=item_photos,
                    **shop_reviews.criteria_fields(item.criteria),
                    **sentiment_fields(sentiment, form.customer.locale),
                    consent=True,
                    status=ReviewStatus.PUBLISHED if auto else ReviewStatus.PENDING,
                    verified=True,
                    source="request",
                    experienced_at=request.order.delivered_at or request.order.ordered_at,
                    submitted_at=now,
                    published_at=now if auto else None,
                    incentivised=incentivised,
                )
                created.append(review)
                event = review_event(
                    review,
                    product=item.product,
                    customer=form.customer,
                    order_id=request.order.external_id,
                )
                await outbox.emit(shop, "review.submitted", event)
                # Alerts (a layer above) check it: the worker runs their job.
                await outbox.schedule(shop, "review_alert", {"review_id": review.id}, now)
                if auto:
                    await ModerationEvent.create(
                        review=review, action="auto_publish", actor="system"
                    )
                    await outbox.emit(shop, "review.published", event)
            # A form of shop review only has no (request, product) pair to clash on.
            if not await ReviewRequest.filter(id=request.id, submitted_at=None).update(
                submitted_at=now
            ):
                raise IntegrityError("this form was sent twice at once")
            for product_id in {r.product_id for r in created if r.status == ReviewStatus.PUBLISHED}:
                if product_id is not None:
                    await refresh_product_rating(product_id)
            await authors.queue_confirmation(shop, form.customer, created, links)
    except IntegrityError:  # submitted twice at the same moment: the first one stands
        return []
    return created
