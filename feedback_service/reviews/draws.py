"""Contributor prize draws: who enters, how the winner is derived, and the winner's email.

A draw can be checked by anyone from what it publishes:

- at its creation, `seed_sha256`: the sha256 of the seed (32 random bytes, written as 64
  hexadecimal characters, hashed as ASCII); the seed itself stays secret until the run, and
  cannot be changed once entries are known;
- each entry's receipt, sha256("<draw id>:<review id>:<nonce>") with a nonce only the
  entrant's review knows, sent in their confirmation email: the list shows every entry
  without telling who entered;
- at the run: the seed, the frozen `entries` (the receipts in ascending order),
  `entries_sha256` = sha256 of the receipts joined by commas, and the winner:
  entries[int(sha256(seed + ":" + entries_sha256), 16) % len(entries)].

One entry per customer: their first review of the period. Entry never depends on the
rating or the sentiment: every review written through the shop's review form in the
period enters, pending, published or rejected, except a review rejected as abusive.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date
from tortoise.transactions import in_transaction

from feedback_service.errors import InvalidInput, NotFound
from feedback_service.i18n import Translator
from feedback_service.links import DRAW_PAGE, Links
from feedback_service.outbox import services as outbox
from feedback_service.reviews.models import PrizeDraw, Review, ReviewStatus
from feedback_service.shops.models import Shop
from schema_markup import clean_line, safe_http_url

# Rejected for this reason, a review does not enter: the draw rewards contributions.
EXCLUDED_REASONS = ("abusive",)
# Only reviews written here: an imported review was written elsewhere, before any draw.
ENTERING_SOURCE = "request"
MAX_PRIZE = 300
FORMULA = 'entries[int(sha256(seed + ":" + entries_sha256), 16) % len(entries)]'
RECEIPT = 'sha256("<draw id>:<review id>:<nonce>")'


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- the derivation: pure, so a test (or anyone) can recompute it -----------------------


def commitment(seed: str) -> str:
    """What is published before the seed: sha256 of its hexadecimal text."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def receipt(draw_id: int, review_id: int, nonce: str | None) -> str:
    """An entry as the public list shows it; the nonce keeps it from naming the review
    (reviews written before receipts existed have none)."""
    return hashlib.sha256(f"{draw_id}:{review_id}:{nonce or ''}".encode("ascii")).hexdigest()


def entries_digest(entries: Sequence[str | int]) -> str:
    """sha256 of the entries joined by commas, e.g. "3fa9…,b07c…"."""
    return hashlib.sha256(",".join(str(e) for e in entries).encode("ascii")).hexdigest()


def winner_index(seed: str, entries_sha256: str, count: int) -> int | None:
    if count <= 0:
        return None
    digest = hashlib.sha256(f"{seed}:{entries_sha256}".encode("ascii")).hexdigest()
    return int(digest, 16) % count


@dataclass(frozen=True)
class Entrant:
    """What decides entry: nothing about the rating or the text."""

    review_id: int
    customer_key: str | None  # None: no way to tell the customer (or reach a winner)
    status: str
    rejection_reason: str | None
    nonce: str | None = None


def select_entries(entrants: Sequence[Entrant]) -> list[int]:
    """One entry per customer: the id of their first entering review, ascending."""
    first: dict[str, int] = {}
    for entrant in entrants:
        if entrant.customer_key is None:
            continue
        if entrant.status == ReviewStatus.REJECTED and entrant.rejection_reason in EXCLUDED_REASONS:
            continue
        known = first.get(entrant.customer_key)
        if known is None or entrant.review_id < known:
            first[entrant.customer_key] = entrant.review_id
    return sorted(first.values())


def ballot(draw_id: int, entrants: Sequence[Entrant]) -> list[tuple[str, int]]:
    """The entries as published, (receipt, review id), in ascending order of receipt."""
    nonces = {entrant.review_id: entrant.nonce for entrant in entrants}
    return sorted((receipt(draw_id, e, nonces[e]), e) for e in select_entries(entrants))


# --- creating, announcing and running ---------------------------------------------------


def entry_window(draw: PrizeDraw) -> tuple[datetime, datetime]:
    """Reviews count from the period start (or the draw's creation, if later) to its end:
    what was written before the seed was published cannot enter."""
    return max(draw.period_start, draw.created_at), draw.period_end


def period_days(draw: PrizeDraw, timezone: str) -> tuple[date, date]:
    """First and last day of the period in the shop's timezone (the end is exclusive)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    last = draw.period_end - timedelta(microseconds=1)
    return draw.period_start.astimezone(zone).date(), last.astimezone(zone).date()


def period_text(draw: PrizeDraw, timezone: str, locale: str) -> tuple[str, str]:
    first, last = period_days(draw, timezone)
    return (
        format_date(first, format="long", locale=locale),
        format_date(last, format="long", locale=locale),
    )


async def create_draw(
    shop: Shop, *, period_start: datetime, period_end: datetime, prize: str, rules_url: str
) -> PrizeDraw:
    now = utcnow()
    prize = clean_line(prize)
    rules = clean_line(rules_url)
    errors: dict[str, str] = {}
    if not prize:
        errors["prize"] = "required"
    elif len(prize) > MAX_PRIZE:
        errors["prize"] = f"at most {MAX_PRIZE} characters"
    if rules and (safe_http_url(rules) is None or len(rules) > 2000):
        errors["rules_url"] = "an http(s) URL"
    if period_end <= period_start:
        errors["period_end"] = "after the start"
    elif period_end <= now:
        # Its entries would all be known already: the seed must come before them.
        errors["period_end"] = "in the future"
    if errors:
        raise InvalidInput(
            "Check the period (it must end in the future), the prize and the rules link "
            "(an http(s) address).",
            fields=errors,
        )
    return await PrizeDraw.create(
        shop=shop,
        period_start=period_start,
        period_end=period_end,
        prize=prize,
        rules_url=rules,
        seed=secrets.token_hex(32),
    )


async def open_draw(shop: Shop, at: datetime) -> PrizeDraw | None:
    """The shop's draw open at `at` (created, started, not yet past its end), if any."""
    return (
        await PrizeDraw.filter(
            shop=shop, created_at__lte=at, period_start__lte=at, period_end__gt=at
        )
        .order_by("period_end", "id")
        .first()
    )


async def announced(shop: Shop, at: datetime) -> bool:
    """Reviews submitted at `at` are incentivised: a draw is open."""
    return await open_draw(shop, at) is not None


async def entrants(draw: PrizeDraw) -> list[Entrant]:
    start, end = entry_window(draw)
    rows = await Review.filter(
        shop_id=draw.shop_id,
        source=ENTERING_SOURCE,
        submitted_at__gte=start,
        submitted_at__lt=end,
    ).values("id", "customer_id", "author_email", "status", "rejection_reason", "draw_nonce")
    return [
        Entrant(
            review_id=row["id"],
            customer_key=_customer_key(row["customer_id"], row["author_email"]),
            status=row["status"],
            rejection_reason=row["rejection_reason"],
            nonce=row["draw_nonce"],
        )
        for row in rows
    ]


def _customer_key(customer_id: int | None, email: str | None) -> str | None:
    if customer_id is not None:
        return f"customer:{customer_id}"
    return f"email:{email.strip().lower()}" if email and email.strip() else None


async def get_draw(shop: Shop, draw_id: int) -> PrizeDraw:
    draw = await PrizeDraw.filter(shop_id=shop.id, id=draw_id).first()
    if draw is None:
        raise NotFound("No such prize draw.")
    return draw


async def run_draw(shop: Shop, draw_id: int, links: Links) -> PrizeDraw:
    """Freeze the entries and derive the winner, once: running again changes nothing."""
    draw = await get_draw(shop, draw_id)
    if draw.ran_at is not None:
        return draw
    now = utcnow()
    if now < draw.period_end:
        raise InvalidInput(
            "The draw can run once its period is over.", fields={"period_end": "not yet"}
        )
    entries = ballot(draw.id, await entrants(draw))
    receipts = [entry for entry, _ in entries]
    digest = entries_digest(receipts)
    index = winner_index(draw.seed, digest, len(receipts))
    winner = entries[index][1] if index is not None else None
    async with in_transaction():
        # Conditional on ran_at still empty: of two runs at once, one writes and emails.
        won = await PrizeDraw.filter(id=draw.id, ran_at=None).update(
            entries=[review_id for _, review_id in entries],
            receipts=receipts,
            entries_sha256=digest,
            winner_review_id=winner,
            ran_at=now,
        )
        if won and winner is not None:
            await _queue_winner_email(shop, draw, winner, links)
    return await get_draw(shop, draw.id)


async def winning_review(shop: Shop, draw: PrizeDraw) -> Review | None:
    """The winner's review, with its product and customer; None before the draw has run."""
    if draw.winner_review_id is None:
        return None
    return (
        await Review.filter(shop=shop, id=draw.winner_review_id)
        .select_related("product", "customer")
        .first()
    )


def public_url(links: Links, shop: Shop, draw: PrizeDraw) -> str:
    return links.url(DRAW_PAGE, shop=shop.slug, id=draw.id)


async def _queue_winner_email(shop: Shop, draw: PrizeDraw, review_id: int, links: Links) -> None:
    review = await Review.filter(shop=shop, id=review_id).select_related("customer").first()
    if review is None:
        return
    to = review.customer.email if review.customer else review.author_email
    if not to or to.endswith("@invalid"):  # erased at the customer's request (GDPR)
        return
    locale = review.customer.locale if review.customer else review.language
    _ = Translator(locale)
    entry = receipt(draw.id, review_id, review.draw_nonce)
    context = {
        "shop": shop,
        "draw": draw,
        "name": review.customer.name.split(" ")[0] if review.customer else review.author_name,
        "entry": entry,
        "verify_url": f"{public_url(links, shop, draw)}#entry-{entry}",
    }
    await outbox.queue_rendered_email(
        shop,
        to=to,
        locale=locale,
        subject=_("You won the prize draw of %(shop)s", shop=shop.name),
        template="draw_winner",
        context=context,
    )


def published_entries(draw: PrizeDraw) -> list[str]:
    """The frozen list of a draw that ran. A draw run before receipts existed published
    its review ids, and derived its winner from them the same way."""
    return list(draw.receipts) or [str(int(e)) for e in draw.entries or []]


async def entry_receipt(draw: PrizeDraw, review: Review) -> str | None:
    """The receipt of the entry the review's author has in the draw (their first review of
    the period, maybe an earlier one), or None when they have none."""
    if review.customer_id is None or review.source != ENTERING_SOURCE:
        return None
    start, end = entry_window(draw)
    theirs = await Review.filter(
        shop_id=draw.shop_id,
        customer_id=review.customer_id,
        source=ENTERING_SOURCE,
        submitted_at__gte=start,
        submitted_at__lt=end,
    ).order_by("id")
    for first in theirs:
        if not (
            first.status == ReviewStatus.REJECTED and first.rejection_reason in EXCLUDED_REASONS
        ):
            return receipt(draw.id, first.id, first.draw_nonce)
    return None


async def public_result(draw: PrizeDraw) -> dict[str, Any]:
    """What anyone needs to check the draw, no personal data: before the run, the seed's
    hash and the receipts so far; after it, the seed, the frozen receipts and the winner."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    ran = draw.ran_at is not None
    if ran:
        entries = published_entries(draw)
    else:
        entries = [entry for entry, _ in ballot(draw.id, await entrants(draw))]
    digest = draw.entries_sha256
    index = winner_index(draw.seed, digest, len(entries)) if ran and digest else None
    start, end = entry_window(draw)
    return {
        "id": draw.id,
        "prize": draw.prize,
        "rules_url": draw.rules_url or None,
        "period_start": iso(draw.period_start),
        "period_end": iso(draw.period_end),
        "entries_from": iso(start),
        "entries_until": iso(end),
        "created_at": iso(draw.created_at),
        "seed_sha256": commitment(draw.seed),
        "seed": draw.seed if ran else None,
        "ran_at": iso(draw.ran_at),
        "entries": entries,
        "entries_final": ran,
        "entries_sha256": draw.entries_sha256,
        "winner_index": index,
        "winner_entry": entries[index] if index is not None else None,
        "formula": FORMULA,
        "seed_sha256_of": "the seed's 64 hexadecimal characters, ASCII",
        "entries_sha256_of": 'the entries joined by "," in the order given, ASCII',
        "receipt": RECEIPT,
    }
