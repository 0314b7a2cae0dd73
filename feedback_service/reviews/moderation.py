"""Moderation of reviews (publish, reject with a reason emailed to the author) and the
shop's public replies."""

from __future__ import annotations

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from feedback_service.errors import InvalidInput
from feedback_service.i18n import N_, Translator
from feedback_service.orders.models import Order, Product
from feedback_service.outbox import services as outbox
from feedback_service.reviews.models import ModerationEvent, Review, ReviewStatus
from feedback_service.reviews.schemas import REJECTION_REASONS, ModerationIn
from feedback_service.reviews.services import (
    MAX_TEXT,
    clean_text,
    get_review,
    refresh_product_rating,
    review_event,
    utcnow,
)
from feedback_service.shops.models import Shop


async def moderate(shop: Shop, review_id: int, data: ModerationIn, actor: str) -> Review:
    review = await get_review(shop, review_id)
    if data.action == "reject" and data.reason is None:
        raise InvalidInput(
            "A rejection needs a reason.", fields={"reason": ", ".join(REJECTION_REASONS)}
        )
    now = utcnow()
    async with in_transaction():
        if data.action == "publish":
            review.status = ReviewStatus.PUBLISHED
            review.published_at = review.published_at or now
            review.rejection_reason = None
        else:
            review.status = ReviewStatus.REJECTED
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
    await outbox.queue_rendered_email(
        shop,
        to=review.author_email,
        locale=locale,
        subject=_("Your review for %(shop)s was not published", shop=shop.name),
        template="review_rejected",
        context=context,
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
        if review.status == ReviewStatus.PUBLISHED:
            await Product.filter(id=review.product_id).update(
                reviews_version=F("reviews_version") + 1
            )
    return review
