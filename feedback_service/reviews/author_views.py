"""The author's page of their review (/m/{token}, see reviews.authors): a GET only shows
it (mail scanners change nothing); its forms POST the edit and the withdrawal."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from feedback_service import ratelimit
from feedback_service.http import client_ip, no_store, page, respondent_locale
from feedback_service.i18n import Translator
from feedback_service.links import AUTHOR_PAGE, AUTHOR_WITHDRAW, Links
from feedback_service.reviews import authors
from feedback_service.reviews.models import Review, ReviewStatus
from feedback_service.reviews.services import MAX_TEXT, MAX_TITLE, utcnow
from feedback_service.reviews.views import photo_dir


def _links(request: Request) -> Links:
    links: Links = request.app.state.links
    return links


def _same_site(request: Request) -> bool:
    """A POST from our own page (what a person's click sends), not from another site."""
    origin = request.headers.get("origin")
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    return not origin or origin == "null" or origin.rstrip("/") == _links(request).base_url


def _gone(request: Request) -> Response:
    """A link of ours whose review is no more: withdrawn (or erased) since."""
    return no_store(page(request, "reviews/author_gone.html", respondent_locale(request), 410))


def _page(
    request: Request,
    review: Review,
    *,
    status_code: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    locale = authors.author_locale(review)
    _ = Translator(locale)
    now = utcnow()
    token = request.path_params["token"]
    shown: dict[str, Any] = {"rating": str(review.rating), "title": review.title}
    shown["body"] = review.body
    return no_store(
        page(
            request,
            "reviews/author.html",
            locale,
            status_code=status_code,
            shop=review.shop,
            review=review,
            subject=authors.subject_of(review, review.shop, _),
            can_edit=authors.can_edit(review, now),
            deadline=authors.date_text(authors.edit_deadline(review), review.shop, locale),
            edited=authors.date_text(review.edited_at, review.shop, locale)
            if review.edited_at
            else None,
            values=shown | (values or {}),
            errors=errors or {},
            notice=notice,
            action=_links(request).url(AUTHOR_PAGE, token=token),
            withdraw_action=_links(request).url(AUTHOR_WITHDRAW, token=token),
            max_title=MAX_TITLE,
            max_text=MAX_TEXT,
        )
    )


async def author_page(request: Request) -> Response:
    review = await authors.review_of(request.path_params["token"], _links(request))
    if review is None:
        return _gone(request)
    _ = Translator(authors.author_locale(review))
    notice = None
    if request.query_params.get("saved") == "1":
        notice = _("Your changes are saved.")
        if review.status == ReviewStatus.PENDING:
            notice = _(
                "Your changes are saved. The shop checks your review again before it is published."
            )
    return _page(request, review, notice=notice)


async def _posted(request: Request) -> Review | Response:
    """The review a POST is about, or the page that answers it instead."""
    token = request.path_params["token"]
    review = await authors.review_of(token, _links(request))
    if review is None:
        return _gone(request)
    await ratelimit.hit(ratelimit.REVIEW_FORMS, "author", token[:40], client_ip(request))
    if not _same_site(request):
        _ = Translator(authors.author_locale(review))
        message = _("Please use the buttons of the page our email links to.")
        return _page(request, review, status_code=403, errors={"form": message})
    return review


async def author_edit(request: Request) -> Response:
    review = await _posted(request)
    if isinstance(review, Response):
        return review
    _ = Translator(authors.author_locale(review))
    form = await request.form(max_files=0, max_fields=10, max_part_size=64 * 1024)
    fields = {name: value for name, value in form.items() if isinstance(value, str)}
    if not authors.can_edit(review, utcnow()):
        message = _("The time to change this review is over. You can still withdraw it.")
        return _page(request, review, status_code=403, errors={"form": message})
    change, errors = authors.read_edit(review, fields)
    if change is None:
        values = {name: fields.get(name, "")[:MAX_TEXT] for name in ("rating", "title", "body")}
        return _page(request, review, status_code=400, values=values, errors=errors)
    await authors.edit(review, change)
    token = request.path_params["token"]
    saved = _links(request).url(AUTHOR_PAGE, token=token) + "?saved=1"
    return RedirectResponse(saved, status_code=303)


async def author_withdraw(request: Request) -> Response:
    review = await _posted(request)
    if isinstance(review, Response):
        return review
    await authors.withdraw(review, photo_dir(request))
    return no_store(
        page(
            request,
            "reviews/withdrawn.html",
            authors.author_locale(review),
            shop=review.shop,
        )
    )
