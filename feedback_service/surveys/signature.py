"""What a shop pastes where no email of ours goes: the one-click choices of a reusable link
as HTML for an email signature, and a QR code of its survey page for printed receipts."""

from __future__ import annotations

import io

import segno

from feedback_service.errors import NotFound
from feedback_service.links import Links
from feedback_service.shops.models import Shop
from feedback_service.surveys.emails import question_text
from feedback_service.surveys.kinds import KINDS
from feedback_service.surveys.models import Invitation
from feedback_service.templating import render

QR_SCALE = 8  # pixels per module: a 600 dpi receipt printer still gets clean edges
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules


async def reusable_link(shop: Shop, invitation_id: int) -> Invitation:
    invitation = await Invitation.filter(shop=shop, id=invitation_id, reusable=True).first()
    if invitation is None:
        raise NotFound("No such survey link.")
    return invitation


def token(shop: Shop, invitation: Invitation, links: Links) -> str:
    return links.survey_token(invitation.id, shop.id, reusable=True)


def signature_html(shop: Shop, invitation: Invitation, links: Links) -> str:
    """A table with inline styles only: Gmail and Outlook keep it when pasted."""
    kind = KINDS[invitation.kind]
    urls = links.survey_links(token(shop, invitation, links), kind.link_keys)
    return render(
        "surveys/signature.html",
        invitation.locale,
        shop=shop,
        question=question_text(invitation, shop),
        kind=kind,
        choices=[(choice, urls[choice.key]) for choice in kind.choices],
    ).strip()


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return out.getvalue()
