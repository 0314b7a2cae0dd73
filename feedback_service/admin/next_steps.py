"""A new shop's next steps on the dashboard, each shown until it is done."""

from __future__ import annotations

from dataclasses import dataclass

from feedback_service import db
from feedback_service.i18n import N_
from feedback_service.links import (
    ADMIN_CAMPAIGNS,
    ADMIN_CONNECTORS,
    ADMIN_IMPORTS,
    ADMIN_SURVEY_LINKS,
    ADMIN_SURVEY_RULES,
    SHOP_REVIEWS,
)
from feedback_service.shops.models import Shop


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    hint: str
    links: tuple[tuple[str, str], ...]  # (label, href)
    done: bool


async def next_steps(shop: Shop) -> list[Step]:
    """One query (two indexed lookups); an empty list once every step is done."""
    found = await db.fetch_report(
        "SELECT EXISTS (SELECT 1 FROM shop_order WHERE shop_id = :shop) AS has_order,"
        " EXISTS (SELECT 1 FROM invitation WHERE shop_id = :shop) AS has_invitation",
        {"shop": shop.id},
    )
    has_order, has_invitation = bool(found[0]["has_order"]), bool(found[0]["has_invitation"])
    steps = [
        Step(
            "orders",
            N_("Bring your orders in"),
            N_("Connect your WooCommerce or Shopify shop, or import a CSV of your orders."),
            (
                (N_("Connect a platform"), ADMIN_CONNECTORS),
                (N_("Import orders"), ADMIN_IMPORTS),
            ),
            has_order,
        ),
        Step(
            "block",
            N_("Show your reviews on your site"),
            N_(
                "Include the review block in your product pages (server side, or link to the"
                " full page): this step is done once a page fetches it. Its address:"
            ),
            ((N_("Your shop's reviews page"), SHOP_REVIEWS.fill(shop=shop.slug)),),
            # Set by the block endpoints at most once a day (reviews.blocks.note_embedded).
            shop.block_seen_at is not None,
        ),
        Step(
            "survey",
            N_("Send a first survey"),
            N_(
                "Send one to your customers, add a rule after delivery, or put a link in your"
                " email signature."
            ),
            (
                (N_("Send a campaign"), ADMIN_CAMPAIGNS),
                (N_("Add a survey rule"), ADMIN_SURVEY_RULES),
                (N_("Signature and receipt links"), ADMIN_SURVEY_LINKS),
            ),
            has_invitation,
        ),
    ]
    return [] if all(step.done for step in steps) else steps
