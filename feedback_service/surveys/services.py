"""Invitations, scanner-safe one-click answers, comments, throttle and unsubscribe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from feedback_service import db
from feedback_service.errors import InvalidInput, InvalidToken
from feedback_service.http import decode_cursor, encode_cursor, validated
from feedback_service.links import Links
from feedback_service.orders import preferences
from feedback_service.orders.models import Customer, HoldReason, Order
from feedback_service.orders.services import upsert_customer, webhook_contact
from feedback_service.outbox import services as outbox
from feedback_service.sentiment import analyse
from feedback_service.shops.models import Shop
from feedback_service.surveys import chain, emails, queries, schemas
from feedback_service.surveys.kinds import KINDS, KINDS_OF_KEY, Choice, score_label
from feedback_service.surveys.models import Click, ClickOutcome, Invitation, Response
from feedback_service.surveys.schemas import InvitationIn, SurveyLinkIn
from schema_markup import clean_text

# Mail scanners fetch every link of an email within seconds; a person picks one.
BURST_WINDOW = timedelta(seconds=10)
BURST_DISTINCT_SCORES = 3
# A person may change their mind shortly after answering; later clicks show the answer.
CHANGE_WINDOW = timedelta(minutes=30)
MAX_COMMENT = 5000


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Held:
    """An invitation that was not made: the customer was asked recently or unsubscribed."""

    status: str
    next_allowed_at: datetime | None = None
    reason: HoldReason = HoldReason.THROTTLE  # contact pressure

    def out(self) -> schemas.Held:
        answer = {"status": self.status, "next_allowed_at": self.next_allowed_at}
        return schemas.Held.model_validate(answer)


async def create_invitation(
    shop: Shop, data: InvitationIn, links: Links
) -> schemas.Invitation | Held:
    order = None
    if data.order_id is not None:
        order = await Order.filter(shop=shop, external_id=data.order_id).first()
        if order is None:
            raise InvalidInput("Unknown order.", fields={"order_id": "no such order"})
    async with in_transaction():
        customer = await upsert_customer(shop, data.customer)
        return await invite(shop, customer, data.survey, links, order=order, question=data.question)


async def invite(
    shop: Shop,
    customer: Customer,
    kind: str,
    links: Links,
    *,
    order: Order | None = None,
    question: str | None = None,
) -> schemas.Invitation | Held:
    """The invitation and its email, or why not; in the caller's transaction."""
    # The shop's window for the customer's segment, the customer's own choice: the
    # longer wins; what they hold back is recorded for the shop's contact pressure.
    hold = await preferences.claim(shop, customer, kind, utcnow())
    if hold is not None:
        return Held(hold.status, hold.next_allowed_at, hold.reason)
    invitation = await Invitation.create(
        shop=shop,
        kind=kind,
        customer=customer,
        order=order,
        question=question,
        locale=customer.locale,
    )
    answer = invitation_out(shop, invitation, customer, links)
    assert answer.email is not None  # a customer's invitation has its email
    await outbox.queue_email(
        shop, to=customer.email, locale=invitation.locale, **answer.email.model_dump()
    )
    return answer


async def create_invitations(
    shop: Shop, items: list[object], links: Links
) -> list[schemas.InvitationCreated | schemas.Held | schemas.BatchInvalid]:
    """POST /api/v1/invitations/batch: each item as POST /api/v1/invitations, in order, each
    in its own transaction (the throttle's claim and the email go together; the second
    invitation of a customer in one batch is held like a second request)."""
    results: list[schemas.InvitationCreated | schemas.Held | schemas.BatchInvalid] = []
    for raw in items:
        try:
            result = await create_invitation(shop, validated(InvitationIn, raw), links)
        except InvalidInput as exc:
            errors = exc.fields or {"body": exc.message}
            results.append(schemas.BatchInvalid(status="invalid", errors=errors))
            continue
        if isinstance(result, Held):
            results.append(result.out())
        else:
            results.append(schemas.InvitationCreated(status="created", **dict(result)))
    return results


def invitation_out(
    shop: Shop, invitation: Invitation, customer: Customer | None, links: Links
) -> schemas.Invitation:
    token = links.survey_token(invitation.id, shop.id, reusable=invitation.reusable)
    score_links = links.survey_links(token, KINDS[invitation.kind].link_keys)
    answer: dict[str, Any] = {
        "id": invitation.id,
        "survey": invitation.kind,
        "token": token,
        "links": score_links,
    }
    if customer is not None:
        unsubscribe_url = links.unsubscribe_url(customer.id, shop.id)
        answer["unsubscribe_url"] = unsubscribe_url
        answer["email"] = emails.invitation_email(
            shop, invitation, customer, score_links, unsubscribe_url
        )
    return schemas.Invitation.model_validate(answer)


async def create_survey_link(shop: Shop, data: SurveyLinkIn, links: Links) -> schemas.Invitation:
    invitation = await Invitation.create(
        shop=shop,
        kind=data.survey,
        question=data.question,
        locale=data.locale or shop.locale,
        reusable=True,
    )
    return invitation_out(shop, invitation, None, links)


class AnswerState(StrEnum):
    """Where a click's answer stands, as its page shows it."""

    PENDING = "pending"  # to confirm (or to change, within CHANGE_WINDOW)
    CONFIRMED = "confirmed"
    LOCKED = "locked"  # answered otherwise, too long ago to change
    SCANNER = "scanner"  # a mail scanner's burst: nothing recorded


@dataclass
class Answer:
    """What an answer page shows."""

    invitation: Invitation
    choice: Choice
    response: Response | None
    state: AnswerState

    @property
    def recorded_choice(self) -> Choice | None:
        if self.response is None:
            return None
        return KINDS[self.invitation.kind].choice_for_score(self.response.score)


async def invitation_of(token: str, links: Links) -> Invitation:
    """The invitation of a link token, with its shop; InvalidToken when there is none."""
    invitation_id, shop_id = links.read_survey_token(token)
    invitation = (
        await Invitation.filter(id=invitation_id, shop_id=shop_id).select_related("shop").first()
    )
    if invitation is None:
        raise InvalidToken("This link is not valid.")
    return invitation


def _choice(invitation: Invitation, key: str) -> Choice:
    choice = KINDS[invitation.kind].choice(key)
    if choice is None:
        raise InvalidToken("This link is not valid.")
    return choice


def dedupe_key(invitation: Invitation, browser_id: str | None) -> str:
    return _dedupe_key(invitation.id, reusable=invitation.reusable, browser_id=browser_id)


def _dedupe_key(invitation_id: int, *, reusable: bool, browser_id: str | None) -> str:
    if reusable:
        return f"link:{invitation_id}:{browser_id or ''}"
    return f"inv:{invitation_id}"


def _state(response: Response | None, choice: Choice, now: datetime) -> AnswerState:
    if response is None:
        return AnswerState.PENDING
    if response.score == choice.score:
        return AnswerState.CONFIRMED
    changeable = now - response.created_at <= CHANGE_WINDOW
    return AnswerState.PENDING if changeable else AnswerState.LOCKED


async def open_answer(
    token: str, key: str, links: Links, *, user_agent: str, browser_id: str | None, record: bool
) -> Answer:
    """A GET of a score link: shows the page and records a provisional click, nothing more."""
    score_and_kinds = KINDS_OF_KEY.get(key)
    if score_and_kinds is None:
        raise InvalidToken("This link is not valid.")
    click = None
    if record:  # in the lookup's round trip, only if the invitation takes this key
        score, kinds = score_and_kinds
        click = queries.Click(score, kinds, user_agent[:300], utcnow())
    link = await _link(links.read_survey_token(token), browser_id, click=click)
    choice = _choice(link.invitation, key)
    return Answer(link.invitation, choice, link.response, _state(link.response, choice, utcnow()))


async def confirm_answer(
    link_ids: tuple[int, int], key: str, *, browser_id: str | None
) -> AnswerState:
    """A person's browser confirms the click it made: this makes the counted answer; its
    state (confirmed, locked, scanner). `link_ids`: the invitation and shop ids of
    the verified link token.

    A sandbox confirming every link at once runs several of these on one invitation: two
    undoing the burst (or one undoing it while another stores the answer) may deadlock on
    PostgreSQL; the one rolled back runs again and finds the burst."""
    return await db.retried(lambda: _confirm_answer(link_ids, key, browser_id))


async def _confirm_answer(
    link_ids: tuple[int, int], key: str, browser_id: str | None
) -> AnswerState:
    score_and_kinds = KINDS_OF_KEY.get(key)
    if score_and_kinds is None:
        raise InvalidToken("This link is not valid.")
    now = utcnow()
    since = now - BURST_WINDOW
    invitation_id, shop_id = link_ids
    # The usual case (a personal link, no webhook, no burst; a first answer or a change of
    # score) is recorded in one round trip; anything else is decided here from the lookup.
    usual = queries.NewAnswer(
        *score_and_kinds, now, now + BURST_WINDOW, BURST_DISTINCT_SCORES, now - CHANGE_WINDOW
    )
    personal_key, reusable_key = _link_keys(invitation_id, browser_id)
    link = await queries.record_usual_answer(
        invitation_id,
        shop_id,
        personal_key=personal_key,
        reusable_key=reusable_key,
        recent_since=since,
        answer=usual,
    )
    if link is True:
        return AnswerState.CONFIRMED
    if link is None:
        raise InvalidToken("This link is not valid.")
    invitation = link.invitation
    choice = _choice(invitation, key)
    burst = link.new_scores_with(choice.score) >= BURST_DISTINCT_SCORES
    if burst and not invitation.reusable:
        await _undo_scanner_burst(invitation, since)
        return AnswerState.SCANNER
    answer = await _confirm(invitation, choice, browser_id, link.response, now, link.webhooks)
    return answer.state


def _link_keys(invitation_id: int, browser_id: str | None) -> tuple[str, str | None]:
    """Either kind of link's dedupe key (personal, reusable): the lookup picks the one the
    invitation uses."""
    personal = _dedupe_key(invitation_id, reusable=False, browser_id=None)
    if browser_id is None:
        return personal, None
    return personal, _dedupe_key(invitation_id, reusable=True, browser_id=browser_id)


async def _link(
    link_ids: tuple[int, int], browser_id: str | None, *, click: queries.Click | None = None
) -> queries.Link:
    invitation_id, shop_id = link_ids
    personal_key, reusable_key = _link_keys(invitation_id, browser_id)
    link = await queries.load_link(
        invitation_id, shop_id, personal_key=personal_key, reusable_key=reusable_key, click=click
    )
    if link is None:
        raise InvalidToken("This link is not valid.")
    return link


async def _confirm(
    invitation: Invitation,
    choice: Choice,
    browser_id: str | None,
    response: Response | None,
    now: datetime,
    webhooks: bool = True,
) -> Answer:
    """Record the answer (the unique dedupe key decides races) with its webhooks and, for
    a reusable link, the clicks it confirms, in one transaction: what the usual case's
    single statement (queries.record_usual_answer) leaves to do."""
    key = dedupe_key(invitation, browser_id)
    # Its alert check waits out the burst window: a scanner caught meanwhile undoes it.
    alert_due = utcnow() + BURST_WINDOW
    if response is None:
        try:
            async with in_transaction():
                response = await queries.insert_response(
                    invitation, choice.score, key, now, alert_due
                )
                if webhooks:  # False: the shop has no endpoint, skip looking them up
                    await _emit_confirmed(response)
                await queries.confirm_clicks(invitation, choice.score)
            return Answer(invitation, choice, response, AnswerState.CONFIRMED)
        except IntegrityError:
            # Another confirm of the same invitation won the race: treat ours as a change.
            response = await Response.get(dedupe_key=key)
    state = _state(response, choice, now)
    if state == AnswerState.PENDING:
        async with in_transaction():
            await Response.filter(id=response.id).update(
                score=choice.score, updated_at=now, alert_due_at=alert_due
            )
            response.score = choice.score
            if webhooks:
                await _emit_confirmed(response)
            await queries.confirm_clicks(invitation, choice.score)
        return Answer(invitation, choice, response, AnswerState.CONFIRMED)
    if state == AnswerState.CONFIRMED:
        await queries.confirm_clicks(invitation, choice.score)
    return Answer(invitation, choice, response, state)


async def _emit_confirmed(response: Response) -> None:
    # Held back for the burst window: a scanner caught a moment later cancels it.
    await outbox.emit(
        response.shop_id,
        "response.confirmed",
        await _event(response),
        subject=f"response:{response.id}",
        delay=BURST_WINDOW,
    )


async def _undo_scanner_burst(invitation: Invitation, since: datetime) -> None:
    async with in_transaction():
        # A sandbox confirming every link at once undoes the burst several times together:
        # one after the other (each UPDATE would lock the clicks in its own order, and two
        # deadlocked). The key: minus the invitation's id (chain's key is positive).
        await db.lock_transaction(-invitation.id)
        await Click.filter(invitation=invitation, created_at__gte=since).update(
            outcome=ClickOutcome.SCANNER
        )
        # A scanner that runs the page's script may have confirmed the first links it opened.
        # Its answer, by the unique key of a personal link's (bursts of reusable links
        # are not undone): an indexed lookup.
        undone = await Response.filter(
            dedupe_key=dedupe_key(invitation, None), created_at__gte=since, comment=None
        ).values_list("id", flat=True)
        for response_id in undone:
            await outbox.cancel(f"response:{response_id}")  # its webhooks
        # Their alert checks go with them: each answer is its own entry in that queue.
        await Response.filter(id__in=list(undone)).delete()
        if undone:
            await chain.unchain(invitation.shop_id, invitation.kind, invitation.customer_id)


def clean_comment(text: str) -> str:
    text = clean_text(text).strip()  # no control or bidi override: staff read it as typed
    if not text:
        raise InvalidInput("Please write a comment.", fields={"comment": "required"})
    if len(text) > MAX_COMMENT:
        raise InvalidInput(
            f"A comment has at most {MAX_COMMENT} characters.", fields={"comment": "too_long"}
        )
    return text


async def add_comment(
    token: str, key: str, comment: str, links: Links, *, browser_id: str | None
) -> Answer:
    """Store the comment; typing one is a person's act, so it also confirms the click."""
    text = clean_comment(comment)
    invitation = await invitation_of(token, links)
    response = await Response.filter(dedupe_key=dedupe_key(invitation, browser_id)).first()
    if response is None:
        # Even right after a scanner burst: whoever typed a comment is a person.
        answer = await _confirm(invitation, _choice(invitation, key), browser_id, None, utcnow())
        response = answer.response
    assert response is not None
    now = utcnow()
    sentiment = analyse(text, fallback_locale=invitation.locale)
    async with in_transaction():
        await Response.filter(id=response.id).update(
            comment=text,
            commented_at=now,
            updated_at=now,
            sentiment_score=sentiment.score,
            sentiment_label=sentiment.label,
            language=sentiment.language,
            aspects=sentiment.as_dict()["aspects"],
            alert_due_at=now,  # its alert check, by the worker (alerts.tasks)
        )
        response.comment = text
        await outbox.emit(invitation.shop_id, "comment.added", await _event(response))
    choice = KINDS[invitation.kind].choice_for_score(response.score)
    assert choice is not None
    return Answer(invitation, choice, response, AnswerState.CONFIRMED)


async def unsubscribe_customer(token: str, links: Links) -> Customer:
    customer_id, shop_id = links.read_unsubscribe_token(token)
    customer = await Customer.filter(id=customer_id, shop_id=shop_id).select_related("shop").first()
    if customer is None:
        raise InvalidToken("This link is not valid.")
    return customer


async def unsubscribe(customer: Customer) -> None:
    if customer.unsubscribed_at is None:
        async with in_transaction():
            customer.unsubscribed_at = utcnow()
            await customer.save(update_fields=["unsubscribed_at"])
            await outbox.emit(
                customer.shop_id,
                "customer.unsubscribed",
                {"email": customer.email, "external_id": customer.external_id},
            )


async def choose_contact_preference(customer: Customer, choice: str) -> None:
    """The customer's choice on the preference page; "never" is a full unsubscribe."""
    if choice not in preferences.CHOICES:
        raise InvalidInput("Unknown choice.", fields={"preference": "invalid"})
    async with in_transaction():
        customer.contact_preference = choice
        customer.contact_preference_at = utcnow()
        if choice != "never":
            customer.unsubscribed_at = None  # choosing how often to hear is asking to hear
        await customer.save(
            update_fields=["contact_preference", "contact_preference_at", "unsubscribed_at"]
        )
        if choice == "never":
            await unsubscribe(customer)


# --- API listing -------------------------------------------------------------------------

STATUSES = tuple(schemas.ResponseStatus)
PAGE_SIZE = 50


async def list_responses(
    shop: Shop,
    *,
    survey: str | None,
    since: datetime | None,
    status: str,
    cursor: str | None,
) -> schemas.ResponsesPage:
    before = decode_cursor(cursor, big=True)  # answers and clicks
    items: list[schemas.SurveyResponse] | list[schemas.SurveyClick]
    if status == schemas.ResponseStatus.CONFIRMED:
        query = Response.filter(shop=shop)
        if survey:
            query = query.filter(kind=survey)
        if since:
            query = query.filter(created_at__gte=since)
        if before is not None:
            query = query.filter(id__lt=before)
        rows = (
            await query.order_by("-id")
            .limit(PAGE_SIZE + 1)
            .select_related("customer", "invitation__order")
        )
        items = [response_out(r) for r in rows[:PAGE_SIZE]]
        more = len(rows) > PAGE_SIZE
    else:
        clicks = Click.filter(invitation__shop=shop)
        if status == schemas.ResponseStatus.PROVISIONAL:
            clicks = queries.provisional(clicks)
        else:
            clicks = clicks.filter(outcome=ClickOutcome.SCANNER)
        if survey:
            clicks = clicks.filter(invitation__kind=survey)
        if since:
            clicks = clicks.filter(created_at__gte=since)
        if before is not None:
            clicks = clicks.filter(id__lt=before)
        click_rows = await clicks.order_by("-id").limit(PAGE_SIZE + 1).select_related("invitation")
        items = [_click_out(c, status) for c in click_rows[:PAGE_SIZE]]
        more = len(click_rows) > PAGE_SIZE
    next_cursor = encode_cursor(items[-1].id) if more else None
    return schemas.ResponsesPage(items=items, next_cursor=next_cursor)


def response_out(response: Response) -> schemas.SurveyResponse:
    """A confirmed answer as the API shows it (its customer and invitation's order loaded)."""
    customer = response.customer
    order = response.invitation.order
    return schemas.SurveyResponse.model_validate(
        {
            "id": response.id,
            "status": schemas.ResponseStatus.CONFIRMED,
            "survey": response.kind,
            "score": response.score,
            "label": score_label(response.kind, response.score),
            "comment": response.comment,
            "sentiment": response.sentiment_label,
            "invitation_id": response.invitation_id,
            "order_id": order.external_id if order else None,
            "customer": (
                {
                    "email": customer.email,
                    "name": customer.name,
                    "external_id": customer.external_id,
                }
                if customer
                else None
            ),
            "created_at": response.created_at,
            "updated_at": response.updated_at,
            "commented_at": response.commented_at,
        }
    )


async def _event(response: Response) -> dict[str, Any]:
    """The data of a webhook about an answer, with what a CRM needs to match the contact:
    customer email and external id, the order's id (only shops with a webhook pay the
    lookup)."""
    order = await Order.filter(invitations__id=response.invitation_id).values("external_id")
    return {
        "customer": await webhook_contact(response.customer_id),
        "order_id": order[0]["external_id"] if order else None,
        "id": response.id,
        "survey": response.kind,
        "score": response.score,
        "label": score_label(response.kind, response.score),
        "comment": response.comment,
        "invitation_id": response.invitation_id,
        "customer_id": response.customer_id,
        "created_at": response.created_at.isoformat(),
    }


def _click_out(click: Click, status: str) -> schemas.SurveyClick:
    kind = click.invitation.kind
    return schemas.SurveyClick.model_validate(
        {
            "id": click.id,
            "status": status,
            "survey": kind,
            "score": click.score,
            "label": score_label(kind, click.score),
            "invitation_id": click.invitation_id,
            "user_agent": click.user_agent,
            "created_at": click.created_at,
        }
    )
