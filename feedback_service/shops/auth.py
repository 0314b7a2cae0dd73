"""Staff sessions and CSRF tokens for admin forms."""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import UploadFile
from starlette.requests import Request
from tortoise.expressions import F

from feedback_service.errors import Forbidden
from feedback_service.shops.models import StaffUser

SESSION_USER = "staff_id"
SESSION_VERSION = "v"  # the user's session_version when they logged in
SESSION_CSRF = "csrf"


class LoginRequired(Exception):
    """Raised by views that need a staff session; answered with a redirect to the login."""


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_CSRF)
    if not token:
        token = secrets.token_urlsafe(24)
        request.session[SESSION_CSRF] = token
    return str(token)


async def check_csrf(request: Request, *, max_files: int = 0) -> dict[str, str]:
    """The form's text fields once its CSRF token is checked (its files: request.form())."""
    form = await request.form(max_files=max_files, max_fields=50)
    sent = str(form.get("csrf", ""))
    expected = str(request.session.get(SESSION_CSRF, ""))
    if not expected or not hmac.compare_digest(sent, expected):
        raise Forbidden("The form expired; reload the page and try again.")
    return {key: value.replace("\x00", "") for key, value in form.items() if isinstance(value, str)}


async def check_csrf_upload(
    request: Request, *, max_files: int = 1
) -> tuple[dict[str, str], dict[str, bytes]]:
    """A form's text fields and its uploaded files' contents, once its CSRF field matched."""
    fields = await check_csrf(request, max_files=max_files)
    form = await request.form()  # parsed once, by check_csrf
    return fields, {k: await v.read() for k, v in form.items() if isinstance(v, UploadFile)}


async def current_staff(request: Request, *, role: str | None = None) -> StaffUser:
    staff_id = request.session.get(SESSION_USER)
    if not isinstance(staff_id, int):
        raise LoginRequired()
    user = await StaffUser.filter(id=staff_id).select_related("shop").first()
    if user is None or request.session.get(SESSION_VERSION) != user.session_version:
        request.session.clear()  # the user is gone, logged out or changed their password
        raise LoginRequired()
    if role == "admin" and user.role != "admin":
        raise Forbidden("Only a shop admin can open this page.")
    return user


def log_in(request: Request, user: StaffUser) -> None:
    request.session.clear()  # a fresh session id against fixation
    request.session[SESSION_USER] = user.id
    request.session[SESSION_VERSION] = user.session_version
    csrf_token(request)


async def log_out(request: Request) -> None:
    """End the session here and every copy of its cookie: the user's session version moves on
    (their other sessions end too)."""
    staff_id = request.session.get(SESSION_USER)
    version = request.session.get(SESSION_VERSION)
    request.session.clear()
    if isinstance(staff_id, int) and isinstance(version, int):
        await StaffUser.filter(id=staff_id, session_version=version).update(
            session_version=F("session_version") + 1
        )
