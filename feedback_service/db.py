"""Tortoise configuration, start-up and shutdown, migrations."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import generate_config
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.models import Model

ModelT = TypeVar("ModelT", bound=Model)

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


# --- raw SQL for the hot paths (the ORM's query building costs more than the query) ------


@cache
def _placeholders(template: str, dialect: str) -> str:
    """{0}, {1}... become $1, $2... (asyncpg) or ?1, ?2... (SQLite)."""
    mark = "$" if dialect == "postgres" else "?"
    return re.sub(r"\{(\d+)\}", lambda m: f"{mark}{int(m[1]) + 1}", template)


def dialect() -> str:
    """The default connection's dialect: "postgres" or "sqlite"."""
    dialect: str = connections.get("default").capabilities.dialect
    return dialect


async def fetch(template: str, *values: Any) -> list[dict[str, Any]]:
    """Rows of a query written with {0}, {1}... placeholders, in the current transaction if any."""
    conn = connections.get("default")
    sql = _placeholders(template, conn.capabilities.dialect)
    return await conn.execute_query_dict(sql, list(values))


async def execute(template: str, *values: Any) -> int:
    """Run a statement written with {0}, {1}... placeholders; how many rows it changed."""
    conn = connections.get("default")
    changed, _ = await conn.execute_query(
        _placeholders(template, conn.capabilities.dialect), list(values)
    )
    return changed


@cache
def columns(model: type[Model], alias: str) -> str:
    """Every column of a model, as `alias.col AS "alias.col"`, for `from_row`."""
    return ", ".join(f'{alias}."{c}" AS "{alias}.{c}"' for c in model._meta.db_fields)


def from_row(model: type[ModelT], row: Mapping[str, Any], alias: str) -> ModelT | None:
    """The model instance selected with `columns(model, alias)`, None for a LEFT JOIN miss."""
    values = {c: row[f"{alias}.{c}"] for c in model._meta.db_fields}
    if values[model._meta.db_pk_column] is None:
        return None
    return model._init_from_db(**values)


# For Tortoise's own CLI: `tortoise -c feedback_service.db.TORTOISE_ORM makemigrations`.
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", "sqlite://data/feedback.sqlite3"))
