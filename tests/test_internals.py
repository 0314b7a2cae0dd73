"""Library internals live in feedback_service/internals.py only, and are checked at
start-up against the versions they were written for."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from feedback_service import internals
from feedback_service.app import create_app
from feedback_service.db import init_db
from feedback_service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
FENCED = ROOT / "feedback_service" / "internals.py"
# The private names internals.py reaches for (tortoise-orm, aiosqlite, asyncpg's pool inside
# Tortoise's client, the partial-instance flags) and those of limits we no longer touch.
PRIVATE = {
    "_init_from_db",
    "_get_storage",
    "_tx",
    "_conn",
    "_running",
    "_connection",
    "_pool",
    "_partial",
    "_saved_in_db",
    "_await_when_save",
    "_custom_generated_pk",
    "locks",
    "_MemoryStorage__schedule_expiry",
    "_MemoryStorage__expire_events",
}


def _private_uses(path: Path) -> list[str]:
    """Each attribute or string of `path` that names one of PRIVATE, as file:line name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        name = None
        if isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            name = node.value
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = node.name
        if name in PRIVATE:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    return found


def test_no_module_but_internals_touches_a_library_private_part() -> None:
    sources = [
        path
        for package in ("feedback_service", "widgets", "schema_markup")
        for path in (ROOT / package).rglob("*.py")
        if path != FENCED
    ]
    assert [use for path in sources for use in _private_uses(path)] == []
    assert _private_uses(FENCED)  # the test finds what it looks for


def test_the_installed_libraries_are_those_internals_was_written_for() -> None:
    internals.check_versions()


def test_another_version_stops_the_start_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    found = {"tortoise-orm": "1.1.9", "aiosqlite": "0.23.0"}
    monkeypatch.setattr(internals, "installed_version", found.__getitem__)
    with pytest.raises(internals.UnsupportedVersion) as error:
        internals.check_versions()
    message = str(error.value)
    assert "aiosqlite 0.23.0 is installed" in message
    assert "aiosqlite 0.22.x" in message and "pip install 'aiosqlite==0.22.*'" in message
    assert "feedback_service/internals.py" in message
    found["aiosqlite"] = "0.22.1"
    internals.check_versions()
    found["tortoise-orm"] = "1.10.0"
    with pytest.raises(internals.UnsupportedVersion, match="tortoise-orm 1.10.0"):
        internals.check_versions()


async def test_the_app_and_every_command_check_before_they_start(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    found = {"tortoise-orm": "2.0.0", "aiosqlite": "0.22.1"}
    monkeypatch.setattr(internals, "installed_version", found.__getitem__)
    app = create_app(settings, manage_db=False)
    with pytest.raises(internals.UnsupportedVersion, match="tortoise-orm 2.0.0"):
        async with app.router.lifespan_context(app):
            pass
    # The worker and every command of the CLI open the database with init_db.
    with pytest.raises(internals.UnsupportedVersion, match="tortoise-orm 2.0.0"):
        await init_db("sqlite://:memory:")
