"""Review requests and their reminders, what the form, moderation and import share, photo
files, helpful votes, and the review as the API shows it."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from feedback_service import db, tokens
from feedback_service.errors import InvalidInput, NotFound
from feedback_service.i18n import Translator
from feedback_service.links import REVIEW_FORM, Links
from feedback_service.orders import preferences
from feedback_service.orders.models import (
    Customer,
    HoldReason,
    Order,
    OrderItem,
    OrderStatus,
    Product,
)
from feedback_service.outbox import services as outbox
from feedback_service.reviews import photos, schemas, shop_reviews
from feedback_service.reviews.highlights import product_highlights
from feedback_service.reviews.models import (
    HelpfulVote,
    RequestOutcome,
    Review,
    ReviewRequest,
    ReviewStatus,
)
from feedback_service.reviews.schemas import ReviewRequestIn
from feedback_service.sentiment import Sentiment
from feedback_service.shops.models import Shop
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
    return links.url(REVIEW_FORM, token=review_token(links, request))


STARS = (1, 2, 3, 4, 5)


def star_links(url: str, products: list[Product]) -> list[tuple[Product, list[tuple[int, str]]]]:
    """The one-click stars of the request email: each opens the form (`url`) with that
    rating chosen for that product. A GET stores nothing: the customer sends the form."""
    return [
        (product, [(n, f"{url}?product={product.id}&stars={n}#p{product.id}") for n in STARS])
        for product in products
    ]


# --- requests ----------------------------------------------------------------------------


async def order_products(order: Order) -> list[Product]:
    items = await OrderItem.filter(order=order).select_related("product").order_by("id")
    seen: dict[int, Product] = {}
    for item in items:
        seen.setdefault(item.product.id, item.product)
    return list(seen.values())


async def create_request(
    shop: Shop, data: ReviewRequestIn, links: Links
) -> tuple[schemas.ReviewRequest, bool]:
    order = (
        await Order.filter(shop=shop, external_id=data.order_id).select_related("customer").first()
    )
    if order is None:
        raise InvalidInput("Unknown order.", fields={"order_id": "no such order"})
    existing = await ReviewRequest.filter(order=order).first()
    if existing is not None:
        return await request_out(shop, existing, order, links), False
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
        return await request_out(shop, request, order, links), False
    return await request_out(shop, request, order, links), True


def request_status(request: ReviewRequest) -> str:
    return request.outcome or ("submitted" if request.submitted_at else "scheduled")


async def request_out(
    shop: Shop, request: ReviewRequest, order: Order, links: Links
) -> schemas.ReviewRequest:
    customer: Customer = order.customer
    return schemas.ReviewRequest.model_validate(
        {
            "id": request.id,
            "order_id": order.external_id,
            "token": review_token(links, request),
            "url": review_url(links, request),
            "send_at": request.send_at,
            "status": request_status(request),
            "email": review_request_email(
                shop, customer, await order_products(order), review_url(links, request), links
            ),
        }
    )


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
        "stars": star_links(url, products),
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
        outcome = RequestOutcome.SENT
        if hold is not None:
            outcome = (
                RequestOutcome.SKIPPED_UNSUBSCRIBED
                if hold.reason == HoldReason.UNSUBSCRIBED
                else RequestOutcome.SKIPPED_THROTTLED
            )
        # Only a request still waiting: the order may have been cancelled meanwhile.
        if not await ReviewRequest.filter(id=request.id, outcome=None).update(
            outcome=outcome, sent_at=now if outcome == RequestOutcome.SENT else None
        ):
            return "gone"
        if outcome == RequestOutcome.SENT:
            request.order.customer = customer
            email = review_request_email(
                shop,
                customer,
                await order_products(request.order),
                review_url(links, request),
                links,
            )
            await outbox.queue_email(shop, to=customer.email, locale=customer.locale, **email)
            await _schedule_reminder(shop, request, now)
    return outcome


async def order_request_state(order: Order) -> schemas.OrderReviewRequest | None:
    """The review request of an order as GET /api/v1/orders/{id} shows it, or None."""
    request = await ReviewRequest.filter(order_id=order.id).first()
    if request is None:
        return None
    review_ids = (
        await Review.filter(request_id=request.id).order_by("id").values_list("id", flat=True)
    )
    return schemas.OrderReviewRequest.model_validate(
        {
            "status": request_status(request),
            "scheduled_for": request.send_at,
            "sent_at": request.sent_at,
            "reminders_sent": request.reminders_sent,
            "review_ids": list(review_ids),
        }
    )


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
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        cancelled = await ReviewRequest.filter(order_id=order.id, outcome=None).update(
            outcome=RequestOutcome.CANCELLED
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
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        return "cancelled"
    if request.reminders_sent >= shop.review_reminders:
        return "done"
    return None


async def send_due_reminder(request_id: int, links: Links) -> str:
    """Called by the worker when a sent request's reminder is due: send it unless the
    customer reviewed, unsubscribed or chose "never" meanwhile; says what it did."""
    request = (
        await ReviewRequest.filter(id=request_id, outcome=RequestOutcome.SENT)
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
            await order_products(order),
            review_url(links, request),
            links,
            reminder=True,
        )
        await outbox.queue_email(shop, to=customer.email, locale=customer.locale, **email)
        request.reminders_sent += 1
        await _schedule_reminder(shop, request, now)
    return "sent"


# --- what the form, moderation and import share ----------------------------------------


def clean_text(value: str, limit: int) -> str:
    text = "".join(ch for ch in value.replace("\r\n", "\n") if ch in "\n\t" or ch.isprintable())
    return text.strip()[: limit + 1]


def sentiment_fields(sentiment: Sentiment | None, language: str) -> dict[str, Any]:
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
    """Recount the published reviews of a product, work out its highlights again and
    change its version (its blocks' ETag). Every change to what is published (or to the
    text of a published review) goes through here, in the transaction making it."""
    rows = (
        await Review.filter(product_id=product_id, status=ReviewStatus.PUBLISHED)
        .annotate(n=Count("id"))
        .group_by("rating")
        .values("rating", "n")
    )
    counts = {str(row["rating"]): int(row["n"]) for row in rows}
    await Product.filter(id=product_id).update(
        rating_counts=counts,
        highlights=await product_highlights(product_id),
        reviews_version=F("reviews_version") + 1,
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


# --- helpful votes -----------------------------------------------------------------------


async def vote_helpful(shop_slug: str, review_id: int, voter: str) -> Review:
    review = (
        await Review.filter(
            id=review_id,
            shop__slug=shop_slug,
            status=ReviewStatus.PUBLISHED,
            product_id__isnull=False,
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


def review_out(review: Review) -> schemas.Review:
    """The review as the API shows it (its product loaded)."""
    return schemas.Review.model_validate(
        {
            "id": review.id,
            "sku": review.product.sku if review.product else None,
            "criteria": shop_reviews.criteria_out(review),
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
            "submitted_at": review.submitted_at,
            "experienced_at": review.experienced_at,
            "published_at": review.published_at,
            "helpful_count": review.helpful_count,
            "reply": {"body": review.reply_body, "published_at": review.reply_at}
            if review.reply_body
            else None,
        }
    )
