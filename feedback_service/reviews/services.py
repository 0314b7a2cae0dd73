"""Review requests, the review form, moderation, replies, import, helpful votes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from feedback_service import db, tokens
from feedback_service.alerts.services import check_review
from feedback_service.errors import InvalidInput, InvalidToken, NotFound
from feedback_service.i18n import N_, Translator
from feedback_service.links import Links
from feedback_service.orders.models import Customer, Order, OrderItem, Product
from feedback_service.outbox import services as outbox
from feedback_service.reviews import checks, draws, photos, shop_reviews
from feedback_service.reviews.models import (
    HelpfulVote,
    ModerationEvent,
    PrizeDraw,
    Review,
    ReviewQuestion,
    ReviewRequest,
)
from feedback_service.reviews.schemas import (
    REJECTION_REASONS,
    ModerationIn,
    ReviewImportIn,
    ReviewRequestIn,
)
from feedback_service.sentiment import Sentiment, analyse
from feedback_service.shops.models import Shop
from feedback_service.surveys import preferences
from feedback_service.templating import render

# The request goes out days after delivery; its link must outlive that wait.
REVIEW_TOKEN_MAX_AGE = 120 * 24 * 3600
# An automatic request due longer ago than this is not made (old orders imported or synced).
AUTOMATIC_REQUEST_MAX_LATE = timedelta(days=30)
MAX_TEXT = 5000
MAX_TITLE = 200


def utcnow() -> datetime:
    return datetime.now(UTC)


def review_token(links: Links, request: ReviewRequest) -> str:
    return links.signer.dumps(tokens.REVIEW, request.id, request.shop_id)


def review_url(links: Links, request: ReviewRequest) -> str:
    return f"{links.base_url}/r/{review_token(links, request)}"


# --- requests ----------------------------------------------------------------------------


async def _order_products(order: Order) -> list[Product]:
    items = await OrderItem.filter(order=order).select_related("product").order_by("id")
    seen: dict[int, Product] = {}
    for item in items:
        seen.setdefault(item.product.id, item.product)
    return list(seen.values())


async def create_request(
    shop: Shop, data: ReviewRequestIn, links: Links
) -> tuple[dict[str, Any], bool]:
    order = (
        await Order.filter(shop=shop, external_id=data.order_id).select_related("customer").first()
    )
    if order is None:
        raise InvalidInput("Unknown order.", fields={"order_id": "no such order"})
    existing = await ReviewRequest.filter(order=order).first()
    if existing is not None:
        return await request_json(shop, existing, order, links), False
    days = shop.review_delay_days if data.send_after_days is None else data.send_after_days
    send_at = (order.delivered_at or utcnow()) + timedelta(days=days)
    try:
        async with in_transaction():
            request = await ReviewRequest.create(
                shop=shop, order=order, customer=order.customer, send_at=send_at
            )
            await outbox.schedule(shop, "review_request", {"request_id": request.id}, send_at)
    except IntegrityError:  # the same order asked twice at once
        request = await ReviewRequest.get(order=order)
        return await request_json(shop, request, order, links), False
    return await request_json(shop, request, order, links), True


async def request_json(
    shop: Shop, request: ReviewRequest, order: Order, links: Links
) -> dict[str, Any]:
    customer: Customer = order.customer
    return {
        "id": request.id,
        "order_id": order.external_id,
        "token": review_token(links, request),
        "url": review_url(links, request),
        "send_at": request.send_at.isoformat(),
        "status": request.outcome or ("submitted" if request.submitted_at else "scheduled"),
        "email": review_request_email(
            shop, customer, await _order_products(order), review_url(links, request), links
        ),
    }


def review_request_email(
    shop: Shop,
    customer: Customer,
    products: list[Product],
    url: str,
    links: Links,
    *,
    reminder: bool = False,
) -> dict[str, Any]:
    _ = Translator(customer.locale)
    unsubscribe_url = links.unsubscribe_url(customer.id, shop.id)
    context = {
        "shop": shop,
        "customer_name": customer.name.split(" ")[0] if customer.name else "",
        "products": products,
        "url": url,
        "unsubscribe_url": unsubscribe_url,
        "reminder": reminder,
    }
    subject = _("How do you like your order from %(shop)s?", shop=shop.name)
    if reminder:
        subject = _("Reminder: %(subject)s", subject=subject)
    return {
        "subject": subject,
        "html": render("emails/review_request.html", customer.locale, **context),
        "text": render("emails/review_request.txt", customer.locale, **context),
        "headers": {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    }


async def send_due_request(request_id: int, links: Links) -> str:
    """Called by the worker when a request is due: send it, or say why not."""
    request = (
        await ReviewRequest.filter(id=request_id)
        .select_related("shop", "customer", "order")
        .first()
    )
    if request is None or request.outcome is not None:
        return "gone"
    shop, customer = request.shop, request.customer
    now = utcnow()
    async with in_transaction():
        # The same rules as survey invitations (shop and segment windows, the customer's
        # choice); a hold is recorded for the shop's contact pressure.
        hold = await preferences.claim(shop, customer, "review", now)
        outcome = "sent"
        if hold is not None:
            unsubscribed = hold.status == "unsubscribed"
            outcome = "skipped_unsubscribed" if unsubscribed else "skipped_throttled"
        # Only a request still waiting: the order may have been cancelled meanwhile.
        if not await ReviewRequest.filter(id=request.id, outcome=None).update(
            outcome=outcome, sent_at=now if outcome == "sent" else None
        ):
            return "gone"
        if outcome == "sent":
            request.order.customer = customer
            email = review_request_email(
                shop,
                customer,
                await _order_products(request.order),
                review_url(links, request),
                links,
            )
            await outbox.queue_email(shop, to=customer.email, locale=customer.locale, **email)
            await _schedule_reminder(shop, request, now)
    return outcome


async def order_request_state(order: Order) -> dict[str, Any] | None:
    """The review request of an order as GET /api/v1/orders/{id} shows it, or None."""
    request = await ReviewRequest.filter(order_id=order.id).first()
    if request is None:
        return None
    review_ids = (
        await Review.filter(request_id=request.id).order_by("id").values_list("id", flat=True)
    )
    return {
        "status": request.outcome or ("submitted" if request.submitted_at else "scheduled"),
        "scheduled_for": request.send_at.isoformat(),
        "sent_at": request.sent_at.isoformat() if request.sent_at else None,
        "reminders_sent": request.reminders_sent,
        "review_ids": list(review_ids),
    }


# --- automatic requests and reminders ------------------------------------------------------


def request_due_at(shop: Shop, order: Order) -> datetime | None:
    """When an order's automatic request goes out: days after delivery, or after
    fulfilment where the platform never says "delivered"; None before either."""
    if order.delivered_at is not None:
        return order.delivered_at + timedelta(days=shop.review_delay_days)
    if order.fulfilled_at is not None:
        return order.fulfilled_at + timedelta(days=shop.review_delay_after_fulfilled_days)
    return None


async def sync_order_request(order_id: int) -> str:
    """Called by the worker when an order's state changed (orders writes "order_changed"):
    a fulfilled or delivered order gets its one review request, a cancelled or refunded
    one loses the request still waiting. Says what it did."""
    order = await Order.filter(id=order_id).select_related("shop", "customer").first()
    if order is None:
        return "gone"
    if order.status in ("cancelled", "refunded"):
        cancelled = await ReviewRequest.filter(order_id=order.id, outcome=None).update(
            outcome="cancelled"
        )
        return "cancelled" if cancelled else "nothing"
    send_at = request_due_at(order.shop, order)
    if send_at is None or await ReviewRequest.exists(order_id=order.id):
        return "nothing"  # one request per order: the first schedule stands
    if send_at < utcnow() - AUTOMATIC_REQUEST_MAX_LATE:
        return "too_old"  # an import of past orders must not email every past customer
    try:
        async with in_transaction():
            request = await ReviewRequest.create(
                shop=order.shop, order=order, customer=order.customer, send_at=send_at
            )
            await outbox.schedule(order.shop, "review_request", {"request_id": request.id}, send_at)
    except IntegrityError:  # scheduled at the same moment through the API
        return "nothing"
    return "scheduled"


async def _schedule_reminder(shop: Shop, request: ReviewRequest, after: datetime) -> None:
    if request.reminders_sent < shop.review_reminders:
        due_at = after + timedelta(days=shop.review_reminder_days)
        await outbox.schedule(shop, "review_reminder", {"request_id": request.id}, due_at)


def _no_reminder(
    request: ReviewRequest, shop: Shop, customer: Customer, order: Order
) -> str | None:
    """Why a reminder must not go out, or None."""
    if request.submitted_at is not None:
        return "reviewed"
    if customer.unsubscribed_at is not None or customer.contact_preference == "never":
        return "unsubscribed"
    if order.status in ("cancelled", "refunded"):
        return "cancelled"
    if request.reminders_sent >= shop.review_reminders:
        return "done"
    return None


async def send_due_reminder(request_id: int, links: Links) -> str:
    """Called by the worker when a sent request's reminder is due: send it unless the
    customer reviewed, unsubscribed or chose "never" meanwhile; says what it did."""
    request = (
        await ReviewRequest.filter(id=request_id, outcome="sent")
        .select_related("shop", "customer", "order")
        .first()
    )
    if request is None:
        return "gone"
    shop, customer, order = request.shop, request.customer, request.order
    if (why := _no_reminder(request, shop, customer, order)) is not None:
        return why
    now = utcnow()
    async with in_transaction():
        # One reminder per due row, even if the row is delivered twice.
        if not await ReviewRequest.filter(
            id=request.id, reminders_sent=request.reminders_sent, submitted_at=None
        ).update(reminders_sent=request.reminders_sent + 1):
            return "gone"
        order.customer = customer
        email = review_request_email(
            shop,
            customer,
            await _order_products(order),
            review_url(links, request),
            links,
            reminder=True,
        )
        await outbox.queue_email(shop, to=customer.email, locale=customer.locale, **email)
        request.reminders_sent += 1
        await _schedule_reminder(shop, request, now)
    return "sent"


# --- the form ----------------------------------------------------------------------------


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
        products=await _order_products(request.order),
        questions=questions,
        submitted=request.submitted_at is not None,
        draw=await draws.open_draw(request.shop, utcnow()),
    )


def default_display_name(name: str) -> str:
    """First name and initial: "Marie Curie" -> "Marie C."."""
    parts = name.split()
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else f"{parts[0]} {parts[-1][0]}."


def clean_text(value: str, limit: int) -> str:
    text = "".join(ch for ch in value.replace("\r\n", "\n") if ch in "\n\t" or ch.isprintable())
    return text.strip()[: limit + 1]


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
) -> list[Review]:
    """Store the order's reviews; a second submission of the same form changes nothing."""
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
                    **_sentiment_fields(sentiment, form.customer.locale),
                    consent=True,
                    status="published" if auto else "pending",
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
                await check_review(review, shop)
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
            for product_id in {r.product_id for r in created if r.status == "published"}:
                if product_id is not None:
                    await refresh_product_rating(product_id)
    except IntegrityError:  # submitted twice at the same moment: the first one stands
        return []
    return created


def _sentiment_fields(sentiment: Sentiment | None, language: str) -> dict[str, Any]:
    """The text's sentiment, aspects and language (the given one when there is no text)."""
    if sentiment is None:
        return {"language": language}
    return {
        "sentiment_score": sentiment.score,
        "sentiment_label": sentiment.label,
        "language": sentiment.language,
        "aspects": sentiment.as_dict()["aspects"],
    }


def review_event(
    review: Review, *, product: Product | None, customer: Customer | None, order_id: str | None
) -> dict[str, Any]:
    """The data of a review webhook, with what a CRM needs to match the contact and the
    product: customer email and external id, the order's id, the SKU."""
    return {
        "id": review.id,
        "product_id": review.product_id,
        "sku": product.sku if product else None,
        **shop_reviews.event_fields(review),
        "order_id": order_id,
        "customer": None
        if customer is None
        else {"email": customer.email, "external_id": customer.external_id},
        "rating": review.rating,
        "title": review.title,
        "body": review.body,
        "status": review.status,
        "verified": review.verified,
        "language": review.language,
        "submitted_at": review.submitted_at.isoformat(),
    }


async def refresh_product_rating(product_id: int) -> None:
    """Recount the published reviews of a product and change its version (its blocks' ETag)."""
    rows = (
        await Review.filter(product_id=product_id, status="published")
        .annotate(n=Count("id"))
        .group_by("rating")
        .values("rating", "n")
    )
    counts = {str(row["rating"]): int(row["n"]) for row in rows}
    await Product.filter(id=product_id).update(
        rating_counts=counts, reviews_version=F("reviews_version") + 1
    )


# --- photo files ---------------------------------------------------------------------------

# A form writes its photos just before its reviews commit: younger files may be in use.
ORPHAN_AGE = timedelta(hours=1)


async def referenced_photos() -> set[str]:
    """The names of the photo files some review shows."""
    rows = await db.fetch(
        "SELECT CAST(photos AS TEXT) AS photos FROM review WHERE CAST(photos AS TEXT) <> '[]'"
    )
    return {name for row in rows for name in json.loads(row["photos"])}


async def remove_unreferenced_photos(names: set[str], photo_dir: Path) -> None:
    """Delete these photo files now, except those another review still shows."""
    if names:
        photos.remove(names - await referenced_photos(), photo_dir)


async def sweep_orphan_photos(photo_dir: Path, older_than: timedelta = ORPHAN_AGE) -> int:
    """Delete the photo files no review shows, once older than `older_than` (left by a
    submission that failed or lost a race); returns how many."""
    old = photos.files_older_than(photo_dir, older_than.total_seconds())
    if not old:
        return 0
    used = await referenced_photos()
    orphans = [path for path in old if path.name not in used]
    for path in orphans:
        path.unlink(missing_ok=True)
    return len(orphans)


# --- moderation and replies --------------------------------------------------------------


async def get_review(shop: Shop, review_id: int) -> Review:
    review = (
        await Review.filter(shop=shop, id=review_id).select_related("product", "customer").first()
    )
    if review is None:
        raise NotFound("No such review.")
    return review


async def moderate(shop: Shop, review_id: int, data: ModerationIn, actor: str) -> Review:
    review = await get_review(shop, review_id)
    if data.action == "reject" and data.reason is None:
        raise InvalidInput(
            "A rejection needs a reason.", fields={"reason": ", ".join(REJECTION_REASONS)}
        )
    now = utcnow()
    async with in_transaction():
        if data.action == "publish":
            review.status = "published"
            review.published_at = review.published_at or now
            review.rejection_reason = None
        else:
            review.status = "rejected"
            review.rejection_reason = data.reason
        await review.save(update_fields=["status", "published_at", "rejection_reason"])
        await ModerationEvent.create(
            review=review, action=data.action, reason=data.reason, actor=actor
        )
        if review.product_id is not None:
            await refresh_product_rating(review.product_id)
        if data.action == "publish":
            # Imported reviews have no request, hence no order.
            order = None
            if review.request_id is not None:
                order = await Order.filter(review_requests__id=review.request_id).first()
            event = review_event(
                review,
                product=review.product,
                customer=review.customer,
                order_id=order.external_id if order else None,
            )
            await outbox.emit(shop, "review.published", event)
        elif review.author_email:
            await _queue_rejection_email(shop, review)
    return review


async def _queue_rejection_email(shop: Shop, review: Review) -> None:
    locale = review.customer.locale if review.customer else review.language
    _ = Translator(locale)
    context = {
        "shop": shop,
        "review": review,
        "reason": REASON_LABELS[review.rejection_reason or ""],
    }
    assert review.author_email is not None
    await outbox.queue_email(
        shop,
        to=review.author_email,
        locale=locale,
        subject=_("Your review for %(shop)s was not published", shop=shop.name),
        html=render("emails/review_rejected.html", locale, **context),
        text=render("emails/review_rejected.txt", locale, **context),
    )


REASON_LABELS = {
    "abusive": N_("It contains abusive or offensive language."),
    "personal_data": N_("It contains personal data (a name, an email address, a phone number…)."),
    "off_topic": N_("It is not about the product or the purchase."),
    "not_customer_experience": N_("It does not describe a customer experience."),
    "spam": N_("It is advertising or spam."),
    "duplicate": N_("It repeats a review already published."),
    "": "",
}


async def reply(shop: Shop, review_id: int, body: str, actor: str) -> Review:
    review = await get_review(shop, review_id)
    async with in_transaction():
        review.reply_body = clean_text(body, MAX_TEXT)[:MAX_TEXT]
        review.reply_at = utcnow()
        await review.save(update_fields=["reply_body", "reply_at"])
        await ModerationEvent.create(review=review, action="reply", actor=actor)
        if review.status == "published":
            await Product.filter(id=review.product_id).update(
                reviews_version=F("reviews_version") + 1
            )
    return review


# --- import ------------------------------------------------------------------------------


async def import_review(shop: Shop, data: ReviewImportIn) -> tuple[Review, bool]:
    """Idempotent by (source, source_id). Verified only when we hold the order itself."""
    existing = await Review.filter(shop=shop, source=data.source, source_id=data.source_id).first()
    if existing is not None:
        return existing, False
    product = await Product.filter(shop=shop, sku=data.sku).first()
    if product is None:
        raise InvalidInput("Unknown product.", fields={"sku": "no such product"})
    verified = False
    if data.verified and data.order_id:
        verified = await OrderItem.filter(
            order__shop=shop, order__external_id=data.order_id, product=product
        ).exists()
    text = f"{data.title}\n{data.body}"
    sentiment = analyse(text, data.language or shop.locale) if text.strip() else None
    fields = _sentiment_fields(sentiment, data.language or shop.locale)
    if data.language:  # the source platform knew it
        fields["language"] = data.language
    try:
        async with in_transaction():
            review = await Review.create(
                shop=shop,
                product=product,
                rating=data.rating,
                title=clean_text(data.title, MAX_TITLE),
                body=clean_text(data.body, MAX_TEXT),
                author_name=clean_text(data.author_name, 100)[:100],
                author_email=data.author_email,
                status="published" if data.published else "pending",
                verified=verified,
                source=data.source,
                source_id=data.source_id,
                submitted_at=data.submitted_at,
                experienced_at=data.experienced_at,
                published_at=data.submitted_at if data.published else None,
                **fields,
            )
            await ModerationEvent.create(
                review=review, action="import", actor=f"import:{data.source}"
            )
            if data.published:
                await refresh_product_rating(product.id)
    except IntegrityError:
        return await Review.get(shop=shop, source=data.source, source_id=data.source_id), False
    return review, True


# --- helpful votes -----------------------------------------------------------------------


async def vote_helpful(shop_slug: str, review_id: int, voter: str) -> Review:
    review = (
        await Review.filter(
            id=review_id, shop__slug=shop_slug, status="published", product_id__isnull=False
        )
        .select_related("product")
        .first()
    )
    if review is None:
        raise NotFound("No such review.")
    voter_hash = hashlib.sha256(voter.encode()).hexdigest()
    try:
        async with in_transaction():
            await HelpfulVote.create(review=review, voter=voter_hash)
            await Review.filter(id=review.id).update(helpful_count=F("helpful_count") + 1)
            await Product.filter(id=review.product_id).update(
                reviews_version=F("reviews_version") + 1
            )
    except IntegrityError:
        pass  # one vote per browser
    return review


def review_json(review: Review) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": review.id,
        "sku": review.product.sku if review.product else None,
        **shop_reviews.event_fields(review),
        "rating": review.rating,
        "title": review.title,
        "body": review.body,
        "author_name": review.author_name,
        "language": review.language,
        "answers": review.answers,
        "photos": review.photos,
        "status": review.status,
        "rejection_reason": review.rejection_reason,
        "verified": review.verified,
        "incentivised": review.incentivised,
        "source": review.source,
        "source_id": review.source_id,
        "submitted_at": iso(review.submitted_at),
        "experienced_at": iso(review.experienced_at),
        "published_at": iso(review.published_at),
        "helpful_count": review.helpful_count,
        "reply": {"body": review.reply_body, "published_at": iso(review.reply_at)}
        if review.reply_body
        else None,
    }
