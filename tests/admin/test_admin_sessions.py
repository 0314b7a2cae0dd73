"""A staff session ends on the server: a cookie copied before logging out opens nothing."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from admin_helpers import csrf_of, log_in

from feedback_service import ratelimit
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


def from_address(client: httpx.AsyncClient, address: str) -> httpx.AsyncClient:
    """A browser on another machine: same app, its own cookies and client address."""
    app = client._transport.app  # type: ignore[attr-defined]
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 40000)),
        base_url=str(client.base_url),
    )


async def test_a_stranger_guessing_cannot_lock_the_owner_out(
    client: httpx.AsyncClient,
    shop_and_key,  # type: ignore[no-untyped-def]
) -> None:
    shop, _ = shop_and_key
    await create_user(shop, "owner@shop.fr", PASSWORD, role="admin")
    async with from_address(client, "203.0.113.7") as attacker:
        statuses = [
            (await log_in(attacker, "owner@shop.fr", f"guess-{n}")).status_code for n in range(50)
        ]
        assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
        # The right password from the attacker's address waits too.
        assert (await log_in(attacker, "owner@shop.fr", PASSWORD)).status_code == 429
    answer = await log_in(client, "owner@shop.fr", PASSWORD)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin"


@pytest.mark.slow
async def test_guesses_from_many_addresses_slow_the_account_down_without_locking_it(
    client: httpx.AsyncClient,
    shop_and_key,  # type: ignore[no-untyped-def]
) -> None:
    shop, _ = shop_and_key
    await create_user(shop, "owner@shop.fr", PASSWORD, role="admin")

    async def guesses(address: str) -> list[int]:
        async with from_address(client, address) as attacker:
            return [
                (await log_in(attacker, "owner@shop.fr", f"guess-{n}")).status_code
                for n in range(10)
            ]

    addresses = ("203.0.113.7", "203.0.113.8", "203.0.113.9", "198.51.100.1")
    assert await asyncio.gather(*map(guesses, addresses)) == [[401] * 10] * 4
    started = time.monotonic()
    answer = await log_in(client, "owner@shop.fr", PASSWORD)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin"
    assert time.monotonic() - started >= ratelimit.LOGIN_DELAY


@pytest.mark.slow
async def test_one_address_trying_many_accounts_is_limited(
    client: httpx.AsyncClient,
    shop_and_key,  # type: ignore[no-untyped-def]
) -> None:
    statuses = [(await log_in(client, f"staff{n}@shop.fr", "guess")).status_code for n in range(31)]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429


async def test_a_new_password_ends_every_other_session(
    client: httpx.AsyncClient,
    shop_and_key,  # type: ignore[no-untyped-def]
) -> None:
    shop, _ = shop_and_key
    await create_user(shop, "agent@shop.fr", PASSWORD)
    await log_in(client, "agent@shop.fr", PASSWORD)
    async with from_address(client, "203.0.113.7") as elsewhere:
        await log_in(elsewhere, "agent@shop.fr", PASSWORD)
        assert (await elsewhere.get("/admin/inbox")).status_code == 200
        form = await client.get("/admin/password", headers={"Accept-Language": "fr"})
        assert form.status_code == 200 and "Changer de mot de passe" in form.text
        wrong = await client.post(
            "/admin/password",
            data={"csrf": csrf_of(form.text), "current_password": "nope", "new_password": "x" * 8},
            headers={"Accept-Language": "fr"},
        )
        assert wrong.status_code == 400 and "Le mot de passe actuel est faux." in wrong.text
        changed = await client.post(
            "/admin/password",
            data={
                "csrf": csrf_of(form.text),
                "current_password": PASSWORD,
                "new_password": "a brand new passphrase",
            },
        )
        assert changed.status_code == 200 and "Your password was changed" in changed.text
        assert (await client.get("/admin/inbox")).status_code == 200  # this session goes on
        assert (await elsewhere.get("/admin/inbox")).headers["location"] == "/admin/login"
    async with from_address(client, "198.51.100.1") as fresh:
        assert (await log_in(fresh, "agent@shop.fr", PASSWORD)).status_code == 401
        assert (await log_in(fresh, "agent@shop.fr", "a brand new passphrase")).status_code == 303
