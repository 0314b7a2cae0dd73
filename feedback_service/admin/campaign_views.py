"""Surveys sent without writing code: campaigns to a segment or an uploaded list, survey rules
applied after delivery, and reusable links for email signatures and receipts. Admins only."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from feedback_service.admin.dashboard import SEGMENT_LABELS, SURVEY_LABELS
from feedback_service.errors import InvalidInput, NotFound
from feedback_service.http import page, respondent_locale, row_id
from feedback_service.i18n import N_
from feedback_service.links import (
    ADMIN_CAMPAIGN,
    ADMIN_CAMPAIGNS,
    ADMIN_SURVEY_LINK,
    ADMIN_SURVEY_RULES,
    Links,
)
from feedback_service.orders.models import HoldReason
from feedback_service.shops import auth
from feedback_service.surveys import campaigns, rules, signature
from feedback_service.surveys.models import Campaign, CampaignState, Invitation
from feedback_service.surveys.schemas import SurveyLinkIn
from feedback_service.surveys.services import create_survey_link

REASON_LABELS = {
    HoldReason.THROTTLE: N_("Asked recently (your window)"),
    HoldReason.PREFERENCE: N_("Their own choice of how often"),
    HoldReason.UNSUBSCRIBED: N_("Unsubscribed"),
}

LANGUAGE_LABELS = {"en": N_("English"), "fr": N_("French")}


def _links(request: Request) -> Links:
    links: Links = request.app.state.links
    return links


def _id(request: Request, what: str) -> int:
    value = row_id(request.path_params["id"])
    if value is None:
        raise NotFound(f"No such {what}.")
    return value


def _page(
    request: Request, template: str, user: Any, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return page(
        request,
        template,
        respondent_locale(request),
        status_code=status_code,
        user=user,
        shop=user.shop,
        csrf=auth.csrf_token(request),
        surveys=SURVEY_LABELS,
        segment_labels=SEGMENT_LABELS,
        reason_labels=REASON_LABELS,
        language_labels=LANGUAGE_LABELS,
        **context,
    )


# --- campaigns -------------------------------------------------------------------------------


async def campaigns_page(request: Request) -> Response:
    """Past campaigns with their counts, and the form that prepares a new one."""
    user = await auth.current_staff(request, role="admin")
    error: str | None = None
    values: dict[str, str] = {}
    if request.method == "POST":
        values, files = await auth.check_csrf_upload(request)
        try:
            campaign = await campaigns.create_draft(
                user.shop,
                kind=values.get("kind", ""),
                audience=values.get("audience", ""),
                upload=files.get("file"),
                created_by=user.email,
            )
        except InvalidInput as exc:
            error = exc.message
        else:
            return RedirectResponse(ADMIN_CAMPAIGN.fill(id=campaign.id), status_code=303)
    rows = await Campaign.filter(shop=user.shop).order_by("-id").limit(50)
    counts = await campaigns.outcome_counts([row.id for row in rows])
    return _page(
        request,
        "admin/campaigns.html",
        user,
        status_code=422 if error else 200,
        rows=rows,
        counts=counts,
        error=error,
        values=values,
        audiences=campaigns.AUDIENCES,
    )


async def campaign_page(request: Request) -> Response:
    """A draft's preview (the emails, how many are held and why, the refused lines) and its
    send button; once sent, its progress."""
    user = await auth.current_staff(request, role="admin")
    shop = user.shop
    campaign = await campaigns.get_campaign(shop, _id(request, "campaign"))
    if request.method == "POST":
        action = (await auth.check_csrf(request)).get("action")
        if action == "discard":
            await campaigns.discard(shop, campaign.id)
            return RedirectResponse(ADMIN_CAMPAIGNS, status_code=303)
        if action == "send":
            await campaigns.start_sending(shop, campaign.id)
        return RedirectResponse(ADMIN_CAMPAIGN.fill(id=campaign.id), status_code=303)
    preview = None
    if campaign.state == CampaignState.DRAFT:
        preview = await campaigns.preview(shop, campaign, _links(request))
    counts = (await campaigns.outcome_counts([campaign.id]))[campaign.id]
    return _page(
        request, "admin/campaign.html", user, campaign=campaign, preview=preview, counts=counts
    )


# --- survey rules ----------------------------------------------------------------------------


async def rules_page(request: Request) -> Response:
    user = await auth.current_staff(request, role="admin")
    error: str | None = None
    values: dict[str, str] = {}
    if request.method == "POST":
        values = await auth.check_csrf(request)
        try:
            await rules.add_rule(
                user.shop,
                kind=values.get("kind", ""),
                days=values.get("days_after_delivery", ""),
                segment=values.get("segment", ""),
            )
        except InvalidInput as exc:
            error = exc.message
        else:
            return RedirectResponse(ADMIN_SURVEY_RULES, status_code=303)
    return _page(
        request,
        "admin/survey_rules.html",
        user,
        status_code=422 if error else 200,
        rows=await rules.rules_with_stats(user.shop),
        error=error,
        values=values,
        segments=rules.SEGMENTS,
        stats_days=rules.STATS_DAYS,
    )


async def rule_action(request: Request) -> Response:
    user = await auth.current_staff(request, role="admin")
    form = await auth.check_csrf(request)
    await rules.change_rule(user.shop, _id(request, "rule"), form.get("action", ""))
    return RedirectResponse(ADMIN_SURVEY_RULES, status_code=303)


# --- signature and receipt links ---------------------------------------------------------------


async def links_page(request: Request) -> Response:
    """The shop's reusable links, and the form that makes one for a survey and a language."""
    user = await auth.current_staff(request, role="admin")
    if request.method == "POST":
        form = await auth.check_csrf(request)
        data = SurveyLinkIn.model_validate(
            {"survey": form.get("kind"), "locale": form.get("locale") or None}
        )
        made = await create_survey_link(user.shop, data, _links(request))
        return RedirectResponse(ADMIN_SURVEY_LINK.fill(id=made.id), status_code=303)
    rows = await Invitation.filter(shop=user.shop, reusable=True).order_by("-id").limit(50)
    return _page(request, "admin/survey_links.html", user, rows=rows)


async def link_page(request: Request) -> Response:
    """The HTML to paste into an email signature, its preview, and the receipt's QR code."""
    user = await auth.current_staff(request, role="admin")
    invitation = await signature.reusable_link(user.shop, _id(request, "survey link"))
    links = _links(request)
    return _page(
        request,
        "admin/survey_link.html",
        user,
        link=invitation,
        snippet=signature.signature_html(user.shop, invitation, links),
        page_url=links.survey_page_url(signature.token(user.shop, invitation, links)),
    )


async def link_qr(request: Request) -> Response:
    user = await auth.current_staff(request, role="admin")
    invitation = await signature.reusable_link(user.shop, _id(request, "survey link"))
    links = _links(request)
    url = links.survey_page_url(signature.token(user.shop, invitation, links))
    name = f"survey-{invitation.kind}-{invitation.id}.png"
    return Response(
        signature.qr_png(url),
        media_type="image/png",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
