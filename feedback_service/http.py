"""HTTP plumbing shared by every audience: errors, JSON bodies, limits, security headers."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.convertors import StringConvertor, register_url_convertor
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from feedback_service.errors import DomainError, InvalidInput, RateLimited, TooLarge, TooSlow
from feedback_service.i18n import locale_from_accept_language
from feedback_service.templating import render

ModelT = TypeVar("ModelT", bound=BaseModel)


class Strict(BaseModel):
    """Every request body and every answer: a field the model lacks is an error, so neither
    side can send what the document does not show."""

    model_config = ConfigDict(extra="forbid", strict=False)


# Bodies larger than this are refused before parsing (413); review forms carry photos.
MAX_BODY = 1_000_000
MAX_UPLOAD_BODY = 45_000_000
# No request body nests deeper than a few levels; deeper ones are refused before validation.
MAX_JSON_DEPTH = 32
TOO_DEEP = f"The body nests JSON deeper than {MAX_JSON_DEPTH} levels."
# Batches of up to 1,000 orders or invitations (~10 kB each at most).
MAX_BATCH_BODY = 10_000_000
BATCH_PATHS = ("/api/v1/orders/batch", "/api/v1/invitations/batch")
# Uploads: review photos, CSV files of orders.
UPLOAD_PATHS = ("/r/", "/admin/imports")
# Seconds a client may take to send the next piece of a request body (slow-client guard).
BODY_CHUNK_TIMEOUT = 20.0


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    message: str
    fields: dict[str, str]


class Error(BaseModel):
    """Every JSON error: a 4xx status and this body."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorBody


def error_payload(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return Error(error=ErrorBody(code=code, message=message, fields=fields or {})).model_dump()


class ModelResponse(Response):
    """A JSON answer written by its response model, the one /openapi.json shows."""

    media_type = "application/json"

    def __init__(
        self, content: BaseModel, status_code: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(content, status_code, headers)

    def render(self, content: Any) -> bytes:
        assert isinstance(content, BaseModel)
        return content.model_dump_json().encode()


def json_error(exc: DomainError) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return JSONResponse(
        error_payload(exc.code, exc.message, exc.fields),
        status_code=exc.status_code,
        headers=headers,
    )


async def read_json(request: Request, model: type[ModelT]) -> ModelT:
    """Parse and validate a JSON body, or raise InvalidInput naming the bad fields."""
    return validated(model, await read_json_object(request))


async def read_json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object, not yet validated."""
    body = await request.body()
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The body must be a JSON object.") from None
    except RecursionError:
        raise InvalidInput(TOO_DEEP) from None
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.")
    return data


def validated(model: type[ModelT], data: object, *, items: bool = False) -> ModelT:
    """`data` (parsed JSON) as `model`, or InvalidInput naming the bad fields. `items`: a
    batch's envelope, whose items are checked one by one later (NUL included)."""
    if not items and (where := _nul_in(data)) is not None:
        # PostgreSQL cannot store NUL in text; no real input carries one.
        raise InvalidInput("Text must not contain NUL characters.", fields={where or "body": "nul"})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput("Some fields are invalid.", fields=validation_fields(exc)) from None


def _nul_in(value: object, path: str = "", depth: int = 0) -> str | None:
    """The dotted path of the first string holding a NUL character, or None."""
    if depth > MAX_JSON_DEPTH:
        raise InvalidInput(TOO_DEEP)
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        items = list(value.items())
        for key, item in items:
            if "\x00" in str(key):
                return path or "body"
            found = _nul_in(item, f"{path}.{key}" if path else str(key), depth + 1)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_in(item, f"{path}.{index}" if path else str(index), depth + 1)
            if found is not None:
                return found
    return None


def validation_fields(exc: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or "body"
        fields.setdefault(name, error["msg"])
    return fields


def whole_number(raw: str, digits: int = 12) -> int | None:
    """Plain ASCII digits, at most `digits` of them, as an int; None for anything else.
    (str.isdigit() alone accepts "²", which int() refuses; int() refuses 4,300+ digits.)"""
    if raw.isascii() and raw.isdigit() and len(raw) <= digits:
        return int(raw)
    return None


# The largest id of an INT column (most tables) and of a BIGINT one (answers, clicks, outbox).
MAX_ID = 2**31 - 1
MAX_BIG_ID = 2**63 - 1


def row_id(raw: str, *, big: bool = False) -> int | None:
    """An id from a URL, a form or a cursor, when the id column can hold it (INT, or BIGINT
    with `big`); None names no row (PostgreSQL refuses a larger number to compare with)."""
    value = whole_number(raw, digits=19)
    return value if value is not None and value <= (MAX_BIG_ID if big else MAX_ID) else None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, big: bool = False) -> int | None:
    """The id a page of results starts after; `big`: of a BIGINT column."""
    if not cursor:
        return None
    try:
        value = row_id(
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode(), big=big
        )
    except ValueError:
        value = None
    if value is None:
        raise InvalidInput("The cursor is not valid.", fields={"cursor": "invalid"})
    return value


def register_bounded_text(name: str, max_length: int) -> None:
    """`{param:name}` in a route: a path segment of 1 to `max_length` characters."""
    regex = f"[^/]{{1,{max_length}}}"
    register_url_convertor(name, type(f"{name}_convertor", (StringConvertor,), {"regex": regex})())


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def respondent_locale(request: Request) -> str:
    return locale_from_accept_language(request.headers.get("accept-language"))


def page(
    request: Request, template: str, locale: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    # The nonce of the page's scripts; SecurityHeadersMiddleware puts it in the CSP.
    nonce = request.scope.setdefault("state", {})["nonce"] = secrets.token_urlsafe(16)
    html = render(template, locale, nonce=nonce, **context)
    return HTMLResponse(html, status_code=status_code)


def _limit(path: str) -> int:
    if path.startswith(UPLOAD_PATHS):
        return MAX_UPLOAD_BODY
    return MAX_BATCH_BODY if path in BATCH_PATHS else MAX_BODY


class BodyLimitMiddleware:
    """413 before a body that is too large is read (declared or streamed), 408 when a client
    sends its body too slowly (a stalled chunk), 400 for NUL in a URL."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        raw = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
        if b"%00" in raw or "\x00" in path:
            await self._refuse(scope, receive, send, 400, "bad_request", "NUL in the URL.")
            return
        limit = _limit(path)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (
            not (declared.isascii() and declared.isdigit()) or int(declared) > limit
        ):
            await self._refuse(
                scope, receive, send, 413, "too_large", "The request body is too large."
            )
            return
        received = 0
        body_done = False

        async def limited_receive() -> Message:
            nonlocal received, body_done
            if body_done:  # later reads wait for a disconnect, for as long as a response runs
                return await receive()
            try:
                async with asyncio.timeout(BODY_CHUNK_TIMEOUT):
                    message = await receive()
            except TimeoutError:
                raise TooSlow("The request body arrived too slowly.") from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge("The request body is too large.")
                body_done = not message.get("more_body", False)
            return message

        await self.app(scope, limited_receive, send)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str
    ) -> None:
        await JSONResponse(error_payload(code, message), status_code=status)(scope, receive, send)


# The Content-Security-Policy around the request's nonce, encoded once.
CSP_START = b"default-src 'self'; script-src "
CSP_END = (
    b"; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; "
    b"base-uri 'none'; form-action 'self'; object-src 'none'"
)
NOT_FRAMED = b"; frame-ancestors 'none'"
# An origin a shop lets frame its full review pages: scheme, host (or *.domain), port.
FRAME_ORIGIN = re.compile(r"https?://(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:[0-9]{1,5})?")
MAX_FRAME_ORIGINS = 10


def frame_ancestors(value: str) -> str:
    """The shop's frame-ancestors setting, checked: space-separated origins, or ""."""
    origins = [origin.rstrip("/") for origin in value.lower().split()]
    if len(origins) > MAX_FRAME_ORIGINS or not all(FRAME_ORIGIN.fullmatch(o) for o in origins):
        raise InvalidInput(
            f"Frame ancestors are up to {MAX_FRAME_ORIGINS} origins like https://shop.example,"
            " separated by spaces.",
            fields={"frame_ancestors": "invalid"},
        )
    return " ".join(dict.fromkeys(origins))


class SecurityHeadersMiddleware:
    """The headers every response carries; scripts may run only with the nonce of the page
    that `page()` rendered (none elsewhere)."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https
        self.fixed = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
        ]
        if https:
            self.fixed.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        embeddable = scope["path"].startswith("/w/")
        # Staff pages and API answers carry customers' data: no cache keeps them.
        private = scope["path"].startswith(("/admin", "/api/"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                nonce = state.get("nonce")
                scripts = b"'nonce-" + nonce.encode() + b"'" if nonce else b"'none'"
                csp = CSP_START + scripts + CSP_END
                if not embeddable:
                    csp += NOT_FRAMED
                # Fragments are embedded in the shop's pages; a full review page says which
                # origins may frame it (request.state.frame_ancestors, the shop's setting).
                ancestors = state.get("frame_ancestors") if embeddable else None
                if ancestors is None:
                    headers.append((b"content-security-policy", csp))
                else:
                    framing = ancestors.encode() if ancestors else b"'none'"
                    headers.append(
                        (b"content-security-policy", csp + b"; frame-ancestors " + framing)
                    )
                headers += self.fixed
                if private and not any(name == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class StaffSessionMiddleware(SessionMiddleware):
    """The signed session cookie, for staff pages only: respondents and embedded blocks
    have no session, so their requests skip reading and writing it."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/admin"):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class CompressionMiddleware(GZipMiddleware):
    """starlette's gzip (text answers above a size, streamed ones chunk by chunk; the ETag
    kept, as every ETag here is weak), except on the one-click answer's path: its small
    pages are seen once, and packing them cost about a sixth of an answer's CPU
    (benchmarks/answer_cpu.py)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/s/"):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
