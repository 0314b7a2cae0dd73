"""Answers that carry a shop's or a customer's data are never kept by a cache; the database
file is its owner's only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from admin_helpers import log_in

from feedback_service.shops.services import create_user


async def test_admin_pages_and_api_answers_are_not_stored_by_caches(
    api: httpx.AsyncClient,
    shop_and_key,  # type: ignore[no-untyped-def]
) -> None:
    shop, key = shop_and_key
    email = "client@example.fr"
    await api.post("/api/v1/invitations", json={"survey": "nps", "customer": {"email": email}})
    for path in ("/api/v1/responses", f"/api/v1/customers/{email}/export", "/api/v1/webhooks"):
        answer = await api.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["cache-control"] == "no-store", path
    assert (await api.get("/api/v1/nothing-here")).headers["cache-control"] == "no-store"
    del api.headers["Authorization"]
    await create_user(shop, "owner@shop.fr", "correct horse battery", role="admin")
    await log_in(api, "owner@shop.fr", "correct horse battery")
    for path in (
        "/admin",
        "/admin/inbox",
        "/admin/surveys",
        f"/admin/customers/export?email={email}",
    ):
        answer = await api.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["cache-control"] == "no-store", path
    # Public blocks keep their own caching.
    block = await api.get("/w/test-shop/products/none/badge")
    assert block.headers.get("cache-control") != "no-store"


# Migrate a fresh file, then write to it with the app's own connection (which opens the
# write-ahead log and its index): in a subprocess, so the session's database is left alone.
MIGRATE_AND_WRITE = """
import asyncio, json, os, stat, sys
from feedback_service.db import close_db, init_db, migrate
from feedback_service.shops.models import Shop

async def main(path: str) -> None:
    await migrate(f"sqlite://{path}")
    await init_db(f"sqlite://{path}")
    await Shop.create(slug="s", name="S")
    files = [path + suffix for suffix in ("", "-wal", "-shm")]
    print(json.dumps({f: oct(stat.S_IMODE(os.stat(f).st_mode)) for f in files}))
    await close_db()

asyncio.run(main(sys.argv[1]))
"""


def test_a_new_sqlite_database_is_readable_by_its_owner_only(
    tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    path = tmp_path / "fresh" / "feedback.sqlite3"
    done = subprocess.run(
        [sys.executable, "-c", MIGRATE_AND_WRITE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=pytestconfig.rootpath,
        timeout=120,
    )
    modes = json.loads(done.stdout.splitlines()[-1])
    assert modes == {f"{path}{suffix}": "0o600" for suffix in ("", "-wal", "-shm")}
