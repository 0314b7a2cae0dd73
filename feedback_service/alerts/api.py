"""Triage inbox API and alert rules."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from feedback_service.alerts import priority, services
from feedback_service.alerts.models import Alert
from feedback_service.alerts.rules import RULE_NAMES, rules_of
from feedback_service.alerts.schemas import AlertInInbox, AlertPatch, AlertRules, AlertsPage
from feedback_service.errors import InvalidInput, NotFound
from feedback_service.http import ModelResponse, decode_cursor, encode_cursor, read_json, row_id
from feedback_service.shops.api import api_shop
from feedback_service.shops.models import StaffUser

PAGE_SIZE = 50


async def list_alerts(request: Request) -> Response:
    shop = await api_shop(request)
    params = request.query_params
    query = Alert.filter(shop=shop)
    if status := params.get("status"):
        if status not in services.STATUSES:
            raise InvalidInput("Unknown status.", fields={"status": ", ".join(services.STATUSES)})
        query = query.filter(status=status)
    if rule := params.get("rule"):
        if rule not in RULE_NAMES:
            raise InvalidInput("Unknown rule.", fields={"rule": ", ".join(RULE_NAMES)})
        query = query.filter(rule_tags__contains=f",{rule},")
    order = params.get("order", "newest")
    if order not in ("newest", "priority"):
        raise InvalidInput("Unknown order.", fields={"order": "newest, priority"})
    cursor = decode_cursor(params.get("cursor"))
    top_fifth = await priority.top_fifth_spending(shop)
    if order == "priority":  # the cursor is how many came before: the rank moves with time
        skip = cursor or 0
        ordered = priority.in_priority_order(query, shop, services.utcnow(), top_fifth)
        rows = await ordered.offset(skip).limit(PAGE_SIZE + 1)
        next_cursor = skip + PAGE_SIZE
    else:
        if cursor is not None:
            query = query.filter(id__lt=cursor)
        rows = await query.order_by("-id").limit(PAGE_SIZE + 1)
        next_cursor = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else 0
    page = rows[:PAGE_SIZE]
    customers = await priority.customers_of(page)
    items = [
        AlertInInbox(
            **dict(services.alert_out(a)),
            customer=priority.facts_of(shop, customers.get(a.customer_id or 0), top_fifth).out(),
        )
        for a in page
    ]
    more = len(rows) > PAGE_SIZE
    answer = AlertsPage(items=items, next_cursor=encode_cursor(next_cursor) if more else None)
    return ModelResponse(answer)


async def patch_alert(request: Request) -> Response:
    shop = await api_shop(request)
    alert_id = row_id(request.path_params["id"])
    if alert_id is None:
        raise NotFound("No such alert.")
    data = await read_json(request, AlertPatch)
    assignee: StaffUser | None | bool = False  # False: not in the body, leave it
    if data.assignee is not None:
        assignee = await services.staff_of(shop, str(data.assignee))
    elif "assignee" in data.model_fields_set:  # an explicit null unassigns
        assignee = None
    alert = await services.update(
        shop, alert_id, status=data.status, assignee=assignee, note=data.note
    )
    return ModelResponse(services.alert_out(alert))


async def get_rules(request: Request) -> Response:
    shop = await api_shop(request)
    return ModelResponse(rules_of(shop.alert_rules))


async def put_rules(request: Request) -> Response:
    shop = await api_shop(request)
    rules = await read_json(request, AlertRules)
    shop.alert_rules = rules.model_dump()
    await shop.save(update_fields=["alert_rules"])
    return ModelResponse(rules)
