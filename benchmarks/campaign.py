"""A survey sent to a whole customer base, over real HTTP and SMTP, on either engine.

    .venv/bin/python benchmarks/campaign.py send --invitations 100000 --workers 1 2
    .venv/bin/python benchmarks/campaign.py storm --invitations 20000
    .venv/bin/python benchmarks/campaign.py repeats
    .venv/bin/python benchmarks/campaign.py send --engines postgres --web 2 --workers 2 \
        --storm 20000 --answer-all                          # the whole campaign, end to end
    .venv/bin/python benchmarks/campaign.py repeats --code /old/checkout .   # old vs new
    .venv/bin/python benchmarks/campaign.py disk --invitations 100000

send: the invitations are created through `POST /api/v1/invitations/batch` (1,000 an
request, --api-clients at a time), then W queue workers (`feedback-service worker`, for each
W of --workers) send their emails to a real SMTP server (aiosmtpd, in its own process, which
counts the messages, the connections they came over and any Message-ID seen twice). Each
second: the emails still pending in the outbox, the messages received and each worker's
resident memory. Meanwhile people answer (the one-click GET + POST, each on an invitation of
the campaign, --probe-rate a second over --probe-clients connections); their p50/p99 is
given before the workers start (idle) and while they send. --storm N: mail scanners fetch
the links of the first N emails as they arrive (see storm). --answer-all: afterwards, every
invitation is answered at 20 clients (answers/s with a full outbox, and the disk they take).

storm: the links of --invitations invitations are fetched by mail scanners: for each, a HEAD
then a GET of each of the 11 NPS links at once, from --scanner-addresses addresses each
scanning --bursts invitations at a time; the scanners of --js-addresses of them also run the
page's script (its confirm, 0.7 s later), as sandboxes do. One invitation in
1/--people-share has a person behind it, who opens the email 12 s after its scan (after the
10 s burst window) and answers one score; one person in --impatient-every answers 2 s after
the scan instead, inside the window. Checked at the end: every person's answer confirmed with
their score (none lost), no answer on an invitation only scanners opened (none made by
scanners), and the click rows stored.

repeats: 20 clients (--concurrency), each its own address: first answers (GET + POST on a
fresh invitation), then changes (the same invitations answered again with another score,
within the 30 minutes that allow it; alternating two scores) and repeats (the score already
recorded, clicked again): clicks/s (one click = GET + POST) and p50/p99, each phase for
--warmup then --duration seconds, as `benchmarks/http_bench.py` times them.

Every run: the app (`feedback-service serve --workers --web`) and the queue workers are
subprocesses on loopback, started with PYTHONPATH set to each --code folder in turn (default:
this checkout), so that old and new code run in the same run on the same rows: the database
is seeded once per engine and restored before each run. SQLite in a temporary folder;
PostgreSQL in --pg-database (dropped and created, with a `_seed` copy as template). Each
engine runs in its own process (Tortoise keeps per-dialect state in the models). The disk a
run leaves is given per table (bytes per row).

disk: --invitations invitations (seeded) answered over HTTP at 20 clients: the rows and
bytes of each table (with its indexes) after, from which the disk a million answers takes.

The webhook fan-out is `benchmarks/outbox.py`; the metrics on 5 M answers
`benchmarks/metrics.py --scale 5`.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import itertools
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from tortoise import connections

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_bench  # noqa: E402
from http_bench import JSON, NPS_KEYS, RawConnection, Server, free_port, percentile  # noqa: E402

from feedback_service.db import close_db, init_db, migrate  # noqa: E402
from feedback_service.links import Links  # noqa: E402
from feedback_service.orders.models import Customer  # noqa: E402
from feedback_service.settings import Settings  # noqa: E402
from feedback_service.shops.services import create_shop  # noqa: E402
from feedback_service.surveys.models import Invitation  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHOP = "bench"
SCANNER_UA = "Mozilla/5.0 (compatible; link scanner; bench)"
PERSON_DELAY = 12.0  # seconds after the scan: past the 10 s burst window
IMPATIENT_DELAY = 2.0  # inside it
JS_DELAY = 0.7  # the answer page's script confirms after this long
TABLES = ("customer", "invitation", "outbox_message", "click", "response")


# --- the database, seeded once and restored before each run ------------------------------


class Database:
    def __init__(self, engine: str, workdir: Path, pg_database: str) -> None:
        self.engine = engine
        self.workdir = workdir
        self.pg_database = pg_database
        self.url = ""

    async def create(self) -> str:
        self.url = await http_bench.fresh_database(self.engine, self.workdir, self.pg_database)
        await migrate(self.url)
        await init_db(self.url)
        return self.url

    @property
    def path(self) -> Path:
        return Path(self.url.removeprefix("sqlite://"))

    async def save(self) -> None:
        """Keep the seeded rows (Tortoise closed, no server running)."""
        await close_db()
        if self.engine == "sqlite":
            with sqlite3.connect(self.path) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copyfile(self.path, self.path.with_suffix(".seed"))
        else:
            await self._pg(
                f'DROP DATABASE IF EXISTS "{self.pg_database}_seed" WITH (FORCE)',
                f'CREATE DATABASE "{self.pg_database}_seed" TEMPLATE "{self.pg_database}"',
            )

    async def restore(self) -> None:
        await close_db()
        if self.engine == "sqlite":
            for suffix in ("-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            # A new file, not the old one overwritten: SQLite shares its WAL index between
            # the connections of a process by the file's inode, and a connection left open
            # (by the migrations) would keep the old, deleted one for the new connections.
            copy = self.path.with_suffix(".copy")
            shutil.copyfile(self.path.with_suffix(".seed"), copy)
            os.replace(copy, self.path)
        else:
            await self._pg(
                f'DROP DATABASE IF EXISTS "{self.pg_database}" WITH (FORCE)',
                f'CREATE DATABASE "{self.pg_database}" TEMPLATE "{self.pg_database}_seed"',
            )
        await init_db(self.url)

    async def drop_seed(self) -> None:
        if self.engine == "postgres":
            await self._pg(f'DROP DATABASE IF EXISTS "{self.pg_database}_seed" WITH (FORCE)')

    @staticmethod
    async def _pg(*statements: str) -> None:
        conn = await asyncpg.connect(http_bench.PG_ADMIN)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()


async def rows(sql: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = await connections.get("default").execute_query_dict(sql)
    return result


async def value(sql: str) -> int:
    return int(next(iter((await rows(sql))[0].values())) or 0)


async def disk(engine: str) -> dict[str, tuple[int, int]]:
    """Rows and bytes (with its indexes) of the tables a campaign fills, and of everything."""
    if engine == "sqlite":
        await rows("PRAGMA wal_checkpoint(TRUNCATE)")
        sizes = {
            r["tbl_name"]: int(r["bytes"])
            for r in await rows(
                "SELECT m.tbl_name, SUM(s.pgsize) AS bytes FROM dbstat s"
                " JOIN sqlite_master m ON m.name = s.name GROUP BY m.tbl_name"
            )
        }
        total = await value("SELECT SUM(pgsize) FROM dbstat")
    else:
        sizes = {
            r["relname"]: int(r["bytes"])
            for r in await rows(
                "SELECT relname, pg_total_relation_size(c.oid) AS bytes FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'r'"
            )
        }
        total = await value("SELECT pg_database_size(current_database())")
    result = {t: (await value(f'SELECT COUNT(*) FROM "{t}"'), sizes.get(t, 0)) for t in TABLES}
    result["(database)"] = (0, total)
    return result


def print_disk(
    title: str, before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]
) -> None:
    print(f"\n{title}: the tables a campaign fills, with their indexes, at the end")
    print(f"{'table':<16} {'rows':>9} {'added':>9} {'MB':>8} {'bytes/row':>10}")
    for table, (count, size) in after.items():
        per_row = f"{size / count:.0f}" if count else ""
        added = count - before[table][0]
        print(f"{table:<16} {count:>9} {added:>9} {size / 1e6:>8.1f} {per_row:>10}")


# --- seeding -------------------------------------------------------------------------------


async def seed_invitations(url: str, count: int) -> list[tuple[int, str]]:
    """A shop, `count` customers and an NPS invitation each: (id, link token) in id order."""
    shop, _ = await create_shop("Bench", SHOP, locale="fr")
    for start in range(0, count, 10_000):
        size = min(10_000, count - start)
        await Customer.bulk_create(
            [
                Customer(shop=shop, email=f"c{n}@example.fr", name=f"Client {n}", locale="fr")
                for n in range(start, start + size)
            ],
            batch_size=1000,
        )
    customers = await Customer.filter(shop=shop).order_by("id").values_list("id", flat=True)
    for start in range(0, count, 10_000):
        await Invitation.bulk_create(
            [
                Invitation(shop=shop, kind="nps", customer_id=cid, locale="fr")
                for cid in customers[start : start + 10_000]
            ],
            batch_size=1000,
        )
    ids: list[int] = await Invitation.filter(shop=shop).order_by("id").values_list("id", flat=True)  # type: ignore[assignment]
    links = Links(Settings(database_url=url, secret_key=http_bench.SECRET_KEY))
    return [(i, links.survey_token(i, shop.id)) for i in ids]


# --- processes -----------------------------------------------------------------------------


def environment(code: Path, url: str, port: int, workdir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(code),
        "DATABASE_URL": url,
        "SECRET_KEY": http_bench.SECRET_KEY,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "DATA_DIR": str(workdir / "data"),
        **extra,
    }


async def start_web(code: Path, url: str, workdir: Path, web: int) -> tuple[Server, int]:
    port = free_port()
    argv = [sys.executable, "-m", "feedback_service.cli", "serve"]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(web)]
    server = Server(argv, environment(code, url, port, workdir), workdir / f"web-{port}.log")
    await server.start(port, workdir)
    return server, port


async def start_process(
    argv: list[str], env: dict[str, str], log: Path
) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            *argv, env=env, cwd=log.parent, stdout=out, stderr=out
        )


def cpu_seconds(pid: int) -> float:
    """User + system CPU a live process used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / http_bench.CLOCK_TICK


async def stop_process(process: asyncio.subprocess.Process) -> float:
    """SIGTERM, then wait; the CPU seconds it had used."""
    used = cpu_seconds(process.pid)
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 120)
        except TimeoutError:
            process.kill()
            await process.wait()
    return used


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    fields = {}
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:  # it ended
        return 0.0, 0.0
    for line in status.splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(rest.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


class SmtpSink:
    """aiosmtpd in its own process (`campaign.py sink`), which writes what it counted to a
    status file twice a second."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.status_file = workdir / f"smtp-{self.port}.json"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        argv = [sys.executable, __file__, "sink", "--port", str(self.port)]
        argv += ["--status", str(self.status_file)]
        self.process = await start_process(
            argv, dict(os.environ), self.status_file.with_suffix(".log")
        )
        while not self.status_file.exists():
            if self.process.returncode is not None:
                raise RuntimeError("the SMTP sink did not start")
            await asyncio.sleep(0.05)

    def status(self) -> dict[str, Any]:
        return dict(json.loads(self.status_file.read_text()))

    async def stop(self) -> dict[str, Any]:
        assert self.process is not None
        await stop_process(self.process)
        return self.status()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


def run_sink(port: int, status_file: Path) -> None:
    from aiosmtpd.controller import Controller

    message_id = re.compile(rb"^Message-ID: <([^>]+)>", re.MULTILINE)

    class Counting:
        def __init__(self) -> None:
            self.messages = 0
            self.peers: set[tuple[str, int]] = set()
            self.ids: set[bytes] = set()
            self.duplicates = 0
            self.first = self.last = 0.0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            found = message_id.search(envelope.content)
            key = found[1] if found else b""
            self.duplicates += key in self.ids
            self.ids.add(key)
            self.peers.add(session.peer)
            self.messages += 1
            self.last = time.time()
            self.first = self.first or self.last
            return "250 Message accepted"

    handler = Counting()

    def write() -> None:
        data = {
            "messages": handler.messages,
            "connections": len(handler.peers),
            "duplicates": handler.duplicates,
            "first": handler.first,
            "last": handler.last,
        }
        temporary = status_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(data))
        os.replace(temporary, status_file)

    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    write()
    while not stop.wait(0.5):
        write()
    controller.stop()
    write()


# --- clients -------------------------------------------------------------------------------


async def click(
    conn: http_bench.Connection, token: str, key: str, headers: dict[str, str] | None = None
) -> str:
    """A person's click as a browser makes it: the GET of a score link, then the page's POST
    if the page has its confirm form (a page that shows the answer recorded already, or
    locked, has none). The state: the POST's answer ("confirmed", "scanner"...), else
    "confirmed" or "locked" as the page shows it; "GET 500" and the like when a request
    failed."""
    path = f"/s/{token}/{key}"
    method = "GET"
    try:
        status, page = await conn.request(method, path, headers)
        if status == 200 and b'id="confirm-form"' not in page:
            return "confirmed" if b'<p class="status" role="status">' in page else "locked"
        if status == 200:
            method = "POST"
            status, body = await conn.request(method, path, {**(headers or {}), **JSON})
    except http_bench.CONNECTION_ERRORS as exc:
        return f"{method} {exc.__class__.__name__}"
    if status != 200:
        return f"{method} {status}"
    return str(json.loads(body).get("status", ""))


@dataclass
class Timings:
    latencies: list[float] = field(default_factory=list)  # ms
    errors: int = 0

    def add(self, started: float, ok: bool) -> None:
        if ok:
            self.latencies.append((time.perf_counter() - started) * 1000)
        else:
            self.errors += 1

    def __str__(self) -> str:
        if not self.latencies:
            return f"no answer ({self.errors} errors)"
        return (
            f"{len(self.latencies)} answers, p50 {percentile(self.latencies, 0.5):.1f} ms,"
            f" p99 {percentile(self.latencies, 0.99):.1f} ms, {self.errors} errors"
        )


async def answer_probe(
    port: int, tokens: Iterator[int], keys: list[tuple[int, str]], rate: float,
    clients: int, stop: asyncio.Event, timings: Timings,
) -> None:  # fmt: skip
    """People answering at about `rate` answers a second, each on the next invitation of
    `keys` (`tokens` counts them out), until `stop`."""
    period = clients / rate

    async def person(n: int) -> None:
        conn = RawConnection(port)
        headers = {"X-Forwarded-For": f"192.0.2.{n + 1}"}
        await asyncio.sleep(n * period / clients)
        try:
            while not stop.is_set():
                index = next(tokens)
                if index >= len(keys):
                    return
                started = time.perf_counter()
                timings.add(started, await click(conn, keys[index][1], "9", headers) == "confirmed")
                rest = max(0.0, period - (time.perf_counter() - started))
                try:
                    await asyncio.wait_for(stop.wait(), rest)
                except TimeoutError:
                    pass
        finally:
            await conn.close()

    await asyncio.gather(*(person(n) for n in range(clients)))


# --- the scanners' storm -----------------------------------------------------------------


@dataclass
class Storm:
    requests: Counter[str] = field(default_factory=Counter)  # by method, answered 200
    failures: Counter[str] = field(default_factory=Counter)  # by method and status
    scanned: int = 0
    scanner_ms: list[float] = field(default_factory=list)  # each scanner request
    people: Timings = field(default_factory=Timings)
    states: Counter[str] = field(default_factory=Counter)  # what the people were answered
    impatient_states: Counter[str] = field(default_factory=Counter)
    started: float = 0.0
    ended: float = 0.0
    server_cpu: float = 0.0  # CPU seconds the app used while the scanners scanned
    due: list[tuple[float, int]] = field(default_factory=list)  # people's (when, index) heap
    answers: dict[int, str] = field(default_factory=dict)  # index -> key the person chose
    impatient: set[int] = field(default_factory=set)


async def scanner(
    port: int, address: str, js: bool, queue: asyncio.Queue[int | None],
    keys: list[tuple[int, str]], storm: Storm, every: int, impatient_every: int,
) -> None:  # fmt: skip
    """One scanning task of an address: a burst of every link of an invitation at once, each
    link over its own new connection."""
    headers = {"X-Forwarded-For": address, "User-Agent": SCANNER_UA}

    async def fetch(conn: RawConnection, token: str, key: str) -> None:
        path = f"/s/{token}/{key}"
        calls = [("HEAD", headers), ("GET", headers)]
        if js:  # the sandbox runs the page's script: its confirm comes a moment later
            calls.append(("POST", {**headers, **JSON}))
        for method, sent in calls:
            if method == "POST":
                await asyncio.sleep(JS_DELAY)
            started = time.perf_counter()
            try:
                status, _ = await conn.request(method, path, sent)
            except http_bench.CONNECTION_ERRORS as exc:
                storm.failures[f"{method} {exc.__class__.__name__}"] += 1
                continue
            if status != 200:
                storm.failures[f"{method} {status}"] += 1
                continue
            storm.scanner_ms.append((time.perf_counter() - started) * 1000)
            storm.requests[method] += 1

    while (index := await queue.get()) is not None:
        token = keys[index][1]
        conns = [RawConnection(port) for _ in NPS_KEYS]
        try:
            await asyncio.gather(
                *(fetch(c, token, k) for c, k in zip(conns, NPS_KEYS, strict=True))
            )
        finally:
            for conn in conns:
                await conn.close()
        storm.scanned += 1
        if index % every == 0:  # a person will open this email later
            person = index // every
            late = person % impatient_every == impatient_every - 1
            if late:
                storm.impatient.add(index)
            delay = IMPATIENT_DELAY if late else PERSON_DELAY
            storm.answers[index] = NPS_KEYS[person % len(NPS_KEYS)]
            heapq.heappush(storm.due, (time.monotonic() + delay, index))


async def person(
    port: int, n: int, keys: list[tuple[int, str]], storm: Storm, scanned: asyncio.Event
) -> None:
    """Opens the emails of the people whose time came, answers the score they chose (each
    from their own browser: a new connection)."""
    headers = {"X-Forwarded-For": f"198.51.100.{n + 1}"}
    while storm.due or not scanned.is_set():
        if not storm.due or storm.due[0][0] > time.monotonic():
            await asyncio.sleep(0.02)
            continue
        _, index = heapq.heappop(storm.due)
        started = time.perf_counter()
        conn = RawConnection(port)
        try:
            state = await click(conn, keys[index][1], storm.answers[index], headers)
        finally:
            await conn.close()
        if index in storm.impatient:
            storm.impatient_states[state] += 1
        else:
            storm.states[state] += 1
            storm.people.add(started, state == "confirmed")


async def run_storm(
    server: Server,
    port: int,
    keys: list[tuple[int, str]],
    args: argparse.Namespace,
    released: Callable[[], Awaitable[int]] | None = None,
) -> Storm:
    """Scanners over `keys` (as `released` lets them: how many emails arrived), people after."""
    storm = Storm()
    queue: asyncio.Queue[int | None] = asyncio.Queue()
    every = max(1, round(1 / args.people_share))
    scanners = [
        scanner(port, f"203.0.113.{a + 1}", a < args.js_addresses, queue, keys, storm, every,
                args.impatient_every)
        for a in range(args.scanner_addresses)
        for _ in range(args.bursts)
    ]  # fmt: skip
    scanned = asyncio.Event()

    async def feed() -> None:
        queued = 0
        while queued < len(keys):
            ready = len(keys) if released is None else min(len(keys), await released())
            for index in range(queued, ready):
                queue.put_nowait(index)
            queued = ready
            if queued < len(keys):
                await asyncio.sleep(0.5)
        for _ in scanners:
            queue.put_nowait(None)

    async def scan() -> None:
        await asyncio.gather(feed(), *scanners)
        storm.ended = time.perf_counter()
        storm.server_cpu = server.cpu_seconds() - cpu
        scanned.set()

    storm.started = time.perf_counter()
    cpu = server.cpu_seconds()
    await asyncio.gather(
        scan(), *(person(port, n, keys, storm, scanned) for n in range(args.people))
    )
    return storm


async def check_storm(keys: list[tuple[int, str]], storm: Storm) -> dict[str, int]:
    """What the database says: people's answers kept with their score, answers no person made."""
    first, last = keys[0][0], keys[-1][0]
    found = {
        r["invitation_id"]: r["score"]
        for r in await rows(
            "SELECT invitation_id, score FROM response"
            f" WHERE invitation_id BETWEEN {first} AND {last}"
        )
    }
    index_of = {invitation_id: n for n, (invitation_id, _) in enumerate(keys)}
    people = {n: int(key) for n, key in storm.answers.items() if n not in storm.impatient}
    return {
        "people": len(people),
        "kept": sum(found.get(keys[n][0]) == score for n, score in people.items()),
        "lost": sum(keys[n][0] not in found for n in people),
        "wrong score": sum(found.get(keys[n][0], score) != score for n, score in people.items()),
        "impatient kept": sum(keys[n][0] in found for n in storm.impatient),
        "by scanners": sum(index_of[i] not in storm.answers for i in found if i in index_of),
        "clicks": await value(
            f"SELECT COUNT(*) FROM click WHERE invitation_id BETWEEN {first} AND {last}"
        ),
    }


def print_storm(label: str, storm: Storm, checked: dict[str, int]) -> None:
    seconds = max(storm.ended - storm.started, 1e-9)
    print(
        f"{label}: {storm.scanned} invitations scanned in {seconds:.1f} s:"
        f" {storm.requests['GET'] / seconds:.0f} GETs/s + {storm.requests['HEAD'] / seconds:.0f}"
        f" HEADs/s ({storm.requests['POST']} scripted confirms), scanner request p50"
        f" {percentile(storm.scanner_ms, 0.5):.1f} ms p99"
        f" {percentile(storm.scanner_ms, 0.99):.1f} ms,"
        f" failed: {dict(storm.failures) or 0}; the app's CPU"
        f" {storm.server_cpu / seconds:.2f} cores,"
        f" {storm.server_cpu * 1000 / max(sum(storm.requests.values()), 1):.2f} ms a request",
        flush=True,
    )
    print(
        f"  people ({checked['people']}): {storm.people}; answered {dict(storm.states)};"
        f" in the database: {checked['kept']} kept with their score, {checked['lost']} lost,"
        f" {checked['wrong score']} with another score; answers on invitations no person"
        f" opened: {checked['by scanners']}",
        flush=True,
    )
    print(
        f"  impatient people ({len(storm.impatient)}, 2 s after the scan):"
        f" answered {dict(storm.impatient_states)}, {checked['impatient kept']} kept;"
        f" click rows stored: {checked['clicks']}"
        f" ({checked['clicks'] / max(storm.scanned, 1):.1f} per invitation for"
        f" {storm.requests['GET'] / max(storm.scanned, 1):.1f} GETs)",
        flush=True,
    )


# --- send ----------------------------------------------------------------------------------


async def create_invitations(
    port: int, api_key: str, count: int, args: argparse.Namespace
) -> list[tuple[int, str]]:
    """Through the batch API: (id, token) of each invitation made."""
    made: list[tuple[int, str]] = []
    statuses: Counter[str] = Counter()
    waits: list[float] = []
    batches = iter(range(0, count, args.batch))
    started = time.perf_counter()
    limited = 0.0

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal limited
        for start in batches:
            body = {
                "invitations": [
                    {
                        "survey": "nps",
                        "customer": {
                            "email": f"c{n}@example.fr",
                            "name": f"Client {n}",
                            "locale": "fr",
                        },
                    }
                    for n in range(start, min(count, start + args.batch))
                ]
            }
            while True:
                begin = time.perf_counter()
                answer = await http.post("/api/v1/invitations/batch", json=body)
                if answer.status_code != 429:
                    break
                pause = float(answer.headers.get("retry-after", "1"))
                limited += pause
                await asyncio.sleep(pause)
            answer.raise_for_status()
            waits.append(time.perf_counter() - begin)
            for result in answer.json()["results"]:
                statuses[result["status"]] += 1
                if result["status"] == "created":
                    made.append((result["id"], result["token"]))

    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", timeout=600,
        headers={"Authorization": f"Bearer {api_key}"},
    ) as http:  # fmt: skip
        await asyncio.gather(*(client(http) for _ in range(args.api_clients)))
    seconds = time.perf_counter() - started
    print(
        f"{len(made)} invitations made through the batch API in {seconds:.1f} s"
        f" ({len(made) / seconds:.0f}/s, {args.api_clients} clients, {args.batch} a request:"
        f" p50 {percentile(waits, 0.5):.2f} s, slowest {max(waits):.2f} s a request;"
        f" {limited:.0f} s waited on 429; {dict(statuses)})",
        flush=True,
    )
    made.sort()
    return made


async def send_run(
    code: Path,
    workers: int,
    database: Database,
    keys: list[tuple[int, str]],
    args: argparse.Namespace,
) -> None:
    await database.restore()
    workdir = database.workdir
    before = await disk(database.engine)
    emails = await value(
        "SELECT COUNT(*) FROM outbox_message WHERE kind = 'email' AND state = 'pending'"
    )
    server, port = await start_web(code, database.url, workdir, args.web)
    sink = SmtpSink(workdir)
    await sink.start()
    label = f"{database.engine} {code.name or code} {workers} worker{'s' if workers > 1 else ''}"
    # The probe answers the last invitations, the scanners the first ones.
    storm_keys = keys[: args.storm]
    probe_keys = keys[args.storm :][::-1]
    counter = itertools.count()
    procs: list[asyncio.subprocess.Process] = []
    try:
        idle = Timings()
        stop = asyncio.Event()
        probing = asyncio.create_task(
            answer_probe(port, counter, probe_keys, args.probe_rate, args.probe_clients, stop, idle)
        )
        await asyncio.sleep(args.baseline)
        stop.set()
        await probing
        env = environment(code, database.url, port, workdir, SMTP_URL=sink.url)
        argv = [sys.executable, "-m", "feedback_service.cli", "worker"]
        started = time.perf_counter()
        procs = [
            await start_process(argv, env, workdir / f"worker-{n}.log") for n in range(workers)
        ]
        sending = Timings()
        stop = asyncio.Event()
        probing = asyncio.create_task(
            answer_probe(
                port, counter, probe_keys, args.probe_rate, args.probe_clients, stop, sending
            )
        )

        async def released() -> int:
            return int(sink.status()["messages"])

        storming = (
            asyncio.create_task(run_storm(server, port, storm_keys, args, released))
            if storm_keys
            else None
        )
        samples: list[tuple[float, int, int, list[tuple[float, float]]]] = []
        while True:
            pending = await value(
                "SELECT COUNT(*) FROM outbox_message WHERE kind = 'email' AND state = 'pending'"
            )
            received = int(sink.status()["messages"])
            samples.append(
                (
                    time.perf_counter() - started,
                    pending,
                    received,
                    [memory_mb(p.pid) for p in procs],
                )
            )
            ended = [n for n, p in enumerate(procs) if p.returncode is not None]
            if ended:  # it crashed: say why, and measure what was sent until then
                last = (workdir / f"worker-{ended[0]}.log").read_text().strip().splitlines()[-1]
                print(f"\n{label}: a worker stopped after {received} emails: {last}", flush=True)
                break
            if pending == 0 or time.perf_counter() - started > args.timeout:
                break
            await asyncio.sleep(1.0)
        sent_s = time.perf_counter() - started
        stop.set()
        await probing
        scanned = await storming if storming else None
        worker_cpu = sum([await stop_process(proc) for proc in procs])
        assert sink.process is not None
        sink_cpu = cpu_seconds(sink.process.pid)
        status = await sink.stop()
        retried = sum(
            (workdir / f"worker-{n}.log").read_text().count('"step_failed"') for n in range(workers)
        )
        sent = status["messages"] - status["duplicates"]
        rate = sent / max(status["last"] - status["first"], 1e-9)
        peaks = [max(s[3][n][1] for s in samples) for n in range(workers)]
        starts = [samples[0][3][n][0] for n in range(workers)]
        print(f"\n{label}: {sent} of {emails} emails in {sent_s:.1f} s", flush=True)
        print(
            f"  {rate:.0f} emails/s (first to last received), over {status['connections']}"
            f" SMTP connections, {status['duplicates']} sent twice; worker RSS"
            f" {', '.join(f'{a:.0f}→{b:.0f}' for a, b in zip(starts, peaks, strict=True))} MB"
            f" (start→peak); {retried} worker steps failed on the database and were retried",
            flush=True,
        )
        print(
            f"  CPU an email: workers {worker_cpu * 1000 / max(sent, 1):.2f} ms, SMTP server"
            f" {sink_cpu * 1000 / max(sent, 1):.2f} ms",
            flush=True,
        )
        print(f"  one-click answers, idle:    {idle}")
        print(f"  one-click answers, sending: {sending}")
        step = max(1, len(samples) // 10)
        print(f"  {'s':>6} {'pending':>8} {'received':>9}  worker RSS MB")
        for at, pending, received, memory in samples[::step] + samples[-1:]:
            print(
                f"  {at:>6.0f} {pending:>8} {received:>9} "
                f" {' '.join(f'{m[0]:.0f}' for m in memory)}"
            )
        if scanned is not None:
            print_storm("  storm meanwhile", scanned, await check_storm(storm_keys, scanned))
        if args.answer_all:
            await answer_all(port, keys, label)
    finally:
        for proc in procs:
            await stop_process(proc)
        if sink.process is not None and sink.process.returncode is None:
            await sink.stop()
        await server.stop()
    print_disk(label, before, await disk(database.engine))


async def answer_all(port: int, keys: list[tuple[int, str]], label: str) -> None:
    """Every invitation not answered yet, at 20 clients as fast as they go."""
    answered = {r["invitation_id"] for r in await rows("SELECT invitation_id FROM response")}
    todo = iter([token for invitation_id, token in keys if invitation_id not in answered])
    timings = Timings()
    started = time.perf_counter()

    async def client(n: int) -> None:
        conn = RawConnection(port)
        headers = {"X-Forwarded-For": f"192.0.2.{100 + n}"}
        try:
            for token in todo:
                begin = time.perf_counter()
                timings.add(
                    begin, await click(conn, token, NPS_KEYS[n % 11], headers) == "confirmed"
                )
        finally:
            await conn.close()

    await asyncio.gather(*(client(n) for n in range(20)))
    seconds = time.perf_counter() - started
    print(
        f"  then every other invitation answered at 20 clients:"
        f" {len(timings.latencies) / seconds:.0f}/s, {timings}",
        flush=True,
    )


async def send(engine: str, args: argparse.Namespace, workdir: Path) -> None:
    database = Database(engine, workdir, args.pg_database)
    url = await database.create()
    _, api_key = await create_shop("Bench", SHOP, locale="fr")
    server, port = await start_web(args.code[0], url, workdir, args.web)
    try:
        keys = await create_invitations(port, api_key, args.invitations, args)
    finally:
        await server.stop()
    await database.save()
    try:
        for workers in args.workers:
            for code in args.code:
                await send_run(code, workers, database, keys, args)
    finally:
        await close_db()
        await database.drop_seed()


# --- disk ----------------------------------------------------------------------------------


async def disk_per_answer(engine: str, args: argparse.Namespace, workdir: Path) -> None:
    """Invitations (seeded) answered over HTTP: what the answers leave on disk."""
    database = Database(engine, workdir, args.pg_database)
    url = await database.create()
    keys = await seed_invitations(url, args.invitations)
    before = await disk(engine)
    server, port = await start_web(args.code[0], url, workdir, args.web)
    try:
        await answer_all(port, keys, f"{engine} {args.invitations} invitations")
    finally:
        await server.stop()
    try:
        print_disk(f"{engine} {args.invitations} answers", before, await disk(engine))
    finally:
        await close_db()


# --- storm ---------------------------------------------------------------------------------


async def storm(engine: str, args: argparse.Namespace, workdir: Path) -> None:
    database = Database(engine, workdir, args.pg_database)
    url = await database.create()
    keys = await seed_invitations(url, args.invitations)
    await database.save()
    try:
        for code in args.code:
            await database.restore()
            before = await disk(engine)
            server, _port = await start_web(code, url, workdir, args.web)
            try:
                result = await run_storm(server, _port, keys, args)
            finally:
                await server.stop()
            print()
            print_storm(f"{engine} {code}", result, await check_storm(keys, result))
            print_disk(f"{engine} {code} storm", before, await disk(engine))
    finally:
        await close_db()
        await database.drop_seed()


# --- changes and repeats -------------------------------------------------------------------


@dataclass
class Phase:
    code: str
    round: int
    name: str
    rate: float
    p50: float
    p99: float
    errors: int
    server_cpu: float  # % of a core

    @property
    def cpu_ms(self) -> float:
        """The app's CPU per click (steadier than clicks/s on a shared machine)."""
        return self.server_cpu * 10 / self.rate if self.rate else float("nan")


async def repeats(engine: str, args: argparse.Namespace, workdir: Path) -> None:
    database = Database(engine, workdir, args.pg_database)
    url = await database.create()
    slots = len(args.code) * args.rounds
    keys = await seed_invitations(url, args.invitations * slots)
    await database.save()
    results: list[Phase] = []
    try:
        for round_ in range(args.rounds):
            for n, code in enumerate(args.code):
                slot = round_ * len(args.code) + n
                mine = keys[slot * args.invitations : (slot + 1) * args.invitations]
                await database.restore()
                server, port = await start_web(code, url, workdir, args.web)
                try:
                    results += await repeat_phases(code, round_, server, port, mine, args)
                finally:
                    await server.stop()
    finally:
        await close_db()
        await database.drop_seed()
    print(
        f"\n{engine}: {args.concurrency} clients, {args.warmup:g} s warm-up + {args.duration:g} s"
        f" timed per phase; a click = GET + POST (a repeat: the GET only, its page has no"
        " confirm script); CPU = the app's per click; ÷ first: of the same round"
    )
    header = (
        f"{'code':<24} {'round':>5} {'phase':<7} {'clicks/s':>8} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'srv%':>5} {'CPU ms':>6} {'errors':>6} {'÷ first':>7}"
    )
    print(header)
    print("-" * len(header))
    firsts = {(r.code, r.round): r.rate for r in results if r.name == "first"}
    for r in results:
        ratio = r.rate / firsts[(r.code, r.round)] if firsts.get((r.code, r.round)) else 0.0
        print(
            f"{r.code[-24:]:<24} {r.round + 1:>5} {r.name:<7} {r.rate:>8.0f} {r.p50:>7.1f}"
            f" {r.p99:>7.1f} {r.server_cpu:>5.0f} {r.cpu_ms:>6.2f} {r.errors:>6} {ratio:>6.2f}x"
        )


async def repeat_phases(
    code: Path,
    round_: int,
    server: Server,
    port: int,
    keys: list[tuple[int, str]],
    args: argparse.Namespace,
) -> list[Phase]:
    fresh = iter(range(len(keys)))
    recorded: dict[int, str] = {}  # index -> the key recorded
    answered: list[int] = []
    clients = itertools.count()

    def connect() -> http_bench.Connection:
        return RawConnection(port)

    def first(conn: http_bench.Connection) -> http_bench.Operation:
        headers = {"X-Forwarded-For": f"192.0.2.{next(clients) % 250 + 1}"}

        async def op() -> bool:
            index = next(fresh, None)
            if index is None:
                raise http_bench.Exhausted
            key = NPS_KEYS[index % 11]
            ok = await click(conn, keys[index][1], key, headers) == "confirmed"
            if ok:
                recorded[index] = key
                answered.append(index)
            return ok

        return op

    def again(change: bool) -> Callable[[http_bench.Connection], http_bench.Operation]:
        targets = itertools.cycle(list(answered))

        def make(conn: http_bench.Connection) -> http_bench.Operation:
            headers = {"X-Forwarded-For": f"192.0.2.{next(clients) % 250 + 1}"}

            async def op() -> bool:
                index = next(targets)
                key = recorded[index]
                if change:  # between two scores: the first and the one four further
                    first_key = NPS_KEYS[index % 11]
                    key = NPS_KEYS[(index + 4) % 11] if key == first_key else first_key
                ok = await click(conn, keys[index][1], key, headers) == "confirmed"
                if ok:
                    recorded[index] = key
                return ok

            return op

        return make

    phases: list[Phase] = []
    for name in ("first", "change", "repeat"):
        make_op = first if name == "first" else again(name == "change")
        latencies, errors, seconds, srv, _cli, _host, exhausted = await http_bench.run_load(
            make_op,
            connect,
            server,
            concurrency=args.concurrency,
            warmup=args.warmup,
            duration=args.duration,
        )
        rate = len(latencies) / seconds if seconds else 0.0
        p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
        phase = Phase(str(code), round_, name, rate, p50, p99, errors, srv)
        print(
            f"  {code} {name}: {phase.rate:.0f} clicks/s p50 {phase.p50:.1f} ms"
            f" p99 {phase.p99:.1f} ms errors {errors}"
            + (" (ran out of invitations)" if exhausted else ""),
            flush=True,
        )
        phases.append(phase)
    return phases


# --- the command line ----------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--engines", nargs="+", default=list(http_bench.ENGINES), choices=http_bench.ENGINES
    )
    common.add_argument(
        "--code", nargs="+", type=Path, default=[ROOT], help="checkouts to run, in turn"
    )
    common.add_argument("--pg-database", default="bench_campaign", help="dropped and created")
    common.add_argument("--web", type=int, default=1, help="uvicorn workers of the app")
    storm_options = argparse.ArgumentParser(add_help=False)
    storm_options.add_argument("--scanner-addresses", type=int, default=5)
    storm_options.add_argument(
        "--bursts", type=int, default=2, help="invitations each address scans at once"
    )
    storm_options.add_argument(
        "--js-addresses", type=int, default=1, help="addresses that run the page's script"
    )
    storm_options.add_argument(
        "--people-share", type=float, default=0.2, help="invitations a person answers"
    )
    storm_options.add_argument(
        "--impatient-every", type=int, default=20, help="one person in N answers within 2 s"
    )
    storm_options.add_argument("--people", type=int, default=10, help="people's connections")

    send_parser = commands.add_parser(
        "send", parents=[common, storm_options], help="create, send, answer meanwhile"
    )
    send_parser.add_argument("--invitations", type=int, default=100_000)
    send_parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    send_parser.add_argument("--batch", type=int, default=1000, help="invitations a batch request")
    send_parser.add_argument("--api-clients", type=int, default=2)
    send_parser.add_argument(
        "--probe-rate", type=float, default=20.0, help="answers a second meanwhile"
    )
    send_parser.add_argument("--probe-clients", type=int, default=4)
    send_parser.add_argument(
        "--baseline", type=float, default=10.0, help="seconds of answers before sending"
    )
    send_parser.add_argument(
        "--storm", type=int, default=0, help="scan the links of the first N emails"
    )
    send_parser.add_argument(
        "--answer-all", action="store_true", help="then answer every invitation"
    )
    send_parser.add_argument(
        "--timeout", type=float, default=3600.0, help="seconds of sending at most"
    )

    storm_parser = commands.add_parser(
        "storm", parents=[common, storm_options], help="mail scanners and people"
    )
    storm_parser.add_argument("--invitations", type=int, default=20_000)

    repeat_parser = commands.add_parser(
        "repeats", parents=[common], help="first answers, changes, repeats"
    )
    repeat_parser.add_argument(
        "--invitations", type=int, default=20_000, help="fresh ones per code and round"
    )
    repeat_parser.add_argument("--concurrency", type=int, default=20)
    repeat_parser.add_argument("--warmup", type=float, default=2.0)
    repeat_parser.add_argument("--duration", type=float, default=10.0)
    repeat_parser.add_argument(
        "--rounds", type=int, default=1, help="each code this many times, in turn"
    )

    disk_parser = commands.add_parser("disk", parents=[common], help="the disk answers take")
    disk_parser.add_argument("--invitations", type=int, default=100_000)

    sink = commands.add_parser("sink", help="the SMTP server of a send run (started by it)")
    sink.add_argument("--port", type=int, required=True)
    sink.add_argument("--status", type=Path, required=True)
    args = parser.parse_args()
    if args.command != "sink":
        args.code = [code.resolve() for code in args.code]
    return args


async def main(args: argparse.Namespace) -> None:
    engine = args.engines[0]
    run = {"send": send, "storm": storm, "repeats": repeats, "disk": disk_per_answer}[args.command]
    with tempfile.TemporaryDirectory(prefix="bench_campaign_") as workdir:
        (Path(workdir) / "data").mkdir()
        await run(engine, args, Path(workdir))


def run() -> None:
    args = parse_args()
    if args.command == "sink":
        run_sink(args.port, args.status)
        return
    if len(args.engines) > 1:  # one process per engine; the last --engines given wins
        for engine in args.engines:
            subprocess.run(
                [sys.executable, __file__, *sys.argv[1:], "--engines", engine], check=True
            )
        return
    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main(args))


if __name__ == "__main__":
    run()
