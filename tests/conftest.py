"""What the tests need, all real: a SQLite file or the PostgreSQL of TEST_DATABASE_URL,
the app over ASGI, a uvicorn server in a subprocess and Debian's Chromium for browser tests."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from peers import SmtpSink, WebhookReceiver, free_port
from state_columns import unknown_states
from tortoise import Tortoise, connections

from feedback_service import ratelimit
from feedback_service.app import create_app
from feedback_service.db import APP_LABEL, close_db, init_db, migrate
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_shop

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
SECRET = "test-secret-key-not-for-production"
CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives Chromium, through the `browser` fixture or the `page` built on
    it, is marked `browser` (`-m "not browser"` leaves them out)."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def server_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite://{tmp_path_factory.mktemp('db')}/test.sqlite3"


async def _reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def database(database_url: str) -> AsyncIterator[str]:
    if database_url.startswith("postgres"):
        await _reset_postgres(database_url)
    await migrate(database_url)
    await init_db(database_url)
    yield database_url
    await close_db()


def _table_names() -> list[str]:
    return [model._meta.db_table for model in Tortoise.apps[APP_LABEL].values()]


@pytest.fixture
def table_names(database: str) -> list[str]:
    """The tables of every model of the app."""
    return _table_names()


async def truncate_all() -> None:
    conn = connections.get("default")
    tables = _table_names()
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )
    else:
        await conn.execute_script(
            "PRAGMA foreign_keys=OFF;"
            + "".join(f'DELETE FROM "{t}";' for t in tables)
            + "PRAGMA foreign_keys=ON;"
        )


@pytest.fixture
async def db(database: str) -> AsyncIterator[str]:
    """Clean tables and rate limits for each test; after it, every kind and state it stored
    is a member of its StrEnum."""
    await truncate_all()
    await ratelimit.reset()
    yield database
    unknown = await unknown_states()
    assert not unknown, f"stored values no StrEnum lists (tests/state_columns.py): {unknown}"


@pytest.fixture(scope="session")
def settings(
    database_url: str, server_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return Settings(
        database_url=database_url,
        public_base_url=f"http://127.0.0.1:{server_port}",
        secret_key=SECRET,
        data_dir=tmp_path_factory.mktemp("data"),
        webhook_allow_private=True,
    )


@pytest.fixture(scope="session")
def app(settings: Settings):  # type: ignore[no-untyped-def]
    return create_app(settings, manage_db=False)


@pytest.fixture
async def client(app, settings: Settings, db: str) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
        yield client


@pytest.fixture
async def shop_and_key(db: str) -> tuple[Shop, str]:
    return await create_shop("Boutique Test", "test-shop", locale="fr")


@pytest.fixture
async def api(client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]) -> httpx.AsyncClient:
    client.headers["Authorization"] = f"Bearer {shop_and_key[1]}"
    return client


def _start_server(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    """The real app under uvicorn in its own process on `port`, on the test database;
    returns once it answers."""
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "PUBLIC_BASE_URL": settings.base_url,
        "SECRET_KEY": SECRET,
        "DATA_DIR": str(settings.data_dir),
        "WEBHOOK_ALLOW_PRIVATE": "true",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "feedback_service.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(
        f"the server did not start: {process.stderr.read().decode() if process.stderr else ''}"
    )


@pytest.fixture
def start_server() -> Iterator[Callable[[Settings, int], subprocess.Popen[bytes]]]:
    """Starts more servers of the app, each with its own settings and port (see
    `_start_server`); any still running at the end of the test is stopped."""
    started: list[subprocess.Popen[bytes]] = []

    def start(settings: Settings, port: int) -> subprocess.Popen[bytes]:
        started.append(_start_server(settings, port))
        return started[-1]

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="session")
def live_server(database: str, settings: Settings, server_port: int) -> Iterator[str]:
    """The real app under uvicorn in its own process, on the test database."""
    process = _start_server(settings, server_port)
    yield settings.base_url
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="session")
async def browser():  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser, live_server: str, db: str):  # type: ignore[no-untyped-def]
    context = await browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = await context.new_page()
    yield page
    await context.close()


# --- real peers on loopback (tests/peers.py) -------------------------------------------------


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Route

    sink = WebhookReceiver()
    app = Starlette(routes=[Route("/hook", sink.hook, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=sink.port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield sink
    server.should_exit = True
    await task


@pytest.fixture(scope="session")
def run_cli(settings: Settings) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`run_cli("feed", "test-shop")`: `feedback-service feed test-shop` in its own process,
    on the test database."""

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "SECRET_KEY": SECRET,
            "PUBLIC_BASE_URL": settings.base_url,
            "COLUMNS": "200",
        }
        return subprocess.run(
            [sys.executable, "-m", "feedback_service.cli", *args],
            input=stdin,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every SQL statement the app sends, as it sends it: through Tortoise's client, and
    on PostgreSQL through the asyncpg pool that db.fetch and db.execute use outside a
    transaction."""
    seen: list[str] = []
    client_class = type(connections.get("default"))
    for name in ("execute_query", "execute_query_dict"):
        original = getattr(client_class, name)

        def counting(self: Any, query: str, *args: Any, _original: Any = original) -> Any:
            seen.append(query)
            return _original(self, query, *args)

        monkeypatch.setattr(client_class, name, counting)
    if connections.get("default").capabilities.dialect == "postgres":
        import asyncpg

        for name in ("fetch", "execute"):
            original = getattr(asyncpg.Pool, name)

            def pooled(
                self: Any, query: str, *args: Any, _original: Any = original, **options: Any
            ) -> Any:
                seen.append(query)
                return _original(self, query, *args, **options)

            monkeypatch.setattr(asyncpg.Pool, name, pooled)
    yield seen
