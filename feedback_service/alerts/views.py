"""The triage inbox: oldest unhandled first, with the customer's history at hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from feedback_service.admin import auth
from feedback_service.alerts import services
from feedback_service.alerts.models import Alert
from feedback_service.alerts.rules import RULE_LABELS, RULE_NAMES
from feedback_service.errors import NotFound
from feedback_service.http import page, respondent_locale, whole_number
from feedback_service.i18n import N_, Translator
from feedback_service.orders.models import Customer
from feedback_service.reviews.models import Review
from feedback_service.shops.models import StaffUser
from feedback_service.surveys.kinds import answer_text
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
    "open": N_("Open"),
    "acknowledged": N_("Acknowledged"),
    "resolved": N_("Resolved"),
}


@dataclass
class InboxItem:
    alert: Alert
    customer: Customer | None
    answer: str
    text: str
    order_id: str | None
    late: bool
    age_hours: int
    aspects: list[dict[str, Any]]
    history: list[str] = field(default_factory=list)


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
        else query.filter(status__in=["open", "acknowledged"])
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
    alerts = await query.order_by("opened_at", "id").limit(100).select_related("assignee")
    locale = respondent_locale(request)
    items = await _items(alerts, shop.sla_hours, now, Translator(locale))
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
        templates={item.alert.id: services.apology_template(shop, item.customer) for item in items},
    )


async def _items(alerts: list[Alert], sla_hours: int, now: Any, _: Translator) -> list[InboxItem]:
    """Everything the page shows, in a fixed number of queries whatever the length."""
    response_ids = [
        int(a.subject.split(":")[1]) for a in alerts if a.subject.startswith("response:")
    ]
    review_ids = [int(a.subject.split(":")[1]) for a in alerts if a.subject.startswith("review:")]
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
    customer_ids = [a.customer_id for a in alerts if a.customer_id]
    customers = {c.id: c for c in await Customer.filter(id__in=customer_ids)}
    history: dict[int, list[str]] = {}
    past = (
        await SurveyResponse.filter(customer_id__in=customer_ids).order_by("-created_at").limit(500)
    )
    for r in past:
        line = f"{r.created_at:%Y-%m-%d} {answer_text(r.kind, r.score, _)}"
        history.setdefault(r.customer_id or 0, []).append(line)
    past_reviews = (
        await Review.filter(customer_id__in=customer_ids).order_by("-submitted_at").limit(500)
    )
    for rv in past_reviews:
        history.setdefault(rv.customer_id or 0, []).append(
            f"{rv.submitted_at:%Y-%m-%d} " + _("Review %(rating)s★", rating=rv.rating)
        )
    items = []
    for alert in alerts:
        kind, _colon, raw_id = alert.subject.partition(":")
        answer, text, order_id, aspects = "", "", None, []
        if kind == "response" and (response := responses.get(int(raw_id))):
            answer = answer_text(response.kind, response.score, _)
            text, aspects = response.comment or "", response.aspects
            order_id = response.invitation.order.external_id if response.invitation.order else None
        elif kind == "review" and (review := reviews.get(int(raw_id))):
            answer = f"{review.product.name}: {review.rating}★"
            text, aspects = f"{review.title}\n{review.body}".strip(), review.aspects
            order_id = review.request.order.external_id if review.request else None
        age = now - alert.opened_at
        customer = customers.get(alert.customer_id or 0)
        items.append(
            InboxItem(
                alert=alert,
                customer=customer,
                answer=answer,
                text=text,
                order_id=order_id,
                late=alert.status != "resolved" and age > timedelta(hours=sla_hours),
                age_hours=int(age.total_seconds() // 3600),
                aspects=aspects,
                history=history.get(alert.customer_id or -1, [])[:6],
            )
        )
    return items


async def act(request: Request) -> Response:
    user = await auth.current_staff(request)
    form = await auth.check_csrf(request)
    alert_id = whole_number(request.path_params["id"])
    if alert_id is None:
        raise NotFound("No such alert.")
    action = form.get("action")
    if action == "acknowledge":
        await services.update(user.shop, alert_id, status="acknowledged")
    elif action == "assign":
        assignee = (
            await services.staff_of(user.shop, form["assignee"]) if form.get("assignee") else None
        )
        await services.update(user.shop, alert_id, assignee=assignee)
    elif action == "resolve":
        await services.update(user.shop, alert_id, status="resolved", note=form.get("note", ""))
    elif action == "contact":
        await services.contact_customer(
            user.shop, alert_id, form.get("subject", ""), form.get("body", "")
        )
    else:
        raise NotFound("No such action.")
    return RedirectResponse(f"/admin/inbox#alert-{alert_id}", status_code=303)
