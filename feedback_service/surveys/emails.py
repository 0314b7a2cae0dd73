"""The invitation email: one-click choices as plain links that every mail client shows."""

from __future__ import annotations

from typing import Any

from feedback_service.i18n import Translator
from feedback_service.orders.models import Customer
from feedback_service.shops.models import Shop
from feedback_service.surveys.kinds import KINDS
from feedback_service.surveys.models import Invitation
from feedback_service.templating import render


def question_text(invitation: Invitation, shop: Shop) -> str:
    if invitation.question:  # the shop's own words: shown as they are, never formatted
        return invitation.question
    return Translator(invitation.locale)(KINDS[invitation.kind].question, shop=shop.name)


def invitation_email(
    shop: Shop,
    invitation: Invitation,
    customer: Customer,
    links: dict[str, str],
    unsubscribe_url: str,
) -> dict[str, Any]:
    _ = Translator(invitation.locale)
    kind = KINDS[invitation.kind]
    context: dict[str, Any] = {
        "shop": shop,
        "customer_name": customer.name.split(" ")[0] if customer.name else "",
        "question": question_text(invitation, shop),
        "kind": kind,
        "choices": [(choice, links[choice.key]) for choice in kind.choices],
        "unsubscribe_url": unsubscribe_url,
    }
    return {
        "subject": _("%(shop)s would like your opinion", shop=shop.name),
        "html": render("emails/invitation.html", invitation.locale, **context),
        "text": render("emails/invitation.txt", invitation.locale, **context),
        "headers": {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    }
