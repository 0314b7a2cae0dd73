"""/admin/connectors: connect WooCommerce or Shopify, watch what they deliver, disable."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from feedback_service.connectors import services
from feedback_service.connectors.models import Connector, ConnectorDelivery, DeliveryOutcome
from feedback_service.errors import InvalidInput, NotFound
from feedback_service.http import page, respondent_locale, whole_number
from feedback_service.i18n import N_
from feedback_service.links import ADMIN_CONNECTORS
from feedback_service.shops import auth

OUTCOME_LABELS = {
    DeliveryOutcome.PENDING: N_("Waiting"),
    DeliveryOutcome.PROCESSED: N_("Processed"),
    DeliveryOutcome.IGNORED: N_("Ignored"),
    DeliveryOutcome.FAILED: N_("Failed"),
}


async def connectors_page(request: Request) -> Response:
    user = await auth.current_staff(request, role="admin")
    shop = user.shop
    connectors = await Connector.filter(shop=shop).order_by("id")
    deliveries = (
        await ConnectorDelivery.filter(connector__shop=shop)
        .order_by("-id")
        .limit(services.LAST_DELIVERIES)
        .only("id", "connector_id", "topic", "received_at", "outcome", "error")
    )
    links = request.app.state.links
    return page(
        request,
        "admin/connectors.html",
        respondent_locale(request),
        user=user,
        shop=shop,
        csrf=auth.csrf_token(request),
        connectors=[(c, services.endpoint_url(links, c)) for c in connectors],
        platforms={c.id: c.platform for c in connectors},
        deliveries=deliveries,
        outcome_labels=OUTCOME_LABELS,
        created=request.session.pop("new_connector", None),
    )


async def connectors_action(request: Request) -> Response:
    user = await auth.current_staff(request, role="admin")
    form = await auth.check_csrf(request)
    action = request.path_params["action"]
    if action == "create":
        platform = form.get("platform", "")
        if platform not in services.PLATFORMS:
            raise InvalidInput("Choose WooCommerce or Shopify.", fields={"platform": "unknown"})
        secret = form.get("secret", "").strip()
        if secret and not (16 <= len(secret) <= 200 and secret.isascii() and secret.isprintable()):
            message = "A signing key is 16 to 200 characters."
            raise InvalidInput(message, fields={"secret": "length"})
        connector = await services.create_connector(user.shop, platform, secret or None)
        # Shown once, on the page the redirect opens.
        request.session["new_connector"] = {
            "platform": connector.platform,
            "url": services.endpoint_url(request.app.state.links, connector),
            "secret": connector.secret,
        }
    elif action == "disable":
        connector_id = whole_number(form.get("id", ""), digits=9)
        if connector_id is None:
            raise NotFound("No such connector.")
        await services.disable_connector(user.shop, connector_id)
    else:
        raise NotFound("No such action.")
    return RedirectResponse(ADMIN_CONNECTORS, status_code=303)
