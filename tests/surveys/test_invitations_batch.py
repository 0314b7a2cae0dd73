"""POST /api/v1/invitations/batch: each item answered as POST /api/v1/invitations would."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from feedback_service import ratelimit
from feedback_service.orders.models import Customer, HeldInvitation
from feedback_service.outbox.models import OutboxMessage
from feedback_service.surveys.models import Invitation


def invitation(email: str, survey: str = "nps", **extra: object) -> dict[str, object]:
    return {"survey": survey, "customer": {"email": email, "locale": "fr"}, **extra}


async def test_each_item_is_created_held_or_invalid(api: httpx.AsyncClient) -> None:
    first = await api.post("/api/v1/invitations", json=invitation("gone@example.com"))
    assert first.status_code == 201
    await Customer.filter(email="gone@example.com").update(unsubscribed_at=datetime.now(UTC))
    items = [
        invitation("ana@example.com"),
        invitation("ana@example.com", survey="csat"),  # asked a moment ago: throttled
        invitation("gone@example.com"),
        invitation("bo@example.com", survey="pizza"),
        invitation("cy@example.com", order_id="NO-SUCH-ORDER"),
        {"survey": "nps"},
        invitation("di@example.com", survey="thermometer", question="Votre colis ?"),
    ]
    answer = await api.post("/api/v1/invitations/batch", json={"invitations": items})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == [
        "created",
        "throttled",
        "unsubscribed",
        "invalid",
        "invalid",
        "invalid",
        "created",
    ]
    single = (await api.post("/api/v1/invitations", json=invitation("ed@example.com"))).json()
    assert set(results[0]) == set(single) | {"status"}
    assert list(results[6]["links"]) == ["gold", "green", "yellow", "red"]
    assert "next_allowed_at" in results[1] and "links" not in results[1]
    assert results[3]["errors"] == {"survey": results[3]["errors"]["survey"]}
    assert results[4]["errors"] == {"order_id": "no such order"}
    assert "customer" in results[5]["errors"]
    assert await Invitation.filter(customer__email="ana@example.com").count() == 1
    assert await Invitation.filter(customer__email="gone@example.com").count() == 1
    reasons = sorted(await HeldInvitation.all().values_list("reason", flat=True))
    assert reasons == ["throttle", "unsubscribed"]
    # One email per invitation made (ana, di, ed and the first one), none for the others.
    assert await OutboxMessage.filter(kind="email").count() == 4


async def test_batch_limits(api: httpx.AsyncClient) -> None:
    many = [invitation(f"c{n}@example.com") for n in range(1001)]
    too_many = await api.post("/api/v1/invitations/batch", json={"invitations": many})
    assert too_many.status_code == 422 and "invitations" in too_many.json()["error"]["fields"]
    assert (
        await api.post("/api/v1/invitations/batch", json={"invitations": []})
    ).status_code == 422
    assert await Invitation.all().count() == 0
    # A batch is one request for the key's API limit, and one of its 60 batches a minute
    # (the two refused above count too).
    for _ in range(58):
        ok = await api.post("/api/v1/invitations/batch", json={"invitations": ["x"]})
        assert ok.status_code == 200
    limited = await api.post("/api/v1/invitations/batch", json={"invitations": ["x"]})
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    assert (await api.post("/api/v1/orders/batch", json={"orders": ["x"]})).status_code == 429
    await ratelimit.reset()
