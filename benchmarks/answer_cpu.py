"""CPU time per one-click answer (GET + POST), in-process over ASGI: ours vs the bare app.

    .venv/bin/python benchmarks/answer_cpu.py                      # both engines
    .venv/bin/python benchmarks/answer_cpu.py --engines sqlite --answers 5000
    .venv/bin/python benchmarks/answer_cpu.py --concurrency 20     # 20 answers at a time
    mkdir -p /tmp/cg && valgrind --tool=callgrind --callgrind-out-file=/tmp/cg/out \
        --instr-atstart=no .venv/bin/python benchmarks/answer_cpu.py --engines postgres \
        --answers 100 --callgrind /tmp/cg                          # instructions per answer

`benchmarks/http_bench.py` measures requests/s over HTTP, which on a shared 2-core machine
moves with whatever else runs. This measures what our code costs: both apps are called
directly as ASGI apps (no HTTP server, no client), one answer after the other, on the same
freshly seeded database (`http_bench.seed`), and the process's CPU time (this thread and
aiosqlite's; not PostgreSQL's) is divided by the number of answers. Each answer uses a
fresh invitation, so each really inserts a click and a response. PostgreSQL: database
`bench_cpu` (or --pg-database NAME), dropped and created on each run.

Columns: CPU = the process's CPU time per answer, main = the event loop thread's alone (on
SQLite the rest is aiosqlite's thread), wall = elapsed time per answer. With --concurrency N,
N tasks answer side by side, as N clients would: on SQLite that is where the two threads
contend for the GIL (every SQLite step lets go of it and must wait to take it back), which
one answer at a time never shows.

--callgrind DIR, under `valgrind --tool=callgrind --callgrind-out-file=DIR/out`: counts the
instructions of the timed answers only (a dump before and after each timed loop), which is
the same from run to run whatever else the machine does (PostgreSQL's own work is in its
server process, not counted; on SQLite aiosqlite's thread is). With --instr-atstart=no,
callgrind only instruments each app's clicks (switched on before its warm-up, off after its
timed clicks): the seeding and the start-up run several times faster.

--path change: each invitation is answered first (not timed), then the timed click is a
change of score (GET + POST of another score, within the 30 minutes that allow it); --path
repeat: the timed click is the same score again, a GET only as a browser makes it (the page
of an answer already recorded has no confirm script). --cprofile FILE: our app's timed
clicks under cProfile (the event loop's thread only), the 25 costliest functions printed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_bench  # noqa: E402

from feedback_service.app import create_app  # noqa: E402
from feedback_service.db import close_db, init_db, migrate  # noqa: E402
from feedback_service.settings import Settings  # noqa: E402

BASE = "http://127.0.0.1:8000"
WARMUP = 50


def scope(method: str, path: str) -> dict[str, Any]:
    accept = b"application/json" if method == "POST" else b"text/html"
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"user-agent", http_bench.BROWSER_HEADERS["User-Agent"].encode()),
            (b"accept-language", b"fr-FR,fr;q=0.9"),
            (b"accept", accept),
            (b"accept-encoding", b"gzip, deflate, br, zstd"),  # as browsers send it
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def call(app: Any, method: str, path: str) -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope(method, path), receive, send)
    if sent[0]["status"] != 200:
        raise SystemExit(f"{method} {path}: {sent[0]['status']}")


async def answers(
    app: Any, tokens: list[tuple[str, str]], concurrency: int = 1, *, post: bool = True
) -> None:
    """GET + POST of each link (`post=False`: the GET only, as a browser repeats a click
    whose answer is recorded: that page has no confirm script)."""

    async def one_client(share: list[tuple[str, str]]) -> None:
        for token, key in share:
            await call(app, "GET", f"/s/{token}/{key}")
            if post:
                await call(app, "POST", f"/s/{token}/{key}")

    await asyncio.gather(*(one_client(tokens[i::concurrency]) for i in range(concurrency)))


class Callgrind:
    """Instructions counted by callgrind between two dumps (see --callgrind)."""

    def __init__(self, folder: str | None) -> None:
        self.folder = Path(folder) if folder else None

    def dump(self) -> Path | None:
        """Ask callgrind to write what it counted since the last dump; the file it wrote.
        (Read it later: reading it now would be counted with the next interval.)"""
        if self.folder is None:
            return None
        before = set(self.folder.glob("out.*"))
        subprocess.run(["callgrind_control", "-d", str(os.getpid())], check=True, timeout=120)
        (written,) = set(self.folder.glob("out.*")) - before
        return written

    def instrument(self, on: bool) -> None:
        """Switch callgrind's instrumentation on or off (see --instr-atstart=no)."""
        if self.folder is not None:
            state = "on" if on else "off"
            command = ["callgrind_control", "-i", state, str(os.getpid())]
            subprocess.run(command, check=True, timeout=120, capture_output=True)

    @staticmethod
    def count(dump: Path) -> int:
        totals = re.search(r"^totals: (\d+)", dump.read_text(), re.MULTILINE)
        assert totals, dump
        return int(totals[1])


def changed(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The same links with another score (four further)."""
    return [(token, http_bench.NPS_KEYS[(int(key) + 4) % 11]) for token, key in tokens]


async def bench(
    engine: str,
    count: int,
    workdir: Path,
    concurrency: int,
    callgrind: Callgrind,
    pg_database: str = "bench_cpu",
    path: str = "first",
    cprofile: Path | None = None,
) -> None:
    url = await http_bench.fresh_database(engine, workdir, pg_database)
    await migrate(url)
    await init_db(url)
    try:
        tokens = await http_bench.seed(url, 2 * (count + WARMUP))
        os.environ.update(DATABASE_URL=url, SECRET_KEY=http_bench.SECRET_KEY, PUBLIC_BASE_URL=BASE)
        settings = Settings(
            database_url=url, secret_key=http_bench.SECRET_KEY, public_base_url=BASE
        )
        import bare_app  # reads the environment set above

        plain = settings.model_copy(update={"compress_responses": False})
        apps = {
            "ours": create_app(settings, manage_db=False),
            "ours, COMPRESS_RESPONSES=false": create_app(plain, manage_db=False),
            "bare": bare_app.app,
        }
        for name, app in apps.items():
            # Each answer on a fresh invitation: the second of ours takes the other half.
            share = tokens["bare" if name == "bare" else "ours"][: 2 * (count + WARMUP)]
            share = share[count + WARMUP :] if name.startswith("ours,") else share
            async with app.router.lifespan_context(app):
                warm, timed = share[:WARMUP], share[WARMUP : WARMUP + count]
                callgrind.instrument(True)
                if path != "first":  # answered once before, as the clicks to time find them
                    await answers(app, warm + timed, concurrency)
                    if path == "change":
                        warm, timed = changed(warm), changed(timed)
                post = path != "repeat"
                await answers(app, warm, concurrency, post=post)
                profile = cProfile.Profile() if cprofile and name == "ours" else None
                callgrind.dump()
                cpu, main, wall = time.process_time(), time.thread_time(), time.perf_counter()
                if profile is not None:
                    profile.enable()
                await answers(app, timed, concurrency, post=post)
                if profile is not None:
                    profile.disable()
                cpu, main, wall = (
                    time.process_time() - cpu,
                    time.thread_time() - main,
                    time.perf_counter() - wall,
                )
                dump = callgrind.dump()
                callgrind.instrument(False)
            if profile is not None:
                assert cprofile is not None
                profile.dump_stats(cprofile)
                stats = pstats.Stats(profile).sort_stats("tottime")
                stats.print_stats(25)
            counted = ""
            if dump is not None:
                counted = f"  {callgrind.count(dump) / count / 1e6:.3f} M instructions/answer"
            print(
                f"{engine:<8} {name:<31}  CPU {1000 * cpu / count:6.3f}"
                f"  main {1000 * main / count:6.3f}"
                f"  wall {1000 * wall / count:6.3f} ms/answer{counted}"
                f"  ({count} {path} clicks, {concurrency} at a time)",
                flush=True,
            )
    finally:
        await close_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--engines", nargs="+", default=list(http_bench.ENGINES))
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--callgrind", metavar="DIR", help="count instructions (see above)")
    parser.add_argument("--pg-database", default="bench_cpu", help="dropped and created")
    parser.add_argument(
        "--path", choices=("first", "change", "repeat"), default="first", help="see above"
    )
    parser.add_argument("--cprofile", type=Path, help="cProfile our app's timed clicks here")
    args = parser.parse_args()
    if len(args.engines) > 1:  # one process per engine: Tortoise and bare_app keep its state
        for engine in args.engines:
            argv = [sys.executable, __file__, "--engines", engine, "--answers", str(args.answers)]
            argv += ["--concurrency", str(args.concurrency), "--pg-database", args.pg_database]
            argv += ["--path", args.path]
            subprocess.run(argv, check=True)
        return
    with tempfile.TemporaryDirectory() as workdir:
        asyncio.run(
            bench(
                args.engines[0],
                args.answers,
                Path(workdir),
                args.concurrency,
                Callgrind(args.callgrind),
                args.pg_database,
                args.path,
                args.cprofile,
            )
        )


if __name__ == "__main__":
    main()
