"""SIGKILL of the server in the middle of a burst: every acknowledged answer survives."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import httpx
import pytest
from peers import free_port

from feedback_service.links import Links
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.surveys.models import Invitation, Response


@pytest.mark.slow
async def test_acknowledged_answers_survive_sigkill(  # type: ignore[no-untyped-def]
    shop_and_key, settings: Settings, pytestconfig: pytest.Config
) -> None:
    shop: Shop = shop_and_key[0]
    invitations = await Invitation.bulk_create(
        [Invitation(shop=shop, kind="nps", locale="fr") for _ in range(400)]
    )
    invitations = await Invitation.filter(shop=shop).order_by("id")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    links = Links(settings.model_copy(update={"public_base_url": base}))
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key,
        "PUBLIC_BASE_URL": base,
        "DATA_DIR": str(settings.data_dir),
    }
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "uvicorn",
        "feedback_service.asgi:app",
        "--port",
        str(port),
        "--no-access-log",
        env=env,
        cwd=pytestconfig.rootpath,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    acknowledged: list[int] = []
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        for _ in range(200):
            try:
                if (await client.get("/healthz")).status_code == 200:
                    break
            except httpx.HTTPError:
                await asyncio.sleep(0.05)

        async def answer(invitation: Invitation) -> None:
            url = f"/s/{links.survey_token(invitation.id, shop.id)}/9"
            try:
                reply = await client.post(url, headers={"Accept": "application/json"})
            except httpx.HTTPError:
                return  # the server died under this request: it was never acknowledged
            if reply.status_code == 200 and reply.json()["status"] == "confirmed":
                acknowledged.append(invitation.id)

        async def killer() -> None:
            while len(acknowledged) < 100:
                await asyncio.sleep(0.005)
            server.send_signal(signal.SIGKILL)

        semaphore = asyncio.Semaphore(20)

        async def bounded(invitation: Invitation) -> None:
            async with semaphore:
                await answer(invitation)

        await asyncio.gather(killer(), *(bounded(i) for i in invitations))
    await server.wait()
    stored = set(await Response.filter(shop=shop).values_list("invitation_id", flat=True))
    lost = set(acknowledged) - stored
    print(
        f"\nSIGKILL burst: {len(acknowledged)} acknowledged, {len(stored)} stored, lost {len(lost)}"
    )
    assert 100 <= len(acknowledged) < 400  # the kill came in the middle
    assert lost == set()
