"""Liveness and database check."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import Response

from feedback_service import db
from feedback_service.http import ModelResponse


class Health(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["ok", "degraded"]
    database: Literal["ok", "error"]


async def healthz(request: Request) -> Response:
    try:
        await db.fetch("SELECT 1")
    except Exception:  # any database failure is reported, not raised
        return ModelResponse(Health(status="degraded", database="error"), status_code=503)
    return ModelResponse(Health(status="ok", database="ok"))
