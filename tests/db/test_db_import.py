"""Importing feedback_service.db does nothing: no environment read, no `data/` made;
Tortoise's own CLI still finds its configuration (`feedback_service.db.TORTOISE_ORM`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The libraries first (what they read of the environment is theirs), then every read of
# os.environ is recorded while feedback_service.db is imported.
IMPORT_WATCHED = """
import json, os
import aiosqlite, asyncpg, pydantic, tortoise, tortoise.backends.base.client
import tortoise.backends.base.config_generator, tortoise.exceptions, tortoise.fields
import tortoise.migrations.api, tortoise.models, tortoise.transactions

read = []

class Watched(type(os.environ)):
    def __getitem__(self, key):
        read.append(key)
        return super().__getitem__(key)

    def __iter__(self):
        read.append("*")
        return super().__iter__()

os.environ.__class__ = Watched
import feedback_service.db
print(json.dumps({"read": read, "made": sorted(os.listdir("."))}))
"""


def _run(code: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        code,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_importing_the_db_module_reads_no_environment_and_makes_no_file(tmp_path: Path) -> None:
    done = _run([sys.executable, "-c", IMPORT_WATCHED], tmp_path, DATABASE_URL="sqlite://x/y")
    assert json.loads(done.stdout.splitlines()[-1]) == {"read": [], "made": []}


def test_tortoise_cli_reads_the_database_url_when_it_asks_for_the_config(tmp_path: Path) -> None:
    database = tmp_path / "elsewhere" / "cli.sqlite3"
    tortoise = str(Path(sys.executable).parent / "tortoise")
    done = _run(
        [tortoise, "-c", "feedback_service.db.TORTOISE_ORM", "history"],
        tmp_path,
        DATABASE_URL=f"sqlite://{database}",
    )
    assert "no applied migrations" in done.stdout
    assert database.exists() and not (tmp_path / "data").exists()
