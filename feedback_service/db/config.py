"""Tortoise's configuration for a database URL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tortoise.backends.base.config_generator import generate_config

APP_LABEL = "feedback"
MODEL_MODULES = [
    "feedback_service.shops.models",
    "feedback_service.orders.models",
    "feedback_service.surveys.models",
    "feedback_service.outbox.models",
    "feedback_service.reviews.models",
    "feedback_service.alerts.models",
    "feedback_service.connectors.models",
    "feedback_service.questions.models",
]


def is_postgres(database_url: str) -> bool:
    return database_url.startswith(("postgres://", "postgresql://", "asyncpg://"))


def tortoise_config(database_url: str) -> dict[str, Any]:
    """Tortoise's configuration; a new SQLite file is created, readable by its owner only."""
    if database_url.startswith("sqlite://") and not database_url.startswith("sqlite://:memory:"):
        path = Path(database_url.removeprefix("sqlite://").split("?", 1)[0])
        path.parent.mkdir(parents=True, exist_ok=True)
        # Readable by its owner only, like the secret key; SQLite gives its -wal and -shm
        # files the database file's mode.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    config = generate_config(
        database_url,
        app_modules={APP_LABEL: MODEL_MODULES},
        connection_label="default",
    )
    credentials = config["connections"]["default"]["credentials"]
    if database_url.startswith("sqlite"):
        # An acknowledged answer must survive a crash: WAL with a full fsync per commit.
        credentials.setdefault("synchronous", "FULL")
        credentials.setdefault("busy_timeout", 5000)
        # Tortoise truncates the WAL to 16 kB at each checkpoint, so every commit then
        # grows the file again and its fsync writes the size too: 1.6-2x the time per commit.
        credentials["journal_size_limit"] = 64 * 1024 * 1024
    if is_postgres(database_url):
        credentials["reset"] = _keep_session
    config["apps"][APP_LABEL]["migrations"] = "feedback_service.migrations"
    config["use_tz"] = True
    config["timezone"] = "UTC"
    return config


async def _keep_session(connection: object) -> None:
    """asyncpg's reset of a pooled connection, minus its query (unlisten, close cursors,
    reset settings, unlock advisory locks: a round trip and ~20% of a click's CPU). asyncpg
    still rolls back an open transaction first; the app listens to nothing, keeps no cursor
    and only uses SET LOCAL and transaction-level advisory locks, so there is nothing else
    to undo."""
