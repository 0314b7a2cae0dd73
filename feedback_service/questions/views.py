"""Public pages of product questions: the fragment and its form, the asker's confirmation,
and a buyer's answer. Plain forms, no JavaScript."""

from __future__ import annotations

import zlib
from urllib.parse import urlencode

from limits import parse
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

import widgets
from feedback_service import ratelimit
from feedback_service.errors import Forbidden, NotFound
from feedback_service.http import client_ip, no_store, page
from feedback_service.i18n import normalize_locale
from feedback_service.links import (
    BUYER_ANSWER,
    CERTIFICATE,
    PRODUCT_QUESTIONS,
    QUESTION_CONFIRM,
    QUESTION_SENT,
    REVIEW_POLICY,
    Links,
)
from feedback_service.orders.models import Product
from feedback_service.questions import services
from feedback_service.questions.blocks import answered_questions
from feedback_service.questions.models import BuyerInvite, QuestionStatus
from feedback_service.shops.models import Shop

# Per address, and per asker's email and shop: generous for a person, tight for a script.
QUESTIONS_PER_ADDRESS = parse("10/hour")
QUESTIONS_PER_EMAIL = parse("5/day")
ANSWERS_PER_ADDRESS = parse("20/hour")
# As the review blocks: 5 minutes fresh, then served while refetched, and while we are down.
BLOCK_CACHE = "public, max-age=300, stale-while-revalidate=3600, stale-if-error=86400"


def _links(request: Request) -> Links:
    links: Links = request.app.state.links
    return links


async def _product(request: Request) -> Product:
    product = (
        await Product.filter(shop__slug=request.path_params["shop"], sku=request.path_params["sku"])
        .select_related("shop")
        .first()
    )
    if product is None:
        raise NotFound("No such product.")
    return product


def _questions_url(request: Request, product: Product) -> str:
    """Where the product's questions are read and the form is posted."""
    shop: Shop = product.shop
    return _links(request).url(PRODUCT_QUESTIONS, shop=shop.slug, sku=product.sku)


def _locale(value: object, shop: Shop) -> str:
    return normalize_locale(value if isinstance(value, str) else None, default=shop.locale)


# --- the fragment and its form -----------------------------------------------------------


def _version(product: Product) -> str:
    """Changes with what the fragment shows: the product's content version (bumped by every
    publication, answer and erasure), the product and the shop's name and timezone."""
    shop: Shop = product.shop
    stamp = int(product.updated_at.timestamp() * 1_000_000)
    fingerprint = zlib.crc32(f"{shop.name}\0{shop.timezone}\0{shop.locale}".encode())
    return f"{product.reviews_version}.{stamp:x}.{fingerprint:x}"


async def questions_fragment(request: Request) -> Response:
    """GET /w/{shop}/products/{sku}/questions: the answered questions and the form."""
    product = await _product(request)
    shop: Shop = product.shop
    locale = _locale(request.query_params.get("locale"), shop)
    etag = f'W/"{_version(product)}-questions-{locale}"'
    headers = {"ETag": etag, "Cache-Control": BLOCK_CACHE}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    links = _links(request)
    html = widgets.render_questions_block(
        widgets.Shop(
            slug=shop.slug,
            name=shop.name,
            policy_url=links.url(REVIEW_POLICY, shop=shop.slug),
            certificate_url=links.url(CERTIFICATE, shop=shop.slug),
            timezone=shop.timezone,
        ),
        widgets.Product(
            sku=product.sku,
            name=product.name,
            url=product.url,
            image_url=product.image_url,
            brand=product.brand,
            gtin=product.gtin,
            questions_url=_questions_url(request, product),
        ),
        await answered_questions(product),
        locale,
    )
    return HTMLResponse(html, headers=headers)


def _ask_page(
    request: Request,
    product: Product,
    locale: str,
    *,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    return no_store(
        page(
            request,
            "questions/ask.html",
            locale,
            status_code=400,
            shop=product.shop,
            product=product,
            values=values,
            errors=errors,
            action=_questions_url(request, product),
            back=services.product_page(product, _links(request)),
        )
    )


async def ask(request: Request) -> Response:
    """POST /w/{shop}/products/{sku}/questions from the block's form: stored unconfirmed,
    the confirmation link emailed, then 303 to a page saying so."""
    await ratelimit.hit(QUESTIONS_PER_ADDRESS, "question", client_ip(request))
    product = await _product(request)
    shop: Shop = product.shop
    form = await request.form(max_files=0, max_fields=10, max_part_size=16 * 1024)
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    locale = _locale(fields.get("locale"), shop)
    sent = _links(request).url(QUESTION_SENT, shop=shop.slug, sku=product.sku)
    sent += f"?{urlencode({'locale': locale})}"
    if fields.get("fs_hp"):
        # Filled by a robot (people never see the field): the usual answer, nothing stored.
        return RedirectResponse(sent, status_code=303)
    asked, errors = services.read_question_form(fields, locale)
    if errors:
        return _ask_page(request, product, locale, values=fields, errors=errors)
    await ratelimit.hit(QUESTIONS_PER_EMAIL, "question-email", str(shop.id), asked.email)
    await services.ask(product, asked, locale, _links(request))
    return RedirectResponse(sent, status_code=303)


async def asked(request: Request) -> Response:
    """Where the form's POST lands: "check your inbox", in the asker's language."""
    product = await _product(request)
    return no_store(
        page(
            request,
            "questions/sent.html",
            _locale(request.query_params.get("locale"), product.shop),
            shop=product.shop,
            product=product,
            days=services.CONFIRM_MAX_AGE.days,
            back=services.product_page(product, _links(request)),
        )
    )


# --- the asker's confirmation ------------------------------------------------------------


def _same_site(request: Request) -> bool:
    """A POST from our own page (what a person's click sends), not from another site."""
    origin = request.headers.get("origin")
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    return not origin or origin == "null" or origin.rstrip("/") == _links(request).base_url


async def confirmation(request: Request) -> Response:
    """GET shows the question and a button; only its POST confirms. Mail scanners open the
    emailed link (GET, HEAD) and never press the button, so they confirm nothing."""
    token = request.path_params["token"]
    links = _links(request)
    question = await services.question_for_confirmation(token, links)
    if request.method == "POST":
        if not _same_site(request):
            raise Forbidden("Please confirm from the page of the link we emailed you.")
        await services.confirm(question)
        return RedirectResponse(links.url(QUESTION_CONFIRM, token=token), status_code=303)
    return no_store(
        page(
            request,
            "questions/confirm.html",
            question.language,
            shop=question.shop,
            product=question.product,
            question=question,
            confirmed=question.status != QuestionStatus.UNCONFIRMED,
            action=links.url(QUESTION_CONFIRM, token=token),
            back=services.product_page(question.product, links),
        )
    )


# --- a buyer's answer --------------------------------------------------------------------


def _answer_page(
    request: Request,
    invite: BuyerInvite,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    question = invite.question
    customer = invite.customer
    values = values or {"name": services.default_display_name(customer.name)}
    return no_store(
        page(
            request,
            "questions/answer.html",
            customer.locale,
            status_code=status_code,
            shop=question.shop,
            product=question.product,
            question=question,
            answered=invite.answered_at is not None,
            values=values,
            errors=errors or {},
            action=_links(request).url(BUYER_ANSWER, token=request.path_params["token"]),
            back=services.product_page(question.product, _links(request)),
        )
    )


async def buyer_answer(request: Request) -> Response:
    """GET /a/{token}: the emailed buyer's answer form; POST stores it for moderation."""
    token = request.path_params["token"]
    invite = await services.invite_for_answer(token, _links(request))
    if request.method == "GET":
        return _answer_page(request, invite)
    if invite.answered_at is not None:  # the back button, a second tab
        return _answer_page(request, invite, status_code=409)
    await ratelimit.hit(ANSWERS_PER_ADDRESS, "question-answer", token[:40], client_ip(request))
    form = await request.form(max_files=0, max_fields=10, max_part_size=16 * 1024)
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    body, name, errors = services.read_answer_form(fields, invite.customer.locale)
    if errors:
        return _answer_page(request, invite, values=fields, errors=errors, status_code=400)
    if await services.submit_buyer_answer(invite, body, name) is None:
        return _answer_page(request, invite, status_code=409)
    return RedirectResponse(_links(request).url(BUYER_ANSWER, token=token), status_code=303)
