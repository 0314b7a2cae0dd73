"""Staff pages: login, logout, dashboard."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from feedback_service import exports, ratelimit
from feedback_service.admin import dashboard as dashboard_data
from feedback_service.admin.next_steps import next_steps
from feedback_service.alerts.views import ASPECT_LABELS
from feedback_service.errors import InvalidInput, NotFound
from feedback_service.http import (
    client_ip,
    decode_cursor,
    encode_cursor,
    page,
    respondent_locale,
    row_id,
)
from feedback_service.i18n import N_, Translator, gettext
from feedback_service.links import (
    ADMIN,
    ADMIN_INBOX,
    ADMIN_LOGIN,
    ADMIN_OUTBOX_MESSAGE,
    ADMIN_REVIEWS,
    PRODUCT_BLOCK,
)
from feedback_service.metrics.values import MAX_LIFETIME_YEARS
from feedback_service.outbox.models import OutboxMessage
from feedback_service.outbox.webhooks import replay
from feedback_service.reviews import moderation
from feedback_service.reviews.models import Review, ReviewStatus
from feedback_service.reviews.schemas import ModerationIn
from feedback_service.shops import auth
from feedback_service.shops.services import MIN_PASSWORD, authenticate, change_password
from feedback_service.surveys.kinds import KINDS, answer_text, score_label
from feedback_service.surveys.models import Click, ClickOutcome, Invitation
from feedback_service.surveys.models import Response as SurveyResponse
from feedback_service.surveys.queries import provisional
from feedback_service.surveys.services import PAGE_SIZE


async def login(request: Request) -> Response:
    locale = respondent_locale(request)
    error = None
    if request.method == "POST":
        form = await auth.check_csrf(request)
        email = form.get("email", "")[:254]
        await _slow_down_guesses(client_ip(request), email.strip().lower())
        user = await authenticate(email, form.get("password", "")[:1000])
        if user is not None:
            auth.log_in(request, user)
            return RedirectResponse(ADMIN, status_code=303)
        error = gettext(locale, "Wrong email or password.")
    return page(
        request,
        "admin/login.html",
        locale,
        status_code=401 if error else 200,
        csrf=auth.csrf_token(request),
        error=error,
        shop=None,
    )


async def _slow_down_guesses(address: str, account: str) -> None:
    """429 for too many attempts from the address, at one account or at any; an account
    guessed at from many addresses answers more slowly, but its owner still gets in."""
    await ratelimit.hit(ratelimit.LOGIN_ADDRESS, "login-ip", address)
    await ratelimit.hit(ratelimit.LOGIN, "login", account, address)
    if await ratelimit.exceeded(ratelimit.LOGIN_ACCOUNT, "login-email", account):
        await asyncio.sleep(ratelimit.LOGIN_DELAY)


PASSWORD_ERRORS = {
    "wrong": N_("The current password is wrong."),
    "short": N_("A password has at least %(n)s characters."),
}


async def password(request: Request) -> Response:
    """Any staff user changes their own password; their other sessions end."""
    user = await auth.current_staff(request)
    locale = respondent_locale(request)
    error, changed = None, False
    if request.method == "POST":
        form = await auth.check_csrf(request)
        await ratelimit.hit(ratelimit.LOGIN, "password", str(user.id), client_ip(request))
        try:
            await change_password(
                user, form.get("current_password", "")[:1000], form.get("new_password", "")[:1000]
            )
        except InvalidInput as exc:
            code = next(iter(exc.fields.values()))
            error = gettext(locale, PASSWORD_ERRORS[code], n=str(MIN_PASSWORD))
        else:
            auth.log_in(request, user)  # this session goes on, with the new version
            changed = True
    return page(
        request,
        "admin/password.html",
        locale,
        status_code=400 if error else 200,
        user=user,
        shop=user.shop,
        csrf=auth.csrf_token(request),
        error=error,
        changed=changed,
    )


async def logout(request: Request) -> Response:
    await auth.check_csrf(request)
    await auth.log_out(request)
    return RedirectResponse(ADMIN_LOGIN, status_code=303)


async def dashboard(request: Request) -> Response:
    """Figures of a period for the shop's admins; agents work from the inbox."""
    user = await auth.current_staff(request)
    if user.role != "admin":
        return RedirectResponse(ADMIN_INBOX, status_code=303)
    shop = user.shop
    locale = respondent_locale(request)
    filters, error = dashboard_data.parse_filters(request.query_params, shop)
    board = await dashboard_data.load(shop, filters)
    translate = Translator(locale)
    numbers = dashboard_data.Numbers(translate.locale)
    return page(
        request,
        "admin/dashboard.html",
        locale,
        user=user,
        shop=shop,
        csrf=auth.csrf_token(request),
        board=board,
        filters=filters,
        error=error,
        n=numbers,
        verdict=lambda change: dashboard_data.verdict_text(change, translate, numbers),
        trend=dashboard_data.trend_chart(board, translate, numbers),
        distributions=dashboard_data.distributions(board, translate),
        presets=dashboard_data.PRESETS,
        surveys=dashboard_data.SURVEY_LABELS,
        segment_labels=dashboard_data.SEGMENT_LABELS,
        group_labels=dashboard_data.NPS_GROUP_LABELS,
        aspect_labels=ASPECT_LABELS,
        steps=await next_steps(shop),
        # Where a block of the shop's goes, for the "embed the review block" step.
        block_url=request.app.state.links.url(
            PRODUCT_BLOCK, shop=shop.slug, sku="SKU", kind="reviews"
        ),
        recovery_segments={**dashboard_data.SEGMENT_LABELS, "none": N_("Without an order")},
        answer=lambda kind, score: answer_text(kind, score, translate),
        max_lifetime=MAX_LIFETIME_YEARS,
    )


async def outbox(request: Request) -> Response:
    """Emails and webhooks waiting or sent: with no SMTP_URL, this is where emails are read."""
    user = await auth.current_staff(request, role="admin")
    rows = await OutboxMessage.filter(shop=user.shop).order_by("-id").limit(100)
    return page(
        request,
        "admin/outbox.html",
        respondent_locale(request),
        user=user,
        shop=user.shop,
        csrf=auth.csrf_token(request),
        rows=rows,
        smtp=request.app.state.settings.smtp_url is not None,
    )


async def outbox_message(request: Request) -> Response:
    user = await auth.current_staff(request, role="admin")
    message_id = row_id(request.path_params["id"], big=True)
    row = None
    if message_id is not None:
        row = await OutboxMessage.filter(shop=user.shop, id=message_id).first()
    if row is None:
        raise NotFound("No such message.")
    if request.method == "POST":
        await auth.check_csrf(request)
        if row.kind == "webhook" and row.endpoint_id:
            await replay(user.shop, row.endpoint_id, row.id)
        return RedirectResponse(ADMIN_OUTBOX_MESSAGE.fill(id=row.id), status_code=303)
    return page(
        request,
        "admin/outbox_message.html",
        respondent_locale(request),
        user=user,
        shop=user.shop,
        csrf=auth.csrf_token(request),
        row=row,
    )


async def reviews(request: Request) -> Response:
    """The moderation queue: publish, reject with a reason, reply. Agents may use it too."""
    user = await auth.current_staff(request)
    status = request.query_params.get("status", ReviewStatus.PENDING)
    if status not in tuple(ReviewStatus):
        status = ReviewStatus.PENDING
    if request.method == "POST":
        form = await auth.check_csrf(request)
        review_id = row_id(form.get("review", ""))
        if review_id is None:
            raise NotFound("No such review.")
        actor = user.email
        if form.get("action") == "reply":
            if not form.get("body", "").strip():
                raise InvalidInput("Write a reply first.", fields={"body": "required"})
            await moderation.reply(user.shop, review_id, form["body"], actor)
        else:
            data = ModerationIn.model_validate(
                {"action": form.get("action"), "reason": form.get("reason") or None}
            )
            await moderation.moderate(user.shop, review_id, data, actor)
        return RedirectResponse(f"{ADMIN_REVIEWS}?{urlencode({'status': status})}", status_code=303)
    rows = (
        await Review.filter(shop=user.shop, status=status)
        .order_by("submitted_at" if status == ReviewStatus.PENDING else "-id")
        .limit(100)
        .select_related("product")
    )
    # Waiting longer than the review policy promises (L111-7-2): shown first, flagged.
    late_before = datetime.now(UTC) - timedelta(days=user.shop.review_publication_days)
    late = (
        await Review.filter(
            shop=user.shop, status=ReviewStatus.PENDING, submitted_at__lt=late_before
        ).count()
        if status == ReviewStatus.PENDING
        else 0
    )
    return page(
        request,
        "admin/reviews.html",
        respondent_locale(request),
        user=user,
        shop=user.shop,
        csrf=auth.csrf_token(request),
        rows=rows,
        status=status,
        reasons=moderation.REASON_LABELS,
        late=late,
        late_before=late_before,
    )


async def surveys(request: Request) -> Response:
    """Answers, a page at a time (the API's cursor), and on the first page the clicks nobody
    confirmed and the scanner bursts."""
    user = await auth.current_staff(request, role="admin")
    kind = request.query_params.get("survey", "")
    before = decode_cursor(request.query_params.get("cursor"))
    responses = SurveyResponse.filter(shop=user.shop)
    clicks = Click.filter(invitation__shop=user.shop)
    if kind in KINDS:
        responses = responses.filter(kind=kind)
        clicks = clicks.filter(invitation__kind=kind)
    if before is not None:
        responses = responses.filter(id__lt=before)
    rows = await responses.order_by("-id").limit(PAGE_SIZE + 1).select_related("customer")
    first_page = before is None
    return page(
        request,
        "admin/surveys.html",
        respondent_locale(request),
        user=user,
        shop=user.shop,
        csrf=auth.csrf_token(request),
        kind=kind,
        kinds=KINDS,
        responses=rows[:PAGE_SIZE],
        next_cursor=encode_cursor(rows[PAGE_SIZE - 1].id) if len(rows) > PAGE_SIZE else None,
        first_page=first_page,
        pending=await provisional(clicks).order_by("-id").limit(20).select_related("invitation")
        if first_page
        else [],
        scanner=await clicks.filter(outcome=ClickOutcome.SCANNER)
        .order_by("-id")
        .limit(20)
        .select_related("invitation")
        if first_page
        else [],
        invitations=await Invitation.filter(shop=user.shop).count(),
        label=score_label,
    )


async def export(request: Request) -> Response:
    user = await auth.current_staff(request, role="admin")
    what, fmt = request.path_params["what"], request.path_params["format"]
    if what not in exports.KINDS or fmt not in exports.FORMATS:
        raise NotFound("No such export.")
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
    return StreamingResponse(
        exports.export(user.shop, what, fmt),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{what}.{fmt}"'},
    )
