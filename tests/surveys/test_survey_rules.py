"""Survey rules: set up in the admin, applied by the real worker, once per order, through the
throttle and the customers' choices; what they did shows in the admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import lxml.html
from admin_helpers import csrf_of, log_in

from feedback_service.outbox.models import OutboxMessage
from feedback_service.settings import Settings
from feedback_service.shops.services import create_user
from feedback_service.surveys.models import Invitation, SurveyRule, SurveyRuleOrder
from feedback_service.worker import Worker

PASSWORD = "correct horse battery"


async def deliver(api: httpx.AsyncClient, order_id: str, email: str, days_ago: float) -> None:
    """An order delivered `days_ago` days ago (placed two days before)."""
    await api.post(
        "/api/v1/products", json={"sku": "MUG", "name": "Mug", "url": "https://shop.example/m"}
    )
    delivered = datetime.now(UTC) - timedelta(days=days_ago)
    order = {
        "id": order_id,
        "customer": {"email": email, "name": f"{order_id} Customer", "locale": "en"},
        "items": [{"sku": "MUG"}],
        "ordered_at": (delivered - timedelta(days=2)).isoformat(),
        "delivered_at": delivered.isoformat(),
    }
    assert (await api.post("/api/v1/orders", json=order)).status_code == 201


async def add_rule(client: httpx.AsyncClient, kind: str, days: str, segment: str) -> httpx.Response:
    csrf = csrf_of((await client.get("/admin/survey-rules")).text)
    return await client.post(
        "/admin/survey-rules",
        data={"csrf": csrf, "kind": kind, "days_after_delivery": days, "segment": segment},
    )


async def emails_to(email: str) -> int:
    payloads = await OutboxMessage.filter(kind="email").values_list("payload", flat=True)
    return sum(1 for payload in payloads if payload["to"] == email)


def rule_row(html: str) -> dict[str, str]:
    row = lxml.html.fromstring(html).xpath("//tr[@data-rule]")[0]
    found = {
        "sent": row.xpath("td[@data-sent]")[0].get("data-sent"),
        "held": row.xpath("td[@data-held]")[0].get("data-held"),
    }
    for reason in row.xpath(".//*[@data-reason]"):
        found[reason.get("data-reason")] = reason.get("data-n")
    return found


async def test_a_rule_asks_each_delivered_order_once_through_throttle_and_unsubscribe(
    api: httpx.AsyncClient, shop_and_key, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    shop = shop_and_key[0]
    await deliver(api, "A", "a@x.fr", 7.1)  # due today: asked
    await deliver(api, "B", "b@x.fr", 8)  # due, but unsubscribed
    await deliver(api, "C", "c@x.fr", 7.5)  # due, but asked yesterday by the shop
    await deliver(api, "D", "d@x.fr", 2)  # not yet
    await deliver(api, "E", "e@x.fr", 40)  # long past its day: a new rule leaves it alone
    unsubscribe = await api.post(
        "/api/v1/invitations", json={"survey": "csat", "customer": {"email": "b@x.fr"}}
    )
    await api.post(unsubscribe.json()["unsubscribe_url"], content="List-Unsubscribe=One-Click")
    await api.post("/api/v1/invitations", json={"survey": "csat", "customer": {"email": "c@x.fr"}})

    await create_user(shop, "boss@shop.fr", PASSWORD, role="admin")
    await log_in(api, "boss@shop.fr", PASSWORD)
    assert (await add_rule(api, "nps", "7", "all")).status_code == 303
    page = await api.get("/admin/survey-rules")
    assert "NPS" in page.text and rule_row(page.text)["sent"] == "0"

    await Worker(settings).run_once()
    asked = await Invitation.filter(shop=shop, kind="nps").select_related("order", "customer")
    assert [(i.order.external_id, i.customer.email) for i in asked] == [("A", "a@x.fr")]
    assert await emails_to("a@x.fr") == 1
    assert await emails_to("b@x.fr") == 1  # the first survey only
    assert await emails_to("d@x.fr") == await emails_to("e@x.fr") == 0

    # Again (another worker, the next pass): nothing more.
    await Worker(settings).run_once()
    assert await Invitation.filter(shop=shop, kind="nps").count() == 1
    assert await SurveyRuleOrder.all().count() == 3
    assert await emails_to("a@x.fr") == 1

    row = rule_row((await api.get("/admin/survey-rules")).text)
    assert row == {"sent": "1", "held": "2", "throttle": "1", "unsubscribed": "1"}
    french = await api.get("/admin/survey-rules", headers={"Accept-Language": "fr"})
    assert "jours après la livraison" in french.text


async def test_a_rule_asks_its_segment_only_and_stops_when_turned_off(
    api: httpx.AsyncClient, shop_and_key, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    shop = shop_and_key[0]
    await create_user(shop, "boss@shop.fr", PASSWORD, role="admin")
    await log_in(api, "boss@shop.fr", PASSWORD)
    assert (await add_rule(api, "csat", "3", "regular")).status_code == 303
    for n in range(4):  # four orders: a regular customer
        await deliver(api, f"R{n}", "regular@x.fr", 3.2 + 20 * (3 - n))
    await deliver(api, "N1", "new@x.fr", 3.2)
    await Worker(settings).run_once()
    asked = await Invitation.filter(shop=shop).select_related("order")
    assert [i.order.external_id for i in asked] == ["R3"]

    rule = await SurveyRule.get(shop=shop)
    csrf = csrf_of((await api.get("/admin/survey-rules")).text)
    await api.post(f"/admin/survey-rules/{rule.id}", data={"csrf": csrf, "action": "off"})
    for n in range(4, 8):
        await deliver(api, f"R{n}", "regular2@x.fr", 3.1)
    await Worker(settings).run_once()
    assert await Invitation.filter(shop=shop).count() == 1
    assert "Turn on" in (await api.get("/admin/survey-rules")).text


async def test_bad_rules_are_refused_and_change_nothing(
    api: httpx.AsyncClient, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    shop = shop_and_key[0]
    await create_user(shop, "boss@shop.fr", PASSWORD, role="admin")
    await log_in(api, "boss@shop.fr", PASSWORD)
    for kind, days, segment in [
        ("nps", "-1", "all"),
        ("nps", "²", "all"),
        ("nps", "9999", "all"),
        ("poll", "7", "all"),
        ("nps", "7", "vip"),
    ]:
        answer = await add_rule(api, kind, days, segment)
        assert answer.status_code == 422, (kind, days, segment)
        assert 'role="alert"' in answer.text
    no_csrf = await api.post(
        "/admin/survey-rules", data={"kind": "nps", "days_after_delivery": "7", "segment": "all"}
    )
    assert no_csrf.status_code == 403
    assert await SurveyRule.all().count() == 0
