"""Tortoise configuration, start-up and shutdown, migrations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import generate_config
from tortoise.migrations.api import migrate as tortoise_migrate

APP_LABEL = "feedback"
MODEL_MODULES = [
    "feedback_service.shops.models",
    "feedback_service.orders.models",
    "feedback_service.surveys.models",
    "feedback_service.outbox.models",
    "feedback_service.reviews.models",
    "feedback_service.alerts.models",
]


def tortoise_config(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite://") and not database_url.startswith("sqlite://:memory:"):
        path = Path(database_url.removeprefix("sqlite://").split("?", 1)[0])
        path.parent.mkdir(parents=True, exist_ok=True)
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
    config["apps"][APP_LABEL]["migrations"] = "feedback_service.migrations"
    config["use_tz"] = True
    config["timezone"] = "UTC"
    return config


async def init_db(database_url: str) -> None:
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str) -> None:
    await tortoise_migrate(config=tortoise_config(database_url))
    await Tortoise.close_connections()


# For Tortoise's own CLI: `tortoise -c feedback_service.db.TORTOISE_ORM makemigrations`.
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", "sqlite://data/feedback.sqlite3"))
