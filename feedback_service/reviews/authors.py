"""The author's control over their review (ISO 20488, Code de la consommation L111-7-2).

The confirmation email of a review carries a private link (/m/{token}, signed, one per
review) to a page where its author withdraws it at any time, or changes its rating and
text within EDIT_WINDOW of sending it. A withdrawn review is deleted: no block, feed,
certificate or count can show it any more. An edited review goes back to moderation when
the shop moderates, and then shows "edited on …". Nothing else changes a rating or a text:
the shop publishes, rejects or replies, never edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date
from tortoise.transactions import in_transaction

from feedback_service import tokens
from feedback_service.i18n import Translator
from feedback_service.links import AUTHOR_PAGE, Links
from feedback_service.orders.models import Customer
from feedback_service.outbox import services as outbox
from feedback_service.reviews import checks, promises
from feedback_service.reviews.models import ModerationEvent, Review, ReviewStatus
from feedback_service.reviews.services import (
    MAX_TEXT,
    MAX_TITLE,
    clean_text,
    refresh_product_rating,
    remove_unreferenced_photos,
    sentiment_fields,
    utcnow,
)
from feedback_service.sentiment import analyse
from feedback_service.shops.models import Shop

# Long enough to add what the first weeks of use teach; short enough that a published
# review does not keep changing under the readers who trusted it.
EDIT_WINDOW = timedelta(days=30)


def author_url(links: Links, review: Review) -> str:
    token = links.signer.dumps(tokens.REVIEW_AUTHOR, review.id, review.shop_id)
    return links.url(AUTHOR_PAGE, token=token)


def edit_deadline(review: Review) -> datetime:
    return review.submitted_at + EDIT_WINDOW


def can_edit(review: Review, now: datetime) -> bool:
    return now < edit_deadline(review)


def date_text(value: datetime, shop: Shop, locale: str) -> str:
    """A day as the shop's customers read it: "7 janvier 2027"."""
    try:
        zone = ZoneInfo(shop.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return format_date(value.astimezone(zone).date(), format="long", locale=locale)


def subject_of(review: Review, shop: Shop, _: Translator) -> str:
    """What the review is about: its product's name, or the shop (product loaded)."""
    if review.product is None:
        return _("Your opinion of %(shop)s", shop=shop.name)
    return review.product.name


def author_locale(review: Review) -> str:
    return review.customer.locale if review.customer else review.language


async def queue_confirmation(
    shop: Shop, customer: Customer, reviews: list[Review], links: Links
) -> None:
    """The email that confirms a submitted form: each review with its private link. In
    the transaction that stores the reviews (reviews' products loaded)."""
    if not reviews:
        return
    locale = customer.locale
    _ = Translator(locale)
    context = {
        "shop": shop,
        "customer_name": customer.name.split(" ")[0] if customer.name else "",
        "reviews": [
            (review, author_url(links, review), subject_of(review, shop, _)) for review in reviews
        ],
        "pending": any(review.status == ReviewStatus.PENDING for review in reviews),
        "deadline_text": date_text(edit_deadline(reviews[0]), shop, locale),
        # The review policy's promises: the maximum delay, the prize draw receipt, its link.
        **await promises.confirmation_promises(shop, reviews, links, locale),
    }
    await outbox.queue_rendered_email(
        shop,
        to=customer.email,
        locale=locale,
        subject=_("Your review for %(shop)s: thank you", shop=shop.name),
        template="review_received",
        context=context,
    )


async def review_of(token: str, links: Links) -> Review | None:
    """The review of an author's link, None when it was withdrawn (or erased) since;
    InvalidToken for a link we never made."""
    review_id, shop_id = links.signer.loads(
        tokens.REVIEW_AUTHOR, token, tokens.REVIEW_AUTHOR_MAX_AGE
    )
    return (
        await Review.filter(id=review_id, shop_id=shop_id)
        .select_related("shop", "product", "customer")
        .first()
    )


@dataclass(frozen=True)
class Edit:
    rating: int
    title: str
    body: str


def read_edit(review: Review, fields: dict[str, str]) -> tuple[Edit | None, dict[str, str]]:
    """The author's new rating and text from the page's form, or the errors by field."""
    _ = Translator(author_locale(review))
    errors: dict[str, str] = {}
    raw = fields.get("rating", "")
    title = clean_text(fields.get("title", ""), MAX_TITLE) if review.product_id else ""
    body = clean_text(fields.get("body", ""), MAX_TEXT)
    if raw not in {"1", "2", "3", "4", "5"}:
        errors["rating"] = _("Please choose a number of stars.")
    if len(title) > MAX_TITLE:
        errors["title"] = _("A title has at most %(n)s characters.", n=MAX_TITLE)
    if len(body) > MAX_TEXT:
        errors["body"] = _("A review has at most %(n)s characters.", n=MAX_TEXT)
    if errors:
        return None, errors
    return Edit(int(raw), title, body), {}


async def edit(review: Review, change: Edit, now: datetime | None = None) -> bool:
    """Apply the author's edit; False when nothing changed. The edited review is checked
    again as a new one: published at once only where the shop publishes automatically."""
    if (change.rating, change.title, change.body) == (review.rating, review.title, review.body):
        return False
    now = now or utcnow()
    shop = review.shop
    text = f"{change.title}\n{change.body}"
    auto = shop.reviews_auto_publish and not checks.flags(text)
    locale = author_locale(review)
    sentiment = analyse(text, locale) if text.strip() else None
    fields = {
        "rating": change.rating,
        "title": change.title,
        "body": change.body,
        "edited_at": now,
        "status": ReviewStatus.PUBLISHED if auto else ReviewStatus.PENDING,
        "rejection_reason": None,
        "published_at": (review.published_at or now) if auto else review.published_at,
        "sentiment_score": None,
        "sentiment_label": None,
        "aspects": [],
        **sentiment_fields(sentiment, locale),
    }
    async with in_transaction():
        await Review.filter(id=review.id).update(**fields)
        await ModerationEvent.create(review=review, action="author_edit", actor="author")
        # Alerts (a layer above) check the new rating and text.
        await outbox.schedule(shop, "review_alert", {"review_id": review.id}, now)
        if review.product_id is not None:
            await refresh_product_rating(review.product_id)
    return True


async def withdraw(review: Review, photo_dir: Path) -> None:
    """Delete the review, its photos, votes and moderation trail, and recount its product."""
    async with in_transaction():
        await Review.filter(id=review.id).delete()
        if review.product_id is not None:
            await refresh_product_rating(review.product_id)
    await remove_unreferenced_photos(set(review.photos), photo_dir)
