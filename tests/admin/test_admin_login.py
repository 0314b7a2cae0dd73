"""Staff login: sessions, CSRF, rate limit, one shop's data only."""

from __future__ import annotations

import re

import httpx
from admin_helpers import csrf_of, log_in

from feedback_service.shops.services import create_shop, create_user
from feedback_service.surveys.models import Invitation, Response


async def test_login_dashboard_logout(client: httpx.AsyncClient, shop_and_key) -> None:  # type: ignore[no-untyped-def]
    shop, _ = shop_and_key
    await create_user(shop, "owner@shop.fr", "correct horse battery", role="admin")
    assert (await client.get("/admin")).headers["location"] == "/admin/login"
    answer = await log_in(client, "Owner@Shop.fr", "correct horse battery")
    assert answer.status_code == 303 and answer.headers["location"] == "/admin"
    dashboard = await client.get("/admin")
    assert dashboard.status_code == 200 and "Boutique Test" in dashboard.text
    out = await client.post("/admin/logout", data={"csrf": csrf_of(dashboard.text)})
    assert out.status_code == 303
    assert (await client.get("/admin")).status_code == 303


async def test_wrong_password_and_missing_csrf(client: httpx.AsyncClient, shop_and_key) -> None:  # type: ignore[no-untyped-def]
    shop, _ = shop_and_key
    await create_user(shop, "agent@shop.fr", "correct horse battery")
    wrong = await log_in(client, "agent@shop.fr", "nope nope nope")
    assert wrong.status_code == 401 and "Wrong email or password." in wrong.text
    no_csrf = await client.post(
        "/admin/login", data={"email": "agent@shop.fr", "password": "correct horse battery"}
    )
    assert no_csrf.status_code == 403
    assert (await client.get("/admin")).status_code == 303


async def test_login_is_rate_limited(client: httpx.AsyncClient, shop_and_key) -> None:  # type: ignore[no-untyped-def]
    statuses = [(await log_in(client, "x@shop.fr", f"guess-{n}")).status_code for n in range(11)]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429


async def test_dashboard_shows_only_its_shop(client: httpx.AsyncClient, shop_and_key) -> None:  # type: ignore[no-untyped-def]
    shop, _ = shop_and_key
    other, _ = await create_shop("Other Shop", "other")
    for owner, comment in ((shop, "ours"), (other, "theirs-secret")):
        invitation = await Invitation.create(shop=owner, kind="nps")
        await Response.create(
            shop=owner,
            invitation=invitation,
            kind="nps",
            score=3,
            comment=comment,
            dedupe_key=f"inv:{invitation.id}",
        )
    await create_user(shop, "owner@shop.fr", "correct horse battery", role="admin")
    await log_in(client, "owner@shop.fr", "correct horse battery")
    dashboard = await client.get("/admin", headers={"Accept-Language": "fr"})
    assert "ours" in dashboard.text and "theirs-secret" not in dashboard.text
    assert "Tableau de bord" in dashboard.text


async def test_outbox_page_shows_emails_to_admins_only(
    api: httpx.AsyncClient, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    shop, _ = shop_and_key
    await api.post(
        "/api/v1/invitations",
        json={"survey": "nps", "customer": {"email": "eve@example.com"}},
    )
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    await create_user(shop, "agent@shop.fr", "correct horse battery", role="agent")
    await log_in(api, "agent@shop.fr", "correct horse battery")
    assert (await api.get("/admin/outbox")).status_code == 403
    await log_in(api, "boss@shop.fr", "correct horse battery")
    listing = await api.get("/admin/outbox")
    assert listing.status_code == 200 and "eve@example.com" in listing.text
    message_id = re.search(r'href="/admin/outbox/(\d+)"', listing.text).group(1)  # type: ignore[union-attr]
    detail = await api.get(f"/admin/outbox/{message_id}")
    assert detail.status_code == 200 and "srcdoc=" in detail.text and "sandbox" in detail.text
    assert (await api.get("/admin/outbox/99999")).status_code == 404


async def test_moderation_page_publishes_rejects_and_shows_hostile_text_inert(
    api: httpx.AsyncClient, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    from feedback_service.reviews.models import Review

    shop, _ = shop_and_key
    await api.post(
        "/api/v1/products", json={"sku": "S", "name": "Sac", "url": "https://x.example/s"}
    )
    for n, title in enumerate(["<script>alert(1)</script>", "Bien"]):
        await api.post(
            "/api/v1/reviews",
            json={
                "sku": "S",
                "rating": 2,
                "title": title,
                "body": "<img src=x onerror=alert(1)>",
                "author_name": "A",
                "source": "t",
                "source_id": str(n),
                "submitted_at": "2026-01-01T00:00:00Z",
            },
        )
    await create_user(shop, "agent@shop.fr", "correct horse battery", role="agent")
    await log_in(api, "agent@shop.fr", "correct horse battery")
    queue = await api.get("/admin/reviews")
    assert queue.status_code == 200
    assert (
        "<script>alert(1)" not in queue.text
        and "&lt;script&gt;alert(1)&lt;/script&gt;" in queue.text
    )
    assert "<img src=x" not in queue.text
    first, second = await Review.all().order_by("id")
    csrf = csrf_of(queue.text)
    await api.post(
        "/admin/reviews",
        data={"csrf": csrf, "review": first.id, "action": "reject", "reason": "abusive"},
    )
    await api.post("/admin/reviews", data={"csrf": csrf, "review": second.id, "action": "publish"})
    await api.post(
        "/admin/reviews",
        data={"csrf": csrf, "review": second.id, "action": "reply", "body": "Merci"},
    )
    statuses = {r.id: (r.status, r.rejection_reason, r.reply_body) for r in await Review.all()}
    assert statuses == {
        first.id: ("rejected", "abusive", None),
        second.id: ("published", None, "Merci"),
    }
    forged = await api.post(
        "/admin/reviews", data={"csrf": "forged", "review": first.id, "action": "publish"}
    )
    assert forged.status_code == 403 and (await Review.get(id=first.id)).status == "rejected"
