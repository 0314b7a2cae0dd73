"""Requests/s and latency over real HTTP: our app against a bare Starlette app.

    .venv/bin/python benchmarks/http_bench.py            # both engines, ~2 minutes
    .venv/bin/python benchmarks/http_bench.py --engines sqlite --scenarios block
    .venv/bin/python benchmarks/http_bench.py --engines sqlite --scenarios answer \
        --profile /tmp/prof --duration 8                 # our app under pyinstrument

(Not `benchmarks/http.py`: run as a script, that name would shadow the standard
library's `http` package for every script in this folder, httpx and uvicorn included.)

Each server is one uvicorn worker in a subprocess on loopback, started with
DATABASE_URL, SECRET_KEY and PUBLIC_BASE_URL; the client runs in this process: N
concurrent tasks (--concurrency, 20), each with its own keep-alive connection, for a
warm-up (--warmup, 2 s) then a timed window (--duration, 10 s), after which they stop.
The default client is a minimal HTTP/1.1 one on asyncio streams: httpx.AsyncClient
(--client httpx) costs 1-2 ms of CPU a request, and on 2 cores it, not the bare
server, was the bottleneck.

Scenarios:

- answer: the one-click answer as a browser makes it, `GET /s/{token}/{score}` then
  `POST` of the same URL with `Accept: application/json`; the pair is one operation.
  Every operation uses a fresh invitation (created with the models and signed with
  `Links.survey_token` before timing, --invitations per app), so each one really
  inserts a click and a response, and the per-invitation rate limit never bites.
- block: `GET /w/{shop}/products/{sku}/reviews` of a product with 1,000 published
  reviews (page 1, 20 reviews), without If-None-Match, so every request renders.

Apps: "ours" is `feedback-service serve`; "bare" is `benchmarks/bare_app.py` (plain
Starlette + aiosqlite/asyncpg, the minimum of the same work on the same tables).
Engines: SQLite (a fresh file in a temporary folder) and PostgreSQL (database
`bench_http` at 127.0.0.1:5432, dropped and created on each run), both migrated by
`feedback_service.db.migrate`. Each engine runs in its own process (Tortoise keeps
per-dialect state in the models).

Columns: ops/s (answers/s for "answer", each two HTTP requests), p50/p99 of an operation
in ms, srv% = CPU of the server process over the window (100 = one core), cli% = the
client's, host% = the whole machine's (2 cores = 100), errors = non-2xx or failures,
ours/bare = the ratio of ops/s (goal: at least 0.9).

--workers N runs our app as `feedback-service serve --workers N` (the bare app stays at one
worker; srv% then sums the workers); --repeat N runs everything N times and adds a table of
the medians (the machine may be shared: single runs are noisy); --no-block-cache runs our
app with BLOCK_CACHE_MB=0, so every block is rendered as the bare app does;
--pg-database NAME picks the PostgreSQL database to drop and create (default bench_http);
--reconnect N makes each client open a new connection every N requests (with keep-alive
connections opened at once, one uvicorn worker tends to accept them all).

--profile DIR runs only our app, under pyinstrument, and saves
DIR/ours-<engine>-<scenarios>.pyisession when it stops; read it with
`.venv/bin/python -m pyinstrument --load FILE -r text` (or -r html). Its figures carry
the profiler's overhead.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import asyncpg
import httpx

from feedback_service.db import close_db, init_db, migrate
from feedback_service.links import Links
from feedback_service.orders.models import Customer, Product
from feedback_service.reviews.models import Review
from feedback_service.reviews.services import refresh_product_rating
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.surveys.models import Click, Invitation
from feedback_service.surveys.models import Response as SurveyResponse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET_KEY = "bench-http-secret-key-not-for-production"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/{}"
SHOP, SKU = "bench", "P1"
BLOCK_PATH = f"/w/{SHOP}/products/{SKU}/reviews"
NPS_KEYS = [str(n) for n in range(11)]
BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) bench",
    "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8",
}
JSON = {"Accept": "application/json"}
CLOCK_TICK = os.sysconf("SC_CLK_TCK")
APPS = ("ours", "bare")
ENGINES = ("sqlite", "postgres")
SCENARIOS = ("answer", "block")
STAGGER = 0.05  # seconds between two clients' first requests, within the warm-up


Operation = Callable[[], Awaitable[bool]]


class Exhausted(Exception):
    """No fresh invitation left for the answer scenario."""


# --- database ----------------------------------------------------------------------------


async def fresh_database(engine: str, workdir: Path, pg_database: str) -> str:
    if engine == "sqlite":
        return f"sqlite://{workdir / 'bench_http.sqlite3'}"
    if pg_database in ("test", "postgres") or not pg_database.replace("_", "").isalnum():
        raise SystemExit(f"refusing to drop the database {pg_database!r}")
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{pg_database}"')
    finally:
        await conn.close()
    return PG_URL.format(pg_database)


async def seed(url: str, invitations: int) -> dict[str, list[tuple[str, str]]]:
    """The shop, 1,000 published reviews on one product, and fresh invitations per app."""
    shop = await Shop.create(slug=SHOP, name="Bench", locale="fr")
    product = await Product.create(
        shop=shop,
        sku=SKU,
        name="Bouilloire",
        url="https://shop.example/p1",
        image_url="https://shop.example/p1.jpg",
        brand="Acme",
        gtin="3700000000017",
    )
    start = datetime(2025, 1, 1, tzinfo=UTC)
    await Review.bulk_create(
        [
            Review(
                shop=shop,
                product=product,
                rating=1 + n % 5,
                title=f"Avis numéro {n}",
                body="Très bon produit, livraison rapide. " * 8,
                author_name=f"Client {n}",
                language="fr" if n % 3 else "en",
                status="published",
                verified=n % 2 == 0,
                source="bench",
                source_id=str(n),
                submitted_at=start + timedelta(hours=n),
                published_at=start + timedelta(hours=n),
                experienced_at=start,
                answers=[["Taille", "Juste"]],
                helpful_count=n % 7,
            )
            for n in range(1000)
        ],
        batch_size=500,
    )
    await refresh_product_rating(product.id)
    customer = await Customer.create(shop=shop, email="customer@example.com", name="Client")
    await Invitation.bulk_create(
        [
            Invitation(shop=shop, kind="nps", customer=customer, locale="fr")
            for _ in range(invitations * len(APPS))
        ],
        batch_size=1000,
    )
    rows = await Invitation.filter(shop=shop).order_by("id").values("id")
    ids: list[int] = [row["id"] for row in rows]
    links = Links(Settings(database_url=url, secret_key=SECRET_KEY))
    tokens = [(links.survey_token(i, shop.id), NPS_KEYS[i % 11]) for i in ids]
    return {app: tokens[n * invitations : (n + 1) * invitations] for n, app in enumerate(APPS)}


async def stored_answers() -> tuple[int, int]:
    return await Click.all().count(), await SurveyResponse.all().count()


# --- client connections ------------------------------------------------------------------


class Connection(Protocol):
    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]: ...

    async def close(self) -> None: ...


class RawConnection:
    """One keep-alive HTTP/1.1 connection over asyncio streams, just enough for these
    requests (Content-Length or chunked bodies): a few tens of microseconds a request,
    where httpx spends a millisecond or two and would be the bottleneck on 2 cores."""

    def __init__(self, port: int, reconnect: int = 0) -> None:
        self.port = port
        self.reconnect = reconnect  # close after this many requests (0: never)
        self.sent = 0
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        if self.reconnect and self.sent >= self.reconnect:
            await self.close()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            self.sent = 0
        self.sent += 1
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{k}: {v}" for k, v in {**BROWSER_HEADERS, **(headers or {})}.items()]
        if method == "POST":
            lines.append("Content-Length: 0")
        try:
            self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
            head = await self.reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            fields = {}
            for line in header_lines:
                if line:
                    name, _, value = line.partition(":")
                    fields[name.strip().lower()] = value.strip()
            if method == "HEAD":  # the length of the body a GET would have, and no body
                body = b""
            elif fields.get("transfer-encoding", "").lower() == "chunked":
                body = await self._chunked()
            else:
                body = await self.reader.readexactly(int(fields.get("content-length", "0")))
            if fields.get("connection", "").lower() == "close":
                await self.close()
            return int(status_line.split(" ", 2)[1]), body
        except BaseException:
            await self.close()
            raise

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await self.reader.readexactly(size + 2))
        await self.reader.readuntil(b"\r\n")
        return b"".join(part[:-2] for part in parts)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


class HttpxConnection:
    """The same over one shared httpx.AsyncClient (--client httpx)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        answer = await self.client.request(method, path, headers=headers)
        return answer.status_code, answer.content

    async def close(self) -> None:
        pass


CONNECTION_ERRORS = (
    OSError,
    ValueError,
    asyncio.IncompleteReadError,
    asyncio.LimitOverrunError,
    httpx.HTTPError,
)


# --- servers -----------------------------------------------------------------------------


@dataclass
class Server:
    argv: list[str]
    env: dict[str, str]
    log: Path
    process: asyncio.subprocess.Process | None = None

    async def start(self, port: int, workdir: Path) -> None:
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv, env=self.env, cwd=workdir, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                break
            probe = RawConnection(port)
            try:
                if (await probe.request("GET", "/healthz"))[0] == 200:
                    return
            except CONNECTION_ERRORS:
                pass
            finally:
                await probe.close()
            await asyncio.sleep(0.1)
        await self.stop()
        tail = self.log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"server {self.argv} did not start:\n{tail}")

    def cpu_seconds(self) -> float:
        """User + system CPU of the server and its live children (uvicorn's workers)."""
        assert self.process is not None
        parents: dict[int, int] = {}
        ticks: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid = int(stat.parent.name)
            parents[pid] = int(fields[1])
            ticks[pid] = int(fields[11]) + int(fields[12])
        tree, total = {self.process.pid}, 0
        for pid in sorted(parents):
            if pid in tree or parents[pid] in tree:
                tree.add(pid)
        for pid in tree:
            total += ticks.get(pid, 0)
        return total / CLOCK_TICK

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(self.process.wait(), 60)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def server_for(
    app: str, url: str, port: int, logdir: Path, profile: Path | None, args: argparse.Namespace
) -> Server:
    """`profile`: the pyinstrument session file our app writes when it stops."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    if args.no_block_cache and app == "ours":
        env["BLOCK_CACHE_MB"] = "0"
    where = ["--host", "127.0.0.1", "--port", str(port)]
    if app == "bare":
        argv = [
            sys.executable,
            *("-m", "uvicorn", "benchmarks.bare_app:app", "--app-dir", str(ROOT), *where),
            *("--proxy-headers", "--no-server-header", "--no-access-log"),
        ]
    elif profile is not None:
        argv = [
            sys.executable,
            *("-m", "pyinstrument", "--interval", "0.0005", "-r", "pyisession"),
            *("-o", str(profile), "-m", "feedback_service.cli", "serve", *where),
        ]
    else:
        argv = [str(BIN / "feedback-service"), "serve", *where, "--workers", str(args.workers)]
    return Server(argv, env, logdir / f"{app}-{port}.log")


# --- load --------------------------------------------------------------------------------


def host_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


@dataclass
class Result:
    engine: str
    scenario: str
    app: str
    ops: int
    seconds: float
    p50: float
    p99: float
    errors: int
    server_cpu: float
    client_cpu: float
    host_cpu: float
    exhausted: bool

    @property
    def rate(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0


def percentile(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run_load(
    make_op: Callable[[Connection], Operation],
    connect: Callable[[], Connection],
    server: Server,
    *,
    concurrency: int,
    warmup: float,
    duration: float,
) -> tuple[list[float], int, float, float, float, float, bool]:
    """Latencies (ms) of the operations that started and ended inside the timed window."""
    started = time.perf_counter()
    window_start = started + warmup
    window_end = window_start + duration
    latencies: list[float] = []
    errors = 0
    exhausted = False
    last_end = window_start
    marks: dict[str, float] = {}

    async def worker(index: int) -> None:
        nonlocal errors, exhausted, last_end
        # Staggered first connections, so that with several uvicorn workers each gets some
        # (one worker accepts every connection pending when it wakes up).
        await asyncio.sleep(index * STAGGER)
        connection = connect()
        op = make_op(connection)
        try:
            while not exhausted:
                begin = time.perf_counter()
                if begin >= window_end:
                    return
                try:
                    ok = await op()
                except Exhausted:
                    exhausted = True
                    return
                except CONNECTION_ERRORS:
                    ok = False
                end = time.perf_counter()
                if begin >= window_start and end <= window_end:
                    if ok:
                        latencies.append((end - begin) * 1000)
                        last_end = max(last_end, end)
                    else:
                        errors += 1
        finally:
            await connection.close()

    async def sample_start() -> None:
        await asyncio.sleep(max(0.0, window_start - time.perf_counter()))
        marks["server"] = server.cpu_seconds()
        marks["client"] = time.process_time()
        marks["busy"], marks["total"] = host_busy()

    sampler = asyncio.create_task(sample_start())
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    await sampler
    seconds = (last_end if exhausted else window_end) - window_start
    busy, total = host_busy()
    elapsed = max(time.perf_counter() - window_start, 1e-9)
    server_cpu = (server.cpu_seconds() - marks["server"]) / elapsed * 100
    client_cpu = (time.process_time() - marks["client"]) / elapsed * 100
    host_cpu = (busy - marks["busy"]) / max(total - marks["total"], 1) * 100
    return latencies, errors, seconds, server_cpu, client_cpu, host_cpu, exhausted


def answer_op(tokens: Iterator[tuple[str, str]]) -> Callable[[Connection], Operation]:
    """GET of a score link, then the page's POST; tokens are shared by every worker."""

    def make(connection: Connection) -> Operation:
        async def op() -> bool:
            try:
                token, key = next(tokens)
            except StopIteration:
                raise Exhausted from None
            path = f"/s/{token}/{key}"
            status, page = await connection.request("GET", path)
            if status != 200 or b"confirm-form" not in page:
                return False
            status, body = await connection.request("POST", path, JSON)
            return status == 200 and json.loads(body).get("status") == "confirmed"

        return op

    return make


def block_op(connection: Connection) -> Operation:
    async def op() -> bool:
        status, body = await connection.request("GET", BLOCK_PATH)
        return status == 200 and b"schema.org/Review" in body

    return op


# --- the run -----------------------------------------------------------------------------


async def bench_app(
    engine: str,
    app: str,
    server: Server,
    tokens: list[tuple[str, str]],
    args: argparse.Namespace,
    port: int,
) -> list[Result]:
    results = []
    async with contextlib.AsyncExitStack() as stack:
        if args.client == "httpx":
            limits = httpx.Limits(
                max_connections=args.concurrency, max_keepalive_connections=args.concurrency
            )
            client = await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{port}",
                    limits=limits,
                    timeout=30,
                    headers=BROWSER_HEADERS,
                )
            )

            def connect() -> Connection:
                return HttpxConnection(client)
        else:

            def connect() -> Connection:
                return RawConnection(port, args.reconnect)

        for scenario in args.scenarios:
            before = await stored_answers()
            make_op = answer_op(iter(tokens)) if scenario == "answer" else block_op
            latencies, errors, seconds, srv, cli, host, exhausted = await run_load(
                make_op,
                connect,
                server,
                concurrency=args.concurrency,
                warmup=args.warmup,
                duration=args.duration,
            )
            result = Result(
                engine, scenario, app, len(latencies), seconds,
                percentile(latencies, 0.5), percentile(latencies, 0.99),
                errors, srv, cli, host, exhausted,
            )  # fmt: skip
            results.append(result)
            clicks, responses = await stored_answers()
            print(
                f"  {engine:<8} {scenario:<6} {app:<4} {result.rate:8.1f} ops/s"
                f"  p50 {result.p50:7.2f} ms  p99 {result.p99:7.2f} ms"
                f"  errors {errors}  (stored, warm-up included: +{clicks - before[0]} clicks,"
                f" +{responses - before[1]} responses)",
                flush=True,
            )
            if exhausted:
                print("  ! ran out of invitations: raise --invitations", flush=True)
    return results


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def bench_engine(engine: str, args: argparse.Namespace, workdir: Path) -> list[Result]:
    url = await fresh_database(engine, workdir, args.pg_database)
    await migrate(url)
    await init_db(url)
    apps = ["ours"] if args.profile else [a for a in APPS if a in args.apps]
    results: list[Result] = []
    try:
        tokens = await seed(url, args.invitations)
        for app in apps:
            session = None
            if args.profile:
                session = args.profile / f"ours-{engine}-{'+'.join(args.scenarios)}.pyisession"
            port = args.port + APPS.index(app) if args.port else free_port()
            server = server_for(app, url, port, workdir, session, args)
            await server.start(port, workdir)
            try:
                results += await bench_app(engine, app, server, tokens[app], args, port)
            finally:
                await server.stop()
    finally:
        await close_db()
    return results


def ratios_of(results: list[Result]) -> dict[tuple[str, str], float]:
    """ours/bare per engine and scenario."""
    rates = {(r.engine, r.scenario, r.app): r.rate for r in results}
    return {
        (engine, scenario): rate / rates[(engine, scenario, "bare")]
        for (engine, scenario, app), rate in rates.items()
        if app == "ours" and rates.get((engine, scenario, "bare"))
    }


def print_table(
    results: list[Result],
    args: argparse.Namespace,
    title: str = "",
    ratios: dict[tuple[str, str], float] | None = None,
) -> None:
    """`ratios`: ours/bare to show instead of the ratio of the rows' rates."""
    ratios = ratios if ratios is not None else ratios_of(results)
    workers = f"ours {args.workers} uvicorn workers, bare 1" if args.workers > 1 else "one"
    print()
    print(
        f"{title}{args.concurrency} concurrent clients, {args.warmup:g} s warm-up +"
        f" {args.duration:g} s timed, {workers} uvicorn worker each; answer = GET + POST"
        " (ops/s = answers/s)"
    )
    header = (
        f"{'engine':<10} {'scenario':<8} {'app':<5} {'ops/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'srv%':>5} {'cli%':>5} {'host%':>5} {'errors':>6} {'ours/bare':>9}"
    )
    print(header)
    print("-" * len(header))
    order = {name: n for n, name in enumerate((*ENGINES, *SCENARIOS, *APPS))}
    for r in sorted(results, key=lambda r: (order[r.engine], order[r.scenario], order[r.app])):
        ratio = ""
        if r.app == "ours" and (r.engine, r.scenario) in ratios:
            ratio = f"{ratios[(r.engine, r.scenario)]:.2f}x"
        print(
            f"{r.engine:<10} {r.scenario:<8} {r.app:<5} {r.rate:>8.1f}"
            f" {r.p50:>8.2f} {r.p99:>8.2f}"
            f" {r.server_cpu:>5.0f} {r.client_cpu:>5.0f} {r.host_cpu:>5.0f} {r.errors:>6}"
            f" {ratio:>9}"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--apps", nargs="+", default=list(APPS), choices=APPS)
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=SCENARIOS)
    parser.add_argument("--duration", type=float, default=10.0, help="timed seconds")
    parser.add_argument("--warmup", type=float, default=2.0, help="untimed seconds first")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--invitations", type=int, default=20000, help="fresh invitations per app")
    parser.add_argument("--port", type=int, default=0, help="first port (default: free ones)")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw")
    parser.add_argument("--profile", type=Path, help="profile our app; reports go here")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of our app")
    parser.add_argument("--repeat", type=int, default=1, help="runs; adds a table of medians")
    parser.add_argument("--no-block-cache", action="store_true", help="BLOCK_CACHE_MB=0 (ours)")
    parser.add_argument("--pg-database", default="bench_http", help="dropped and created")
    parser.add_argument(
        "--reconnect", type=int, default=0, help="new connection every N requests (0: never)"
    )
    parser.add_argument("--results", type=Path, help=argparse.SUPPRESS)  # one engine's, as JSON
    args = parser.parse_args()
    if args.profile:
        args.profile = args.profile.resolve()
        args.profile.mkdir(parents=True, exist_ok=True)
    return args


async def engine_in_child(engine: str, args: argparse.Namespace, workdir: Path) -> list[Result]:
    """Tortoise keeps per-dialect state in the models: one process per engine."""
    out = workdir / f"results-{engine}.json"
    argv = [sys.executable, str(Path(__file__).resolve()), "--engines", engine]
    argv += ["--apps", *args.apps, "--scenarios", *args.scenarios]
    argv += ["--duration", str(args.duration), "--warmup", str(args.warmup)]
    argv += ["--concurrency", str(args.concurrency), "--invitations", str(args.invitations)]
    argv += ["--port", str(args.port), "--client", args.client]
    argv += ["--workers", str(args.workers), "--pg-database", args.pg_database]
    argv += ["--reconnect", str(args.reconnect)]
    if args.no_block_cache:
        argv.append("--no-block-cache")
    argv += ["--results", str(out)]
    if args.profile:
        argv += ["--profile", str(args.profile)]
    child = await asyncio.create_subprocess_exec(*argv, cwd=ROOT)
    if await child.wait() != 0:
        raise SystemExit(f"the {engine} run failed")
    return [Result(**row) for row in json.loads(out.read_text())]


def median_results(runs: list[list[Result]]) -> list[Result]:
    """Per engine, scenario and app: the median of each column over the runs."""
    groups: dict[tuple[str, str, str], list[Result]] = {}
    for run in runs:
        for r in run:
            groups.setdefault((r.engine, r.scenario, r.app), []).append(r)
    medians = []
    for (engine, scenario, app), rows in groups.items():

        def mid(values: list[float]) -> float:
            return statistics.median(values)

        medians.append(
            Result(
                engine, scenario, app,
                ops=round(mid([r.rate for r in rows]) * 1000), seconds=1000.0,
                p50=mid([r.p50 for r in rows]), p99=mid([r.p99 for r in rows]),
                errors=sum(r.errors for r in rows), server_cpu=mid([r.server_cpu for r in rows]),
                client_cpu=mid([r.client_cpu for r in rows]),
                host_cpu=mid([r.host_cpu for r in rows]),
                exhausted=any(r.exhausted for r in rows),
            )
        )  # fmt: skip
    return medians


async def main() -> None:
    args = parse_args()
    runs: list[list[Result]] = []
    for _ in range(args.repeat):
        results: list[Result] = []
        with tempfile.TemporaryDirectory(prefix="bench_http_") as tmp:
            if len(args.engines) > 1 or args.repeat > 1:
                for engine in args.engines:
                    results += await engine_in_child(engine, args, Path(tmp))
            else:
                engine = args.engines[0]
                print(f"{engine}: seeding, then {', '.join(args.scenarios)}", flush=True)
                results = await bench_engine(engine, args, Path(tmp))
        runs.append(results)
        if args.results:
            args.results.write_text(json.dumps([asdict(r) for r in results]))
        else:
            print_table(results, args, f"run {len(runs)} of {args.repeat}: ")
    if args.repeat > 1:
        per_run = [ratios_of(run) for run in runs]
        ratios = {key: statistics.median(r[key] for r in per_run if key in r) for key in per_run[0]}
        title = f"MEDIANS of {args.repeat} runs (ours/bare: the median of each run's ratio): "
        print_table(median_results(runs), args, title, ratios)


def run() -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main())


if __name__ == "__main__":
    run()
