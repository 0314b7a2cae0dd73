"""create_app(settings) -> Starlette: lifespan, middleware, routes, error handlers."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from feedback_service import ratelimit
from feedback_service.db import close_db, init_db
from feedback_service.errors import DomainError, RateLimited
from feedback_service.http import (
    BodyLimitMiddleware,
    CompressionMiddleware,
    SecurityHeadersMiddleware,
    StaffSessionMiddleware,
    error_payload,
    json_error,
    page,
    respondent_locale,
)
from feedback_service.i18n import gettext
from feedback_service.internals import check_versions
from feedback_service.links import ADMIN_LOGIN, Links
from feedback_service.reviews.block_cache import RenderedBlocks
from feedback_service.routes import routes
from feedback_service.settings import Settings, get_settings
from feedback_service.shops.auth import LoginRequired

log = logging.getLogger("feedback_service")
SESSION_MAX_AGE = 8 * 3600
# Below about 1 KB gzip saves less than a packet; level 9 packs a review block less than 1 %
# smaller than zlib's default 6 (benchmarks/ssi_bench.py).
COMPRESS_MIN_BYTES = 1024
COMPRESS_LEVEL = 6


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/hooks/")) or path == "/healthz"


def _error_page(request: Request, status_code: int, detail: str | None = None) -> Response:
    locale = respondent_locale(request)
    if status_code == 404:
        title = gettext(locale, "This link is not valid")
        message = gettext(
            locale,
            "The link may be incomplete or expired. Please use the latest email you received.",
        )
    elif status_code == 429:
        title = gettext(locale, "Too many attempts")
        message = gettext(locale, "Please wait a moment and try again.")
    elif detail:
        title = gettext(locale, "Please check your input")
        message = detail
    else:
        title = gettext(locale, "Something went wrong")
        message = gettext(locale, "Please go back and try again.")
    return page(
        request,
        "error.html",
        locale,
        status_code=status_code,
        title=title,
        message=message,
        shop=None,
    )


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if _wants_json(request):
        return json_error(exc)
    # Staff see what went wrong; respondents get the same page for every bad link.
    detail = exc.message if request.url.path.startswith("/admin") else None
    response = _error_page(request, exc.status_code, detail)
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if _wants_json(request):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(
            error_payload(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )
    return _error_page(request, exc.status_code)


async def login_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse(ADMIN_LOGIN, status_code=303)


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Starlette:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        check_versions()  # of the libraries whose private parts internals.py uses
        if manage_db:
            await init_db(settings.database_url)
        # What is loaded by now stays for the process's life: out of the garbage collector's
        # sight, full collections no longer walk it (under load they had stalled every
        # request for 30-90 ms, several times a second).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if manage_db:
                await close_db()

    compression = (
        [
            Middleware(
                CompressionMiddleware,
                minimum_size=COMPRESS_MIN_BYTES,
                compresslevel=COMPRESS_LEVEL,
            )
        ]
        if settings.compress_responses
        else []
    )
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            *compression,
            Middleware(SecurityHeadersMiddleware, https=settings.https),
            Middleware(BodyLimitMiddleware),
            Middleware(
                StaffSessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="fs_session",
                max_age=SESSION_MAX_AGE,
                same_site="lax",
                https_only=settings.https,
            ),
        ],
        exception_handlers={
            DomainError: domain_error,
            HTTPException: http_error,
            LoginRequired: login_required,
        },
    )
    ratelimit.configure(settings.rate_limit_url)
    app.state.settings = settings
    app.state.links = Links(settings)
    app.state.rendered_blocks = RenderedBlocks(settings.block_cache_mb * 1_000_000)
    return app
