"""Product questions: asked on the product's blocks, confirmed by the asker (double opt-in),
moderated, answered by the shop or by recent buyers, and the emails and webhooks on the way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from email_validator import EmailNotValidError, validate_email
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from feedback_service import tokens
from feedback_service.errors import Conflict, InvalidInput, InvalidToken, NotFound
from feedback_service.i18n import N_, Translator
from feedback_service.links import BUYER_ANSWER, PRODUCT_PAGE, QUESTION_CONFIRM, Links
from feedback_service.orders.models import Customer, OrderItem, OrderStatus, Product
from feedback_service.outbox import services as outbox
from feedback_service.outbox.models import OutboxMessage
from feedback_service.questions.models import (
    Answer,
    AnswerStatus,
    BuyerInvite,
    Question,
    QuestionStatus,
)
from feedback_service.questions.schemas import (
    MAX_ANSWER,
    MAX_QUESTION,
    REJECTION_REASONS,
    QuestionModerationIn,
)
from feedback_service.shops.models import Shop

MIN_QUESTION = 10
MAX_NAME = 60
# The asker has a week to confirm; the worker then forgets an unconfirmed question.
CONFIRM_MAX_AGE = timedelta(days=7)
ANSWER_LINK_MAX_AGE = timedelta(days=30)
# Asking buyers: up to this many, among those who received the product this recently.
BUYERS_TO_ASK = 5
BUYERS_WITHIN = timedelta(days=90)

REASON_LABELS = {  # for a question and for a buyer's answer alike
    "abusive": N_("Abusive or offensive language."),
    "personal_data": N_("Personal data (a name, an email address, a phone number…)."),
    "off_topic": N_("Not about the product."),
    "spam": N_("Advertising or spam."),
    "duplicate": N_("Already asked or answered."),
}
assert set(REASON_LABELS) == set(REJECTION_REASONS)

# The surveys' turn-taking (contact preferences and the shop's window), handed in by the
# caller so that this domain imports no other: None when the customer may be asked now.
Claim = Callable[[Shop, Customer, str, datetime], Awaitable[object | None]]


def utcnow() -> datetime:
    return datetime.now(UTC)


def clean_text(value: str) -> str:
    """Printable characters, line breaks and tabs; Windows line ends made plain."""
    text = value.replace("\r\n", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()


async def _bump(product_id: int) -> None:
    """A new content version for the product: its blocks' ETag changes."""
    await Product.filter(id=product_id).update(reviews_version=F("reviews_version") + 1)


# --- asking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    body: str
    name: str
    email: str


def read_question_form(fields: Mapping[str, str], locale: str) -> tuple[Asked, dict[str, str]]:
    """The question form's values, cleaned, and its errors by field, in `locale`."""
    _ = Translator(locale)
    errors: dict[str, str] = {}
    if any("\x00" in value for value in fields.values()):
        errors["form"] = _("Please remove the invisible characters from your text.")
    body = clean_text(fields.get("question", ""))
    name = " ".join(clean_text(fields.get("name", "")).split())
    address = fields.get("email", "").strip()
    if len(body) < MIN_QUESTION:
        errors["question"] = _(
            "Please write your question (%(n)s characters at least).", n=MIN_QUESTION
        )
    elif len(body) > MAX_QUESTION:
        errors["question"] = _("A question has at most %(n)s characters.", n=MAX_QUESTION)
    if not name:
        errors["name"] = _("Please give the name to show with your question.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("A name has at most %(n)s characters.", n=MAX_NAME)
    try:
        email = validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        email = ""
    if not email or len(email) > 254:
        errors["email"] = _("Please give a valid email address: we send you a link to confirm.")
    return Asked(body=body[:MAX_QUESTION], name=name[:MAX_NAME], email=email), errors


def confirm_url(links: Links, question: Question) -> str:
    token = links.signer.dumps(tokens.QUESTION_CONFIRM, question.id, question.shop_id)
    return links.url(QUESTION_CONFIRM, token=token)


def answer_url(links: Links, invite: BuyerInvite, shop_id: int) -> str:
    token = links.signer.dumps(tokens.QUESTION_ANSWER, invite.id, shop_id)
    return links.url(BUYER_ANSWER, token=token)


def product_page(product: Product, links: Links) -> str:
    """Where people read the product's answers: the shop's page, else ours."""
    if product.url.lower().startswith(("http://", "https://")):
        return product.url
    shop: Shop = product.shop
    return links.url(PRODUCT_PAGE, shop=shop.slug, sku=product.sku)


async def ask(product: Product, asked: Asked, locale: str, links: Links) -> Question:
    """Store the question as unconfirmed and email its confirmation link to the asker."""
    shop: Shop = product.shop
    now = utcnow()
    async with in_transaction():
        question = await Question.create(
            shop=shop,
            product=product,
            body=asked.body,
            author_name=asked.name,
            author_email=asked.email,
            language=locale,
            asked_at=now,
        )
        _ = Translator(locale)
        context = {
            "shop": shop,
            "product": product,
            "question": question,
            "url": confirm_url(links, question),
            "days": CONFIRM_MAX_AGE.days,
        }
        await outbox.queue_rendered_email(
            shop,
            to=asked.email,
            locale=locale,
            subject=_("Confirm your question about %(product)s", product=product.name),
            template="question_confirm",
            context=context,
        )
        await outbox.schedule(
            shop, "question_expiry", {"question_id": question.id}, now + CONFIRM_MAX_AGE
        )
    return question


async def forget_unconfirmed(question_id: int) -> None:
    """The worker's job a week after a question was asked: an unconfirmed one goes."""
    await Question.filter(id=question_id, status=QuestionStatus.UNCONFIRMED).delete()


async def question_for_confirmation(token: str, links: Links) -> Question:
    max_age = int(CONFIRM_MAX_AGE.total_seconds())
    question_id, shop_id = links.signer.loads(tokens.QUESTION_CONFIRM, token, max_age)
    question = (
        await Question.filter(id=question_id, shop_id=shop_id)
        .select_related("shop", "product")
        .first()
    )
    if question is None:
        raise InvalidToken("This link is not valid.")
    return question


async def confirm(question: Question) -> bool:
    """The asker's click: the question enters moderation, once (False: it had already)."""
    now = utcnow()
    async with in_transaction():
        changed = await Question.filter(id=question.id, status=QuestionStatus.UNCONFIRMED).update(
            status=QuestionStatus.PENDING, confirmed_at=now
        )
        if not changed:
            return False
        question.status, question.confirmed_at = QuestionStatus.PENDING, now
        await outbox.emit(question.shop_id, "question.asked", await _asked_event(question))
    return True


async def _customer_of(shop_id: int, email: str | None) -> Customer | None:
    if not email:
        return None
    return await Customer.filter(shop_id=shop_id, email=email).first()


async def _asked_event(question: Question) -> dict[str, Any]:
    """A question.asked webhook's data: like a review's, with what a CRM matches on."""
    customer = await _customer_of(question.shop_id, question.author_email)
    product: Product = question.product
    return {
        "id": question.id,
        "product_id": question.product_id,
        "sku": product.sku,
        "customer": {
            "email": question.author_email,
            "external_id": customer.external_id if customer else None,
        },
        "author_name": question.author_name,
        "body": question.body,
        "language": question.language,
        "status": question.status,
        "asked_at": question.asked_at.isoformat(),
    }


def _answered_event(question: Question, answer: Answer) -> dict[str, Any]:
    product: Product = question.product
    return {
        "id": question.id,
        "product_id": question.product_id,
        "sku": product.sku,
        "question": question.body,
        "answer_id": answer.id,
        "body": answer.body,
        "by_shop": answer.by_shop,
        "customer_id": answer.customer_id,
        "published_at": (answer.published_at or utcnow()).isoformat(),
    }


# --- moderation and the shop's answer ----------------------------------------------------


async def get_question(shop: Shop, question_id: int) -> Question:
    question = (
        await Question.filter(shop=shop, id=question_id).select_related("shop", "product").first()
    )
    if question is None:
        raise NotFound("No such question.")
    return question


def _needs_confirmation(question: Question) -> None:
    if question.status == QuestionStatus.UNCONFIRMED:
        raise Conflict("Its author has not confirmed this question yet.")


async def moderate(
    shop: Shop, question_id: int, data: QuestionModerationIn, actor: str, links: Links
) -> Question:
    """Publish or reject a question, or (with `answer_id`) one of its buyers' answers."""
    question = await get_question(shop, question_id)
    _needs_confirmation(question)
    if data.action == "reject" and data.reason is None:
        raise InvalidInput(
            "A rejection needs a reason.", fields={"reason": ", ".join(REJECTION_REASONS)}
        )
    if data.answer_id is not None:
        await _moderate_answer(question, data, actor, links)
        return question
    now = utcnow()
    async with in_transaction():
        if data.action == "publish":
            question.status = QuestionStatus.PUBLISHED
            question.published_at = question.published_at or now
            question.rejection_reason = None
        else:
            question.status = QuestionStatus.REJECTED
            question.rejection_reason = data.reason
            await _email_rejection(question)
        question.moderated_by = actor
        await question.save(
            update_fields=["status", "published_at", "rejection_reason", "moderated_by"]
        )
        await _bump(question.product_id)
    return question


async def _moderate_answer(
    question: Question, data: QuestionModerationIn, actor: str, links: Links
) -> None:
    answer = await Answer.filter(id=data.answer_id, question_id=question.id, by_shop=False).first()
    if answer is None:
        raise NotFound("No such answer to this question.")
    if data.action == "publish" and question.status != QuestionStatus.PUBLISHED:
        raise Conflict("Publish the question before its answers.")
    now = utcnow()
    first_time = data.action == "publish" and answer.published_at is None
    async with in_transaction():
        answer.status = (
            AnswerStatus.PUBLISHED if data.action == "publish" else AnswerStatus.REJECTED
        )
        answer.rejection_reason = data.reason if data.action == "reject" else None
        answer.published_at = answer.published_at or (now if data.action == "publish" else None)
        answer.moderated_by = actor
        await answer.save(
            update_fields=["status", "rejection_reason", "published_at", "moderated_by"]
        )
        await _refresh_answered(question)
        await _bump(question.product_id)
        if first_time:
            await _announce_answer(question, answer, links)


async def _refresh_answered(question: Question) -> None:
    """answered_at: when its first answer still published was published (None: none is)."""
    first = (
        await Answer.filter(question_id=question.id, status=AnswerStatus.PUBLISHED)
        .order_by("published_at")
        .first()
    )
    question.answered_at = first.published_at if first else None
    await Question.filter(id=question.id).update(answered_at=question.answered_at)


async def answer(shop: Shop, question_id: int, body: str, actor: str, links: Links) -> Question:
    """The shop's public answer (a second one replaces the text). Answering a question
    waiting for moderation publishes it; the asker hears of a first answer by email."""
    question = await get_question(shop, question_id)
    _needs_confirmation(question)
    if question.status == QuestionStatus.REJECTED:
        raise Conflict("This question was rejected: publish it before answering.")
    text = clean_text(body)
    if not text or len(text) > MAX_ANSWER:
        raise InvalidInput(
            f"An answer has 1 to {MAX_ANSWER} characters.", fields={"body": "length"}
        )
    now = utcnow()
    async with in_transaction():
        shop_answer = await Answer.filter(question_id=question.id, by_shop=True).first()
        first_time = shop_answer is None
        if shop_answer is None:
            shop_answer = await Answer.create(
                question=question,
                by_shop=True,
                body=text,
                status=AnswerStatus.PUBLISHED,
                moderated_by=actor,
                created_at=now,
                published_at=now,
            )
        else:
            shop_answer.body, shop_answer.moderated_by = text, actor
            await shop_answer.save(update_fields=["body", "moderated_by"])
        if question.status == QuestionStatus.PENDING:
            question.status, question.published_at = QuestionStatus.PUBLISHED, now
            question.moderated_by = actor
            await question.save(update_fields=["status", "published_at", "moderated_by"])
        await _refresh_answered(question)
        await _bump(question.product_id)
        if first_time:
            await _announce_answer(question, shop_answer, links)
    return question


async def _announce_answer(question: Question, answer: Answer, links: Links) -> None:
    """A newly published answer: the webhook, and an email to the asker."""
    await outbox.emit(question.shop_id, "question.answered", _answered_event(question, answer))
    shop: Shop = question.shop
    product: Product = question.product
    locale = question.language
    _ = Translator(locale)
    context = {
        "shop": shop,
        "product": product,
        "question": question,
        "answer": answer,
        "answerer": shop.name if answer.by_shop else answer.author_name,
        "url": f"{product_page(product, links)}#question-{question.id}",
    }
    await outbox.queue_rendered_email(
        shop,
        to=question.author_email,
        locale=locale,
        subject=_("Your question about %(product)s has an answer", product=product.name),
        template="question_answered",
        context=context,
        about=_quoting(answer.id),
    )


def _quoting(answer_id: int) -> str:
    """The outbox subject of the email that quotes an answer to the asker."""
    return f"question_answer:{answer_id}"


async def _email_rejection(question: Question) -> None:
    shop: Shop = question.shop
    product: Product = question.product
    locale = question.language
    _ = Translator(locale)
    context = {
        "shop": shop,
        "product": product,
        "question": question,
        "reason": REASON_LABELS[question.rejection_reason or "spam"],
    }
    await outbox.queue_rendered_email(
        shop,
        to=question.author_email,
        locale=locale,
        subject=_("Your question about %(product)s was not published", product=product.name),
        template="question_rejected",
        context=context,
    )


# --- recent buyers answer ----------------------------------------------------------------


async def ask_buyers(shop: Shop, question_id: int, links: Links, claim: Claim) -> int:
    """Email up to BUYERS_TO_ASK customers who received the product in the last
    BUYERS_WITHIN days, asking them to answer: never the asker, never twice for a question,
    only those the contact rules let us ask now (each asked one takes their turn, as a
    survey would). Returns how many were asked."""
    question = await get_question(shop, question_id)
    if question.status != QuestionStatus.PUBLISHED:
        raise Conflict("Publish the question before asking buyers to answer it.")
    now = utcnow()
    recent = (
        await OrderItem.filter(
            product_id=question.product_id,
            order__shop_id=shop.id,
            order__delivered_at__gte=now - BUYERS_WITHIN,
        )
        .exclude(order__status__in=(OrderStatus.CANCELLED, OrderStatus.REFUNDED))
        .order_by("-order__delivered_at")
        .limit(500)
        .values_list("order__customer_id", flat=True)
    )
    invites = BuyerInvite.filter(question_id=question.id)
    asked_before = set(cast(list[int], await invites.values_list("customer_id", flat=True)))
    order = list(dict.fromkeys(c for c in cast(list[int], recent) if c not in asked_before))
    customers = {
        c.id: c
        for c in await Customer.filter(id__in=order, unsubscribed_at=None)
        .exclude(contact_preference="never")
        .exclude(email=question.author_email)
    }
    asked = 0
    for customer_id in order:
        customer = customers.get(customer_id)
        if customer is None:
            continue
        if await _ask_buyer(question, customer, links, claim, now):
            asked += 1
            if asked == BUYERS_TO_ASK:
                break
    question.buyers_asked_at = now
    await Question.filter(id=question.id).update(buyers_asked_at=now)
    return asked


async def _ask_buyer(
    question: Question, customer: Customer, links: Links, claim: Claim, now: datetime
) -> bool:
    shop: Shop = question.shop
    product: Product = question.product
    try:
        async with in_transaction():
            if await claim(shop, customer, "question", now) is not None:
                return False
            invite = await BuyerInvite.create(question=question, customer=customer, sent_at=now)
            locale = customer.locale
            _ = Translator(locale)
            unsubscribe_url = links.unsubscribe_url(customer.id, shop.id)
            context = {
                "shop": shop,
                "product": product,
                "question": question,
                "customer_name": customer.name.split(" ")[0] if customer.name else "",
                "url": answer_url(links, invite, shop.id),
                "unsubscribe_url": unsubscribe_url,
            }
            await outbox.queue_rendered_email(
                shop,
                to=customer.email,
                locale=locale,
                subject=_("A question about %(product)s: can you help?", product=product.name),
                template="question_buyer",
                context=context,
                headers={
                    "List-Unsubscribe": f"<{unsubscribe_url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
    except IntegrityError:  # asked at the same moment from another tab
        return False
    return True


async def invite_for_answer(token: str, links: Links) -> BuyerInvite:
    max_age = int(ANSWER_LINK_MAX_AGE.total_seconds())
    invite_id, shop_id = links.signer.loads(tokens.QUESTION_ANSWER, token, max_age)
    invite = (
        await BuyerInvite.filter(id=invite_id, question__shop_id=shop_id)
        .select_related("question__shop", "question__product", "customer")
        .first()
    )
    if invite is None or invite.question.status != QuestionStatus.PUBLISHED:
        raise InvalidToken("This link is not valid.")
    return invite


def default_display_name(name: str) -> str:
    """First name and initial: "Marie Curie" -> "Marie C."."""
    parts = name.split()
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else f"{parts[0]} {parts[-1][0]}."


def read_answer_form(fields: Mapping[str, str], locale: str) -> tuple[str, str, dict[str, str]]:
    """A buyer's answer, their display name, and the form's errors by field."""
    _ = Translator(locale)
    errors: dict[str, str] = {}
    if any("\x00" in value for value in fields.values()):
        errors["form"] = _("Please remove the invisible characters from your text.")
    body = clean_text(fields.get("answer", ""))
    name = " ".join(clean_text(fields.get("name", "")).split())
    if not body:
        errors["answer"] = _("Please write your answer.")
    elif len(body) > MAX_ANSWER:
        errors["answer"] = _("An answer has at most %(n)s characters.", n=MAX_ANSWER)
    if not name:
        errors["name"] = _("Please give the name to show with your answer.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("A name has at most %(n)s characters.", n=MAX_NAME)
    if fields.get("consent") != "yes":
        errors["consent"] = _("Please accept the publication of your answer.")
    return body, name, errors


async def submit_buyer_answer(invite: BuyerInvite, body: str, name: str) -> Answer | None:
    """Store a buyer's answer for moderation; None when this link already gave one."""
    customer: Customer = invite.customer
    now = utcnow()
    async with in_transaction():
        if not await BuyerInvite.filter(id=invite.id, answered_at=None).update(answered_at=now):
            return None
        invite.answered_at = now
        return await Answer.create(
            question_id=invite.question_id,
            customer=customer,
            author_name=name,
            author_email=customer.email,
            body=body,
            created_at=now,
        )


# --- erasure -----------------------------------------------------------------------------


async def forget(questions: list[Question], answers: list[Answer]) -> set[int]:
    """A person's erasure: the questions they asked go, with their answers, and so do the
    answers they wrote to others' questions and the emails quoting them. Returns the
    products whose blocks changed (their content version moves on, so no cached block
    shows the text again)."""
    products = {q.product_id for q in questions}
    asked = {q.id for q in questions}
    others = {a.question_id for a in answers} - asked
    await Question.filter(id__in=asked).delete()
    await Answer.filter(id__in=[a.id for a in answers]).delete()
    # The emails that told askers of these answers quote them (and name their author).
    await OutboxMessage.filter(subject__in=[_quoting(a.id) for a in answers]).delete()
    for question in await Question.filter(id__in=others):
        products.add(question.product_id)
        await _refresh_answered(question)
    await Product.filter(id__in=products).update(reviews_version=F("reviews_version") + 1)
    return products
