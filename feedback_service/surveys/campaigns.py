"""Campaigns: a survey sent from the admin to a segment of the shop's customers or to an
uploaded list. A campaign is a draft with its recipients until the shop has seen the preview
(the email as each locale's customers get it, how many the throttle and preferences hold);
then the worker asks its recipients in chunks, through the invitation service."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from feedback_service.errors import InvalidInput, NotFound
from feedback_service.i18n import LOCALES, N_
from feedback_service.links import UNSUBSCRIBE, Links
from feedback_service.orders import preferences
from feedback_service.orders.models import Customer
from feedback_service.orders.schemas import CustomerIn
from feedback_service.orders.services import upsert_customer
from feedback_service.outbox import services as outbox
from feedback_service.shops.models import Shop
from feedback_service.surveys import emails
from feedback_service.surveys.kinds import KINDS
from feedback_service.surveys.models import (
    AskOutcome,
    Campaign,
    CampaignRecipient,
    CampaignState,
    Invitation,
)
from feedback_service.surveys.services import Held, invite

AUDIENCES = ("segment:all", "segment:new", "segment:occasional", "segment:regular", "list")
MAX_LINES = 20_000  # as the refusal says; about the 1 MB a request may carry
MAX_LINE_ERRORS = 1000
CHUNK = 500  # recipients per worker job (well within its 2-minute lease)
TRANSACTION = 50  # recipients per transaction
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A cell a spreadsheet would run as a formula when the list is opened again.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- the uploaded list ----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    email: str
    name: str
    locale: str  # "" when the line has none


@dataclass
class ReadList:
    entries: list[Entry] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def refuse(self, line: int, error: str, same_as: int | None = None) -> None:
        if len(self.errors) < MAX_LINE_ERRORS:
            self.errors.append({"line": line, "error": error, "same_as": same_as})


def read_list(data: bytes) -> ReadList:
    """The CSV's lines (columns email, name, locale; comma or semicolon), each good one an
    entry, each bad one an error with its line number."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            N_("The list must be a CSV file in UTF-8."), fields={"file": "encoding"}
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(reader, [])]
    if "email" not in header:
        raise InvalidInput(
            N_("The first line must name the columns: email, name, locale."),
            fields={"file": "header"},
        )
    columns: dict[str, int] = {
        name: header.index(name) for name in ("email", "name", "locale") if name in header
    }
    result = ReadList()
    seen: dict[str, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if line > MAX_LINES + 1:
                raise InvalidInput(
                    N_("A list has at most 20,000 lines: split it in several campaigns."),
                    fields={"file": "too_long"},
                )
            if not any(cell.strip() for cell in cells):
                continue
            values = {n: cells[i].strip() if i < len(cells) else "" for n, i in columns.items()}
            error = _line_error(values)
            email = values["email"].lower()
            if error is not None:
                result.refuse(line, error)
            elif email in seen:
                result.refuse(line, N_("The same email as line %(line)s."), seen[email])
            else:
                seen[email] = line
                locale = values.get("locale", "").lower()
                result.entries.append(Entry(email, values.get("name", ""), locale))
    except csv.Error:
        raise InvalidInput(
            N_("The file is not a readable CSV (a cell too long, or a quote left open)."),
            fields={"file": "csv"},
        ) from None
    return result


def _line_error(values: dict[str, str]) -> str | None:
    """Why a line is refused (a message to translate where it is shown), or None."""
    if any(_CONTROL.search(value) for value in values.values()):
        return N_("A cell holds control characters.")
    name = values.get("name", "")
    if name.startswith(_FORMULA):
        return N_("The name starts like a spreadsheet formula (= + - @).")
    if "<" in name or ">" in name:
        return N_("The name must not contain < or >.")
    locale = values.get("locale", "").lower()
    if locale and locale not in LOCALES:
        return N_("The locale is en or fr.")
    try:
        CustomerIn(email=values["email"], name=name or None)
    except ValidationError as exc:
        if exc.errors()[0]["loc"][0] == "name":
            return N_("The name is longer than 200 characters.")
        return N_("Not a valid email address.")
    return None


# --- drafts ----------------------------------------------------------------------------------


async def create_draft(
    shop: Shop, *, kind: str, audience: str, upload: bytes | None, created_by: str
) -> Campaign:
    """The campaign and its recipients, not sent yet."""
    if kind not in KINDS:
        raise InvalidInput(N_("Choose a survey."), fields={"kind": "invalid"})
    if audience not in AUDIENCES:
        raise InvalidInput(N_("Choose who receives it."), fields={"audience": "invalid"})
    read = None
    if audience == "list":
        if not upload:
            raise InvalidInput(N_("Choose the CSV file of the list."), fields={"file": "required"})
        read = read_list(upload)
    async with in_transaction():
        campaign = await Campaign.create(
            shop=shop,
            kind=kind,
            audience=audience,
            created_by=created_by,
            line_errors=read.errors if read else [],
        )
        if read is None:
            await _add_segment(campaign, shop, audience.removeprefix("segment:"))
        else:
            await _add_list(campaign, shop, read.entries)
    return campaign


async def _add_segment(campaign: Campaign, shop: Shop, segment: str) -> None:
    customers = Customer.filter(shop=shop)
    if segment == "new":
        customers = customers.filter(orders_count__lt=shop.segment_occasional_from)
    elif segment == "occasional":
        customers = customers.filter(
            orders_count__gte=shop.segment_occasional_from,
            orders_count__lt=shop.segment_regular_from,
        )
    elif segment == "regular":
        customers = customers.filter(orders_count__gte=shop.segment_regular_from)
    rows = await customers.order_by("id").values_list("id", "email", "name")
    await CampaignRecipient.bulk_create(
        [
            CampaignRecipient(campaign=campaign, customer_id=cid, email=email, name=name)
            for cid, email, name in rows
        ],
        batch_size=1000,
    )


async def _add_list(campaign: Campaign, shop: Shop, entries: list[Entry]) -> None:
    """Listed emails the shop already has become those customers (their stored name and
    locale stay); the others are created when they are asked."""
    known: dict[str, int] = {}
    emails_ = [entry.email for entry in entries]
    for start in range(0, len(emails_), 500):
        rows = await Customer.filter(shop=shop, email__in=emails_[start : start + 500]).values_list(
            "email", "id"
        )
        known.update(dict(rows))
    await CampaignRecipient.bulk_create(
        [
            CampaignRecipient(
                campaign=campaign,
                customer_id=known.get(entry.email),
                email=entry.email,
                name=entry.name,
                locale=entry.locale,
            )
            for entry in entries
        ],
        batch_size=1000,
    )


async def get_campaign(shop: Shop, campaign_id: int) -> Campaign:
    campaign = await Campaign.filter(shop=shop, id=campaign_id).first()
    if campaign is None:
        raise NotFound("No such campaign.")
    return campaign


# --- preview ---------------------------------------------------------------------------------


@dataclass
class Preview:
    recipients: int
    held: dict[str, int]
    emails: list[dict[str, Any]]  # one example per locale: {locale, to, subject, html}

    @property
    def held_total(self) -> int:
        return sum(self.held.values())

    @property
    def to_send(self) -> int:
        return self.recipients - self.held_total


async def preview(shop: Shop, campaign: Campaign, links: Links) -> Preview:
    """What sending now would do: who the throttle, preferences and unsubscribes hold (as
    the invitation service decides it), and the email of a recipient of each locale."""
    now = utcnow()
    held = dict.fromkeys(preferences.REASONS, 0)
    ids = await CampaignRecipient.filter(
        campaign=campaign, customer_id__not_isnull=True
    ).values_list("customer_id", flat=True)
    examples: dict[str, Customer] = {}
    for start in range(0, len(ids), 1000):
        for customer in await Customer.filter(id__in=ids[start : start + 1000]):
            hold, _ = await preferences.check(shop, customer, now)
            if hold is not None:
                held[hold.reason] += 1
            elif customer.locale not in examples:
                examples[customer.locale] = customer
    for recipient in await CampaignRecipient.filter(campaign=campaign, customer_id=None).limit(
        len(LOCALES) * 50
    ):
        locale = recipient.locale or shop.locale
        examples.setdefault(
            locale,
            Customer(id=0, shop=shop, email=recipient.email, name=recipient.name, locale=locale),
        )
    total = await CampaignRecipient.filter(campaign=campaign).count()
    shown = [_example(shop, campaign, customer, links) for _, customer in sorted(examples.items())]
    return Preview(total, held, shown)


def _example(shop: Shop, campaign: Campaign, customer: Customer, links: Links) -> dict[str, Any]:
    """The email as this customer would get it; its links lead nowhere (no invitation yet)."""
    invitation = Invitation(shop=shop, kind=campaign.kind, locale=customer.locale)
    email = emails.invitation_email(
        shop,
        invitation,
        customer,
        links.survey_links("preview", KINDS[campaign.kind].link_keys),
        links.url(UNSUBSCRIBE, token="preview"),
    )
    return {"locale": customer.locale, "to": customer.email, **email}


# --- sending ---------------------------------------------------------------------------------


async def start_sending(shop: Shop, campaign_id: int) -> bool:
    """Hand a draft to the worker, once (a second click changes nothing)."""
    now = utcnow()
    async with in_transaction():
        started = await Campaign.filter(
            shop=shop, id=campaign_id, state=CampaignState.DRAFT
        ).update(state=CampaignState.SENDING, sent_at=now)
        if started:
            await _schedule(shop.id, campaign_id)
    return bool(started)


async def discard(shop: Shop, campaign_id: int) -> None:
    await Campaign.filter(shop=shop, id=campaign_id, state=CampaignState.DRAFT).delete()


async def _schedule(shop_id: int, campaign_id: int) -> None:
    await outbox.schedule(
        shop_id,
        "campaign",
        {"campaign_id": campaign_id},
        utcnow(),
        subject=f"campaign:{campaign_id}",
    )


async def send_chunk(campaign_id: int, links: Links) -> int:
    """The worker's job: ask the next CHUNK recipients, then hand the rest to another job
    (or mark the campaign done). How many were asked."""
    campaign = (
        await Campaign.filter(id=campaign_id, state=CampaignState.SENDING)
        .select_related("shop")
        .first()
    )
    if campaign is None:
        return 0
    recipients = (
        await CampaignRecipient.filter(campaign_id=campaign.id, outcome=None)
        .order_by("id")
        .limit(CHUNK)
        .select_related("customer")
    )
    for start in range(0, len(recipients), TRANSACTION):
        await _ask_group(campaign, recipients[start : start + TRANSACTION], links)
    if len(recipients) < CHUNK:
        await Campaign.filter(id=campaign.id).update(state=CampaignState.DONE, finished_at=utcnow())
    else:
        await _schedule(campaign.shop_id, campaign.id)
    return len(recipients)


async def _ask_group(campaign: Campaign, recipients: list[CampaignRecipient], links: Links) -> None:
    """One transaction for the group (one commit, not one per recipient); if it fails, each
    recipient alone, read again (the failed attempt left its marks on the objects)."""
    try:
        async with in_transaction():
            for recipient in recipients:
                await _ask(campaign, recipient, links)
    except Exception:
        ids = [recipient.id for recipient in recipients]
        for recipient in await CampaignRecipient.filter(id__in=ids, outcome=None).select_related(
            "customer"
        ):
            async with in_transaction():
                await _ask(campaign, recipient, links)


async def _ask(campaign: Campaign, recipient: CampaignRecipient, links: Links) -> None:
    """In the caller's transaction."""
    shop: Shop = campaign.shop
    # The claim: a recipient is asked once, even by two workers on a retried job.
    if not await CampaignRecipient.filter(id=recipient.id, outcome=None).update(
        outcome=AskOutcome.SENT
    ):
        return
    customer = recipient.customer
    if customer is None:
        data = CustomerIn(
            email=recipient.email, name=recipient.name or None, locale=recipient.locale or None
        )
        customer = await upsert_customer(shop, data)
    result = await invite(shop, customer, campaign.kind, links)
    if isinstance(result, Held):
        await CampaignRecipient.filter(id=recipient.id).update(outcome=result.reason)


# --- counts ----------------------------------------------------------------------------------


OUTCOMES: tuple[str, ...] = tuple(AskOutcome)


async def outcome_counts(campaign_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per campaign: recipients by outcome ("pending": not asked yet)."""
    counts = {cid: dict.fromkeys(("pending", *OUTCOMES), 0) for cid in campaign_ids}
    if not campaign_ids:
        return counts
    rows = (
        await CampaignRecipient.filter(campaign_id__in=campaign_ids)
        .annotate(n=Count("id"))
        .group_by("campaign_id", "outcome")
        .values("campaign_id", "outcome", "n")
    )
    for row in rows:
        key = row["outcome"] or "pending"
        bucket = counts[row["campaign_id"]]
        bucket[key] = bucket.get(key, 0) + int(row["n"])
    return counts
