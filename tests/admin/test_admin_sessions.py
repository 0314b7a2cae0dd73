"""A staff session ends on the server: a cookie copied before logging out opens nothing."""

from __future__ import annotations

import httpx
from admin_helpers import csrf_of, log_in

from feedback_service.shops.services import create_user

PASSWORD = "correct horse battery"


async def test_a_cookie_copied_before_logout_no_longer_opens_the_admin(
    client: httpx.AsyncClient,
    shop_and_key,  # type: ignore[no-untyped-def]
) -> None:
    shop, _ = shop_and_key
    await create_user(shop, "owner@shop.fr", PASSWORD, role="admin")
    await log_in(client, "owner@shop.fr", PASSWORD)
    settings = await client.get("/admin/settings")
    assert settings.status_code == 200
    copied = client.cookies["fs_session"]
    out = await client.post("/admin/logout", data={"csrf": csrf_of(settings.text)})
    assert out.status_code == 303
    async with httpx.AsyncClient(
        transport=client._transport,
        base_url=str(client.base_url),
        cookies={"fs_session": copied},
    ) as thief:
        again = await thief.get("/admin/settings")
    assert again.status_code == 303 and again.headers["location"] == "/admin/login"
    # Logging in again works, and the new session is not revoked by the old logout.
    await log_in(client, "owner@shop.fr", PASSWORD)
    assert (await client.get("/admin/settings")).status_code == 200
