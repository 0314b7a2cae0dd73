"""Liveness and database check."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from feedback_service import db


async def healthz(request: Request) -> JSONResponse:
    try:
        await db.fetch("SELECT 1")
    except Exception:  # any database failure is reported, not raised
        return JSONResponse({"status": "degraded", "database": "error"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
