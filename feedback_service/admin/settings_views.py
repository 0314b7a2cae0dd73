"""/admin/settings: the shop's rules, questions, webhooks, keys, staff and branding."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from tortoise.transactions import in_transaction

from feedback_service.alerts import replies
from feedback_service.alerts.rules import rules_of
from feedback_service.alerts.schemas import AlertRules
from feedback_service.errors import InvalidInput, NotFound
from feedback_service.http import (
    MAX_ID,
    ModelResponse,
    frame_ancestors,
    page,
    respondent_locale,
    validation_fields,
    whole_number,
)
from feedback_service.i18n import LOCALES, N_, gettext
from feedback_service.links import ADMIN_SETTINGS, CERTIFICATE, REVIEW_POLICY, SHOP_BADGE
from feedback_service.orders import preferences
from feedback_service.outbox import webhooks
from feedback_service.outbox.models import WebhookEndpoint
from feedback_service.outbox.services import EVENTS
from feedback_service.privacy import api as privacy_api
from feedback_service.privacy import services as privacy
from feedback_service.reviews.models import ReviewQuestion
from feedback_service.shops import auth
from feedback_service.shops.models import ApiKey, Shop, StaffUser
from feedback_service.shops.services import create_api_key, create_user

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# An image on the web, no quotes or spaces that could leave the attribute it is put in.
LOGO_URL = re.compile(r"^https://[^\s\"'<>\\]+$")
SEGMENT_FIELDS = {
    "segment_occasional_from": N_("Occasional customers from (orders)"),
    "segment_regular_from": N_("Regular customers from (orders)"),
    "churn_days": N_("Churned after (days without an order)"),
}

# Automatic review requests: (field, lowest, highest).
REVIEW_FLOW_FIELDS = (
    ("review_delay_after_fulfilled_days", 0, 365),
    ("review_reminders", 0, 2),
    ("review_reminder_days", 1, 90),
    ("followup_delay_days", 0, 60),
    # The review policy's promises: published or refused within, kept online for.
    ("review_publication_days", 1, 90),
    ("review_retention_years", 1, 20),
)


def _int(form: dict[str, str], name: str, low: int, high: int) -> int:
    value = whole_number(form.get(name, ""), digits=40)
    if value is None or not low <= value <= high:
        raise InvalidInput(
            f"{name} is a whole number from {low} to {high}.", fields={name: "range"}
        )
    return value


def _optional_int(form: dict[str, str], name: str, low: int, high: int) -> int | None:
    """Blank: None (the shop's default applies)."""
    return _int(form, name, low, high) if form.get(name, "").strip() else None


async def settings_page(request: Request) -> Response:
    user = await auth.current_staff(request, role="admin")
    shop = user.shop
    return page(
        request,
        "admin/settings.html",
        respondent_locale(request),
        user=user,
        shop=shop,
        csrf=auth.csrf_token(request),
        rules=rules_of(shop.alert_rules),
        questions=await ReviewQuestion.filter(shop=shop, active=True).order_by("position", "id"),
        hooks=await WebhookEndpoint.filter(shop=shop).order_by("id"),
        keys=await ApiKey.filter(shop=shop).order_by("id"),
        staff=await StaffUser.filter(shop=shop).order_by("email"),
        pressure=await preferences.contact_pressure(shop),
        choices=preferences.CHOICES,
        pressure_days=preferences.PRESSURE_DAYS,
        events=EVENTS,
        reply_templates=await replies.shop_templates(shop),
        reply_aspects=replies.REPLY_ASPECTS,
        feed_url=request.app.state.links.product_reviews_feed_url(
            shop.slug, shop.id, shop.feed_token_version
        ),
        merchant_feed_url=request.app.state.links.merchant_reviews_feed_url(
            shop.slug, shop.id, shop.feed_token_version
        ),
        certificate_url=request.app.state.links.url(CERTIFICATE, shop=shop.slug),
        policy_url=request.app.state.links.url(REVIEW_POLICY, shop=shop.slug),
        badge_url=request.app.state.links.url(SHOP_BADGE, shop=shop.slug),
        new_key=request.session.pop("new_key", None),
        new_secret=request.session.pop("new_secret", None),
    )


async def settings_action(request: Request) -> Response:
    user = await auth.current_staff(request, role="admin")
    form = await auth.check_csrf(request)
    shop = user.shop
    action = request.path_params["action"]
    handler = ACTIONS.get(action)
    if handler is None:
        raise NotFound("No such setting.")
    await handler(request, shop, form)
    return RedirectResponse(f"{ADMIN_SETTINGS}#{action}", status_code=303)


async def _general(request: Request, shop: Shop, form: dict[str, str]) -> None:
    name = form.get("name", "").strip()[:200]
    color = form.get("brand_color", "")
    if not name or not COLOR.match(color):
        raise InvalidInput("A name and a colour like #2563eb are needed.")
    shop.name = name
    shop.brand_color = color
    shop.sender_name = form.get("sender_name", "").strip()[:200]
    shop.sender_email = form.get("sender_email", "").strip()[:254]
    shop.locale = "fr" if form.get("locale") == "fr" else "en"
    shop.throttle_days = _int(form, "throttle_days", 1, 365)
    for segment in preferences.SEGMENTS:
        name = f"throttle_days_{segment}"
        setattr(shop, name, _optional_int(form, name, 1, 365))
    shop.sla_hours = _int(form, "sla_hours", 1, 720)
    shop.review_delay_days = _int(form, "review_delay_days", 0, 365)
    # Review flow: a form without these fields (an older page) keeps them as they are.
    for name, low, high in REVIEW_FLOW_FIELDS:
        if name in form:
            setattr(shop, name, _int(form, name, low, high))
    shop.reviews_auto_publish = form.get("reviews_auto_publish") == "yes"
    if "logo_url" in form:  # the email fields (a form from an older page keeps them)
        shop.logo_url = _logo_url(form["logo_url"])
        shop.neutral_nps_buttons = form.get("neutral_nps_buttons") == "yes"
    shop.frame_ancestors = frame_ancestors(form.get("frame_ancestors", "")[:1000])
    await shop.save()


def _logo_url(value: str) -> str:
    url = value.strip()
    if url and (len(url) > 500 or not LOGO_URL.match(url)):
        raise InvalidInput(
            "The logo is an https:// address of an image, at most 500 characters.",
            fields={"logo_url": "invalid"},
        )
    return url


async def _segments(request: Request, shop: Shop, form: dict[str, str]) -> None:
    """Segment thresholds and churn window of the dashboard and GET /api/v1/metrics."""
    locale = respondent_locale(request)
    values: dict[str, int] = {}
    for name, low, high in (
        ("segment_occasional_from", 2, 999),
        ("segment_regular_from", 3, 1000),
        ("churn_days", 1, 3650),
    ):
        value = whole_number(form.get(name, "").strip())
        if value is None or not low <= value <= high:
            message = gettext(
                locale,
                "%(field)s is a whole number from %(low)s to %(high)s.",
                field=gettext(locale, SEGMENT_FIELDS[name]),
                low=low,
                high=high,
            )
            raise InvalidInput(message, fields={name: "range"})
        values[name] = value
    if values["segment_occasional_from"] >= values["segment_regular_from"]:
        message = gettext(locale, "Regular customers need more orders than occasional ones.")
        raise InvalidInput(message, fields={"segment_regular_from": "too small"})
    for name, number in values.items():
        setattr(shop, name, number)
    await shop.save(update_fields=list(values))


async def _alert_rules(request: Request, shop: Shop, form: dict[str, str]) -> None:
    data = await request.form()
    try:
        rules = AlertRules.model_validate(
            {
                "thermometer": data.getlist("thermometer"),
                "nps_max": form.get("nps_max"),
                "csat_max": form.get("csat_max"),
                "review_max_stars": form.get("review_max_stars"),
                "comment_score_max": form.get("comment_score_max"),
                "mismatch": form.get("mismatch") == "yes",
            }
        )
    except ValidationError as exc:
        raise InvalidInput("Some rules are invalid.", fields=validation_fields(exc)) from None
    shop.alert_rules = rules.model_dump()
    await shop.save(update_fields=["alert_rules"])


async def _reply_templates(request: Request, shop: Shop, form: dict[str, str]) -> None:
    """One aspect's reply in both languages; a blank one goes back to our default."""
    aspect = form.get("aspect", "")
    async with in_transaction():  # both languages or neither
        for language in LOCALES:
            await replies.save_template(
                shop,
                aspect,
                language,
                form.get(f"subject_{language}", ""),
                form.get(f"body_{language}", ""),
            )


async def _add_question(request: Request, shop: Shop, form: dict[str, str]) -> None:
    label = form.get("label", "").strip()[:200]
    choices = [c.strip()[:100] for c in form.get("choices", "").split("/") if c.strip()][:10]
    if not label or len(choices) < 2:
        raise InvalidInput("A question needs a label and at least two choices separated by /.")
    await ReviewQuestion.create(
        shop=shop,
        label=label,
        choices=choices,
        multiple=form.get("multiple") == "yes",
        position=await ReviewQuestion.filter(shop=shop).count(),
    )


async def _remove_question(request: Request, shop: Shop, form: dict[str, str]) -> None:
    await ReviewQuestion.filter(shop=shop, id=_int(form, "id", 1, MAX_ID)).update(active=False)


async def _add_webhook(request: Request, shop: Shop, form: dict[str, str]) -> None:
    data = await request.form()
    _, secret = await webhooks.register(
        shop,
        form.get("url", "").strip(),
        [str(e) for e in data.getlist("events")],
        allow_private=request.app.state.settings.webhook_allow_private,
    )
    request.session["new_secret"] = secret


async def _remove_webhook(request: Request, shop: Shop, form: dict[str, str]) -> None:
    await WebhookEndpoint.filter(shop=shop, id=_int(form, "id", 1, MAX_ID)).delete()


async def _create_key(request: Request, shop: Shop, form: dict[str, str]) -> None:
    name = form.get("name", "").strip()[:100] or "key"
    request.session["new_key"] = await create_api_key(shop, name=name)


async def _revoke_key(request: Request, shop: Shop, form: dict[str, str]) -> None:
    await ApiKey.filter(shop=shop, id=_int(form, "id", 1, MAX_ID), revoked_at=None).update(
        revoked_at=datetime.now(UTC)
    )


async def _rotate_feed_url(request: Request, shop: Shop, form: dict[str, str]) -> None:
    """A new secret address for the Google feed; the old one answers 404 from now on."""
    shop.feed_token_version += 1
    await shop.save(update_fields=["feed_token_version"])


async def _add_staff(request: Request, shop: Shop, form: dict[str, str]) -> None:
    await create_user(
        shop, form.get("email", ""), form.get("password", ""), form.get("role", "agent")
    )


async def _remove_staff(request: Request, shop: Shop, form: dict[str, str]) -> None:
    staff_id = _int(form, "id", 1, MAX_ID)
    if staff_id == request.session.get(auth.SESSION_USER):
        raise InvalidInput("You cannot remove yourself.")
    await StaffUser.filter(shop=shop, id=staff_id).delete()


async def _erase_customer(request: Request, shop: Shop, form: dict[str, str]) -> None:
    await privacy_api.erase(request, shop, form.get("email", ""))


async def customer_export(request: Request) -> Response:
    user = await auth.current_staff(request, role="admin")
    data = await privacy.export_customer(user.shop, request.query_params.get("email", ""))
    return ModelResponse(
        data, headers={"Content-Disposition": 'attachment; filename="customer.json"'}
    )


ACTIONS = {
    "general": _general,
    "segments": _segments,
    "alert-rules": _alert_rules,
    "reply-templates": _reply_templates,
    "add-question": _add_question,
    "remove-question": _remove_question,
    "add-webhook": _add_webhook,
    "remove-webhook": _remove_webhook,
    "create-key": _create_key,
    "revoke-key": _revoke_key,
    "feed-url": _rotate_feed_url,
    "add-staff": _add_staff,
    "remove-staff": _remove_staff,
    "erase-customer": _erase_customer,
}
