"""The "did we make it right?" thermometer sent after a complaint was handled (alerts)."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from feedback_service.links import Links
from feedback_service.orders.models import Customer
from feedback_service.outbox import services as outbox
from feedback_service.shops.models import Shop
from feedback_service.surveys import emails
from feedback_service.surveys.kinds import THERMOMETER
from feedback_service.surveys.models import Invitation


async def create_followup(
    shop: Shop, customer: Customer, question: str, links: Links
) -> Invitation | None:
    """A one-click thermometer about how the shop handled the customer's complaint, emailed
    now; None for a customer who unsubscribed or chose never to hear from the shop.

    It answers the customer's own complaint, so neither the shop's survey window nor the
    customer's own (1, 3, 6 months, after an order) holds it back; it does count as their
    latest survey, so the next ordinary one waits a full window after it. Its links are the
    usual scanner-safe ones (surveys.services)."""
    if customer.unsubscribed_at is not None or customer.contact_preference == "never":
        return None
    async with in_transaction():
        invitation = await Invitation.create(
            shop=shop,
            kind=THERMOMETER.name,
            customer=customer,
            question=question[:500],
            locale=customer.locale,
        )
        await Customer.filter(id=customer.id).update(last_invited_at=datetime.now(UTC))
        token = links.survey_token(invitation.id, shop.id)
        unsubscribe_url = links.unsubscribe_url(customer.id, shop.id)
        score_links = links.survey_links(token, THERMOMETER.link_keys)
        email = emails.invitation_email(shop, invitation, customer, score_links, unsubscribe_url)
        await outbox.queue_email(shop, to=customer.email, locale=invitation.locale, **email)
    return invitation
