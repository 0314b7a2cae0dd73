"""The triage inbox: late and valuable customers first (alerts.priority), with the
customer's facts and history at hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from babel.numbers import format_decimal
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from feedback_service.alerts import priority, replies, services
from feedback_service.alerts.models import Alert, AlertReply, AlertStatus, AlertSubject, SubjectKind
from feedback_service.alerts.rules import RULE_LABELS, RULE_NAMES
from feedback_service.errors import NotFound
from feedback_service.http import page, respondent_locale, row_id, whole_number
from feedback_service.i18n import LOCALES, N_, Translator
from feedback_service.links import ADMIN_INBOX
from feedback_service.orders.models import Customer, Order
from feedback_service.reviews.models import Review
from feedback_service.shops import auth
from feedback_service.shops.models import Shop, StaffUser
from feedback_service.surveys.kinds import KINDS, Kind, answer_text
from feedback_service.surveys.models import Response as SurveyResponse

ASPECT_LABELS = {
    "delivery": N_("Delivery"),
    "price": N_("Price"),
    "quality": N_("Quality"),
    "customer_service": N_("Customer service"),
    "returns_refunds": N_("Returns and refunds"),
    "size_fit": N_("Size and fit"),
    "packaging": N_("Packaging"),
}
STATUS_LABELS = {
    AlertStatus.OPEN: N_("Open"),
    AlertStatus.ACKNOWLEDGED: N_("Acknowledged"),
    AlertStatus.RESOLVED: N_("Resolved"),
}


SEGMENT_LABELS = {
    "new": N_("New customer"),
    "occasional": N_("Occasional customer"),
    "regular": N_("Regular customer"),
    "none": N_("No order"),
}


@dataclass(frozen=True)
class Past:
    """One earlier answer of the customer: when, and what they answered, in staff's words."""

    at: datetime
    text: str


@dataclass
class InboxItem:
    alert: Alert
    customer: Customer | None
    answer: Past | None
    text: str
    order_id: str | None
    late: bool
    age_hours: int
    aspects: list[dict[str, Any]]
    facts: priority.CustomerFacts
    history: list[Past] = field(default_factory=list)


def _filters(request: Request) -> dict[str, str]:
    keys = ("status", "rule", "aspect", "language", "assignee", "age")
    return {k: request.query_params.get(k, "") for k in keys}


async def inbox(request: Request) -> Response:
    user = await auth.current_staff(request)
    shop = user.shop
    filters = _filters(request)
    query = Alert.filter(shop=shop)
    status = filters["status"]
    query = (
        query.filter(status=status)
        if status in services.STATUSES
        else query.filter(status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])
    )
    if filters["rule"] in RULE_NAMES:
        query = query.filter(rule_tags__contains=f",{filters['rule']},")
    if filters["aspect"] in ASPECT_LABELS:
        query = query.filter(aspect_tags__contains=f",{filters['aspect']},")
    if filters["language"] in ("en", "fr"):
        query = query.filter(language=filters["language"])
    if filters["assignee"] == "me":
        query = query.filter(assignee_id=user.id)
    elif filters["assignee"] == "none":
        query = query.filter(assignee_id=None)
    now = services.utcnow()
    if (age := whole_number(filters["age"], digits=4)) is not None:
        query = query.filter(opened_at__lte=now - timedelta(hours=age))
    top_fifth = await priority.top_fifth_spending(shop)
    ordered = priority.in_priority_order(query, shop, now, top_fifth)
    alerts = await ordered.limit(100).select_related("assignee")
    locale = respondent_locale(request)
    items = await _items(alerts, shop, top_fifth, now, Translator(locale))
    staff = await StaffUser.filter(shop=shop).order_by("email")
    return page(
        request,
        "admin/inbox.html",
        locale,
        user=user,
        shop=shop,
        csrf=auth.csrf_token(request),
        items=items,
        staff=staff,
        filters=filters,
        rules=RULE_LABELS,
        aspects=ASPECT_LABELS,
        statuses=STATUS_LABELS,
        segments=SEGMENT_LABELS,
        drafts=await _drafts(request, shop, items),
        reply_aspects=replies.REPLY_ASPECTS,
        gestures=replies.GESTURES,
        money=lambda value: format_decimal(value, "#,##0.00", locale=locale),
        followup_labels={c.score: c.label for c in KINDS[Kind.THERMOMETER].choices},
        sent=await _sent_replies(items),
    )


@dataclass(frozen=True)
class Draft:
    """The reply editor of an alert: the template picked, filled for this customer."""

    aspect: str
    language: str
    subject: str
    body: str
    picked: bool  # the agent just picked it: the editor opens


async def _drafts(request: Request, shop: Shop, items: list[InboxItem]) -> dict[int, Draft]:
    """Each alert's template (its first aspect's, in the customer's language) unless the
    agent picked another for it (`?pick=ID&template=ASPECT&lang=fr`)."""
    params = request.query_params
    picked = whole_number(params.get("pick", ""))
    templates = await replies.shop_templates(shop)
    drafts = {}
    for item in items:
        if item.customer is None:
            continue
        chosen = item.alert.id == picked
        aspect = replies.pick_aspect(services.untag(item.alert.aspect_tags))
        language = replies.pick_language(item.customer.locale)
        if chosen and params.get("template") in replies.REPLY_ASPECTS:
            aspect = params["template"]
        if chosen and params.get("lang") in LOCALES:
            language = params["lang"]
        values = replies.values_for(
            language,
            name=item.customer.name,
            order=item.order_id,
            comment=item.text,
            shop=shop.name,
        )
        template = templates[aspect, language]
        drafts[item.alert.id] = Draft(
            aspect,
            language,
            replies.fill(template.subject, values),
            replies.fill(template.body, values),
            chosen,
        )
    return drafts


async def _sent_replies(items: list[InboxItem]) -> dict[int, list[AlertReply]]:
    """The replies sent on the page's alerts, oldest first: one query."""
    found: dict[int, list[AlertReply]] = {}
    ids = [item.alert.id for item in items]
    for sent in await AlertReply.filter(alert_id__in=ids).order_by("sent_at", "id"):
        found.setdefault(sent.alert_id, []).append(sent)
    return found


async def _items(
    alerts: list[Alert], shop: Shop, top_fifth: float | None, now: datetime, _: Translator
) -> list[InboxItem]:
    """Everything the page shows, in a fixed number of queries whatever the length."""
    subjects = {alert.id: AlertSubject.parse(alert.subject) for alert in alerts}
    response_ids = [s.id for s in subjects.values() if s.kind == SubjectKind.RESPONSE]
    review_ids = [s.id for s in subjects.values() if s.kind == SubjectKind.REVIEW]
    responses = {
        r.id: r
        for r in await SurveyResponse.filter(id__in=response_ids).select_related(
            "invitation__order"
        )
    }
    reviews = {
        r.id: r
        for r in await Review.filter(id__in=review_ids).select_related("product", "request__order")
    }
    customers = await priority.customers_of(alerts)
    customer_ids = list(customers)
    history: dict[int, list[Past]] = {}
    past = (
        await SurveyResponse.filter(customer_id__in=customer_ids).order_by("-created_at").limit(500)
    )
    for r in past:
        line = Past(r.created_at, answer_text(r.kind, r.score, _))
        history.setdefault(r.customer_id or 0, []).append(line)
    past_reviews = (
        await Review.filter(customer_id__in=customer_ids).order_by("-submitted_at").limit(500)
    )
    for rv in past_reviews:
        history.setdefault(rv.customer_id or 0, []).append(
            Past(rv.submitted_at, _("Review %(rating)s★", rating=rv.rating))
        )
    items = []
    for alert in alerts:
        about = subjects[alert.id]
        answer: Past | None = None
        text, order_id, aspects = "", None, []
        if about.kind == SubjectKind.RESPONSE and (response := responses.get(about.id)):
            answer = Past(response.created_at, answer_text(response.kind, response.score, _))
            text, aspects = response.comment or "", response.aspects
            order_id = _order_number(response.invitation.order)
        elif about.kind == SubjectKind.REVIEW and (review := reviews.get(about.id)):
            product = review.product.name if review.product else _("The shop")
            answer = Past(review.submitted_at, f"{product}: {review.rating}★")
            text, aspects = f"{review.title}\n{review.body}".strip(), review.aspects
            order_id = _order_number(review.request.order) if review.request else None
        age = now - alert.opened_at
        customer = customers.get(alert.customer_id or 0)
        items.append(
            InboxItem(
                alert=alert,
                customer=customer,
                answer=answer,
                text=text,
                order_id=order_id,
                late=alert.status != AlertStatus.RESOLVED and age > timedelta(hours=shop.sla_hours),
                age_hours=int(age.total_seconds() // 3600),
                aspects=aspects,
                facts=priority.facts_of(shop, customer, top_fifth),
                history=sorted(history.get(alert.customer_id or -1, []), key=_newest)[:6],
            )
        )
    return items


async def _customer_locale(shop: Shop, alert_id: int) -> str:
    alert = await services.get_alert(shop, alert_id)
    customer = await Customer.get_or_none(id=alert.customer_id) if alert.customer_id else None
    return replies.pick_language(customer.locale if customer else shop.locale)


def _order_number(order: Order | None) -> str | None:
    """The number the shop shows its customers, else its id."""
    return (order.number or order.external_id) if order is not None else None


def _newest(past: Past) -> float:
    return -past.at.timestamp()


async def act(request: Request) -> Response:
    user = await auth.current_staff(request)
    form = await auth.check_csrf(request)
    alert_id = row_id(request.path_params["id"])
    if alert_id is None:
        raise NotFound("No such alert.")
    action = form.get("action")
    if action == "acknowledge":
        await services.update(user.shop, alert_id, status=AlertStatus.ACKNOWLEDGED)
    elif action == "assign":
        assignee = (
            await services.staff_of(user.shop, form["assignee"]) if form.get("assignee") else None
        )
        await services.update(user.shop, alert_id, assignee=assignee)
    elif action == "resolve":
        await services.update(
            user.shop, alert_id, status=AlertStatus.RESOLVED, note=form.get("note", "")
        )
    elif action == "contact":
        customer_locale = await _customer_locale(user.shop, alert_id)
        await services.reply(
            user.shop,
            user,
            alert_id,
            aspect=form.get("aspect") or "general",
            language=form.get("language") or customer_locale,
            subject=form.get("subject", ""),
            body=form.get("body", ""),
            gesture=form.get("gesture", ""),
            gesture_detail=form.get("gesture_detail", ""),
        )
    else:
        raise NotFound("No such action.")
    return RedirectResponse(f"{ADMIN_INBOX}#alert-{alert_id}", status_code=303)
