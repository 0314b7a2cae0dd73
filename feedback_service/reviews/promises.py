"""What a review's confirmation email says from the review policy: how long the check may
take (the shop's maximum), the author's prize draw receipt, and the policy's link."""

from __future__ import annotations

from typing import Any

from feedback_service.links import REVIEW_POLICY, Links
from feedback_service.reviews import draws
from feedback_service.reviews.models import Review, ReviewStatus
from feedback_service.shops.models import Shop


async def confirmation_promises(
    shop: Shop, created: list[Review], links: Links, locale: str
) -> dict[str, Any]:
    """The context of emails/_review_promises.{html,txt}, for the reviews just sent."""
    draw = await draws.open_draw(shop, draws.utcnow())
    receipt = await draws.entry_receipt(draw, created[0]) if draw and created else None
    return {
        "pending": any(review.status == ReviewStatus.PENDING for review in created),
        "days": shop.review_publication_days,
        "draw": draw if receipt else None,
        "receipt": receipt,
        "draw_url": f"{draws.public_url(links, shop, draw)}#entry-{receipt}" if draw else "",
        "policy_url": f"{links.url(REVIEW_POLICY, shop=shop.slug)}?lang={locale}",
    }
