"""GDPR: everything about one customer, and erasing it (answers and reviews anonymised)."""

from __future__ import annotations

import json
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from feedback_service.alerts.models import Alert
from feedback_service.alerts.services import alert_json
from feedback_service.errors import NotFound
from feedback_service.orders.models import Customer, Order, OrderItem, Product
from feedback_service.outbox.models import OutboxMessage
from feedback_service.reviews.models import HelpfulVote, Review
from feedback_service.reviews.services import review_json
from feedback_service.shops.models import Shop
from feedback_service.surveys.models import Invitation, Response
from feedback_service.surveys.services import response_json


async def customer_of(shop: Shop, email: str) -> Customer:
    email = email.strip().lower()
    # Longer than any stored address (and than the ORM lets a lookup be): nobody.
    customer = await Customer.filter(shop=shop, email=email).first() if len(email) <= 254 else None
    if customer is None:
        raise NotFound("No customer with this email.")
    return customer


async def export_customer(shop: Shop, email: str) -> dict[str, Any]:
    customer = await customer_of(shop, email)
    orders = await Order.filter(customer=customer).order_by("ordered_at")
    items = await OrderItem.filter(order__customer=customer).select_related("order", "product")
    responses = await Response.filter(customer=customer).select_related(
        "customer", "invitation__order"
    )
    reviews = await Review.filter(customer=customer).select_related("product")
    return {
        "customer": {
            "email": customer.email,
            "name": customer.name,
            "external_id": customer.external_id,
            "locale": customer.locale,
            "created_at": customer.created_at.isoformat(),
            "last_invited_at": customer.last_invited_at.isoformat()
            if customer.last_invited_at
            else None,
            "unsubscribed_at": customer.unsubscribed_at.isoformat()
            if customer.unsubscribed_at
            else None,
            "contact_preference": customer.contact_preference,
            "contact_preference_at": customer.contact_preference_at.isoformat()
            if customer.contact_preference_at
            else None,
        },
        "orders": [
            {
                "id": order.external_id,
                "ordered_at": order.ordered_at.isoformat(),
                "delivered_at": order.delivered_at.isoformat() if order.delivered_at else None,
                "items": [
                    {"sku": i.product.sku, "quantity": i.quantity}
                    for i in items
                    if i.order.id == order.id
                ],
            }
            for order in orders
        ],
        "invitations": await Invitation.filter(customer=customer).count(),
        "responses": [response_json(r) for r in responses],
        "reviews": [review_json(r) for r in reviews],
        "alerts": [alert_json(a) for a in await Alert.filter(customer=customer)],
    }


async def erase_customer(shop: Shop, email: str) -> None:
    """Keep the scores (the shop's statistics), drop every trace of the person."""
    customer = await customer_of(shop, email)
    address = customer.email
    async with in_transaction():
        await Response.filter(customer=customer).update(comment=None, aspects=[])
        await Review.filter(customer=customer).update(
            author_name="—", author_email=None, body="", title="", photos=[], answers=[]
        )
        # New versions, so no block (cached or revalidated) shows the old text.
        reviewed = await Review.filter(customer=customer).values_list("product_id", flat=True)
        await Product.filter(id__in=list(set(reviewed))).update(
            reviews_version=F("reviews_version") + 1
        )
        await Alert.filter(customer=customer).update(note=None)
        # The outbox may still hold emails to them and webhooks that name them.
        async for row in _outbox_rows(shop):
            if address in json.dumps(row.payload, ensure_ascii=False).lower():
                await row.delete()
        customer.email = f"erased-{customer.id}@invalid"
        customer.name = ""
        customer.external_id = None
        customer.unsubscribed_at = customer.unsubscribed_at or customer.created_at
        # Only these: the order totals stored with the customer may have changed meanwhile.
        await customer.save(update_fields=["email", "name", "external_id", "unsubscribed_at"])
    await HelpfulVote.filter(review__customer=customer).delete()


async def _outbox_rows(shop: Shop):  # type: ignore[no-untyped-def]
    last = 0
    while True:
        rows = await OutboxMessage.filter(shop=shop, id__gt=last).order_by("id").limit(500)
        if not rows:
            return
        for row in rows:
            yield row
        last = rows[-1].id
