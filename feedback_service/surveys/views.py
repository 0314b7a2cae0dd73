"""Respondent pages: the one-click answer, the comment, unsubscribe."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from feedback_service import ratelimit
from feedback_service.errors import InvalidInput
from feedback_service.http import client_ip, no_store, page
from feedback_service.i18n import Translator, gettext
from feedback_service.links import SURVEY_ANSWER, SURVEY_COMMENT, UNSUBSCRIBE, Links
from feedback_service.orders import preferences
from feedback_service.surveys import services
from feedback_service.surveys.emails import question_text
from feedback_service.surveys.kinds import KINDS

BROWSER_COOKIE = "fs_b"


def _links(request: Request) -> Links:
    links: Links = request.app.state.links
    return links


def _browser_id(request: Request) -> str | None:
    value = request.cookies.get(BROWSER_COOKIE, "")
    return value if 16 <= len(value) <= 64 and value.isascii() else None


def _answer_page(
    request: Request,
    answer: services.Answer,
    *,
    status_code: int = 200,
    error: str | None = None,
    comment: str | None = None,
) -> Response:
    token, key = request.path_params["token"], answer.choice.key
    links = _links(request)
    response = page(
        request,
        "surveys/answer.html",
        answer.invitation.locale,
        status_code=status_code,
        shop=answer.invitation.shop,
        question=question_text(answer.invitation, answer.invitation.shop),
        choice=answer.choice,
        recorded=answer.recorded_choice,
        state=answer.state,
        confirm_url=links.url(SURVEY_ANSWER, token=token, score=key),
        comment_url=links.url(SURVEY_COMMENT, token=token),
        error=error,
        comment=comment if comment is not None else (answer.response and answer.response.comment),
    )
    return no_store(response)


async def survey_page(request: Request) -> Response:
    """Every choice of a survey on one page: where a receipt's QR code leads."""
    token = request.path_params["token"]
    invitation = await services.invitation_of(token, _links(request))
    kind = KINDS[invitation.kind]
    links = _links(request).survey_links(token, kind.link_keys)
    return page(
        request,
        "surveys/choose.html",
        invitation.locale,
        shop=invitation.shop,
        question=question_text(invitation, invitation.shop),
        choices=[(choice, links[choice.key]) for choice in kind.choices],
    )


async def answer(request: Request) -> Response:
    """GET (or HEAD) of a score link from the email."""
    browser_id = _browser_id(request)
    result = await services.open_answer(
        request.path_params["token"],
        request.path_params["score"],
        _links(request),
        user_agent=request.headers.get("user-agent", ""),
        browser_id=browser_id,
        record=request.method == "GET",
    )
    response = _answer_page(request, result)
    if result.invitation.reusable and browser_id is None:
        response.set_cookie(
            BROWSER_COOKIE,
            secrets.token_urlsafe(18),
            max_age=30 * 24 * 3600,
            path="/s/",
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.https,
        )
    return response


async def confirm(request: Request) -> Response:
    """The same-origin POST that the answer page makes (or its no-script button)."""
    links = _links(request)
    origin = request.headers.get("origin")
    cross_site = request.headers.get("sec-fetch-site") == "cross-site"
    if cross_site or (origin and origin != "null" and origin.rstrip("/") != links.base_url):
        return JSONResponse({"status": "refused"}, status_code=403)
    token, key = request.path_params["token"], request.path_params["score"]
    link_ids = links.read_survey_token(token)
    # Bounds anonymous answers through a reusable (email-signature) link, per address.
    await ratelimit.hit(ratelimit.ANSWERS, "answer", str(link_ids[0]), client_ip(request))
    state = await services.confirm_answer(link_ids, key, browser_id=_browser_id(request))
    if "application/json" in request.headers.get("accept", ""):
        return no_store(JSONResponse({"status": state}))
    return RedirectResponse(links.url(SURVEY_ANSWER, token=token, score=key), status_code=303)


async def comment(request: Request) -> Response:
    token = request.path_params["token"]
    await ratelimit.hit(ratelimit.COMMENTS, "comment", token[:40], client_ip(request))
    form = await request.form(max_files=0, max_fields=5)
    text = str(form.get("comment", ""))
    key = str(form.get("score", ""))
    links = _links(request)
    try:
        result = await services.add_comment(
            token, key, text, links, browser_id=_browser_id(request)
        )
    except InvalidInput as exc:
        shown = await services.open_answer(
            token, key, links, user_agent="", browser_id=_browser_id(request), record=False
        )
        locale = shown.invitation.locale
        message = gettext(locale, "Please write a comment.")
        if exc.fields.get("comment") == "too_long":
            message = gettext(locale, "A comment has at most %(n)s characters.", n="5000")
        return _answer_page(request, shown, status_code=400, error=message, comment=text[:5000])
    return no_store(
        page(request, "surveys/thanks.html", result.invitation.locale, shop=result.invitation.shop)
    )


async def unsubscribe(request: Request) -> Response:
    """The preference page: how often the customer may be asked for feedback, or never.

    The signed token in the URL is the only key (no CSRF field: a forger cannot know it).
    A POST without a choice unsubscribes fully: RFC 8058 one-click from the mail client
    (`List-Unsubscribe=One-Click`) and the page's own unsubscribe button."""
    token = request.path_params["token"]
    customer = await services.unsubscribe_customer(token, _links(request))
    shop = customer.shop
    saved, error, status_code = None, None, 200
    if request.method == "POST":
        form = await request.form(max_files=0, max_fields=5)
        choice = form.get("preference")
        if choice is None and form.get("form") != "preferences":
            await services.unsubscribe(customer)
            saved = "never"
        elif isinstance(choice, str) and choice in preferences.CHOICES:
            await services.choose_contact_preference(customer, choice)
            saved = choice
        else:
            error = gettext(customer.locale, "Please choose one of the options.")
            status_code = 400
    current = preferences.current_choice(customer)
    shop_days = preferences.shop_window(shop, customer)
    _ = Translator(customer.locale)
    options = [
        ("", _("As %(shop)s suggests: at most every %(n)s days", shop=shop.name, n=shop_days))
    ]
    # "Once a month" says the same as "every 30 days" above: offered once (unless chosen).
    options += [
        (key, _(label))
        for key, label in preferences.CHOICE_LABELS.items()
        if preferences.CHOICE_DAYS.get(key) != shop_days or key == current
    ]
    return no_store(
        page(
            request,
            "surveys/unsubscribe.html",
            customer.locale,
            status_code=status_code,
            shop=shop,
            saved=saved,
            error=error,
            current=current,
            options=options,
            window_days=max(shop_days, preferences.CHOICE_DAYS.get(current, 0)),
            action=_links(request).url(UNSUBSCRIBE, token=token),
        )
    )
