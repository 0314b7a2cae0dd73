"""/admin/draws: contributor prize draws. Admins only: a draw is a promise to customers."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from feedback_service import moments
from feedback_service.errors import InvalidInput, NotFound
from feedback_service.http import page, respondent_locale, row_id
from feedback_service.links import ADMIN_DRAW, Links
from feedback_service.metrics.api import shop_timezone
from feedback_service.reviews import draws
from feedback_service.reviews.models import PrizeDraw
from feedback_service.shops import auth
from feedback_service.shops.models import Shop, StaffUser

OUT_OF_RANGE = "Dates are between 1970-01-01 and 2099-12-31."


def _links(request: Request) -> Links:
    links: Links = request.app.state.links
    return links


def _draw_id(request: Request) -> int:
    draw_id = row_id(request.path_params["id"])
    if draw_id is None:
        raise NotFound("No such prize draw.")
    return draw_id


def _day_start(shop: Shop, value: str, field: str, *, after: bool = False) -> datetime:
    """Midnight of a form's date in the shop's timezone; `after`: of the next day (the end
    date is included in the period)."""
    try:
        day = date.fromisoformat(value.strip()) + timedelta(days=1 if after else 0)
    except ValueError:
        raise InvalidInput("Dates look like 2026-12-01.", fields={field: "a date"}) from None
    except OverflowError:
        raise InvalidInput(OUT_OF_RANGE, fields={field: "out of range"}) from None
    moment = datetime.combine(day, time(0, 0), tzinfo=shop_timezone(shop.timezone))
    try:
        return moments.in_range(moment)
    except ValueError:
        raise InvalidInput(OUT_OF_RANGE, fields={field: "out of range"}) from None


def _page(
    request: Request, template: str, user: StaffUser, error: str | None, **context: Any
) -> Response:
    """A draws page in the staff's locale; 422 when the form it shows was refused."""
    shop = user.shop
    locale = respondent_locale(request)
    return page(
        request,
        template,
        locale,
        period=lambda draw: draws.period_text(draw, shop.timezone, locale),
        status_code=422 if error else 200,
        user=user,
        shop=shop,
        csrf=auth.csrf_token(request),
        error=error,
        **context,
    )


async def draws_page(request: Request) -> Response:
    """The shop's draws, newest first, and the form that creates one."""
    user = await auth.current_staff(request, role="admin")
    shop = user.shop
    error = None
    values: dict[str, str] = {}
    if request.method == "POST":
        form = await auth.check_csrf(request)
        values = form
        try:
            draw = await draws.create_draw(
                shop,
                period_start=_day_start(shop, form.get("period_start", ""), "period_start"),
                period_end=_day_start(shop, form.get("period_end", ""), "period_end", after=True),
                prize=form.get("prize", ""),
                rules_url=form.get("rules_url", ""),
            )
        except InvalidInput as exc:
            error = exc.message
        else:
            return RedirectResponse(ADMIN_DRAW.fill(id=draw.id), status_code=303)
    rows = await PrizeDraw.filter(shop=shop).order_by("-id").limit(100)
    return _page(
        request, "admin/draws.html", user, error, rows=rows, values=values, now=draws.utcnow()
    )


async def draw_page(request: Request) -> Response:
    """One draw: its published inputs, the entries so far, and once run, the result."""
    user = await auth.current_staff(request, role="admin")
    shop = user.shop
    draw = await draws.get_draw(shop, _draw_id(request))
    error = None
    if request.method == "POST":
        await auth.check_csrf(request)
        try:
            draw = await draws.run_draw(shop, draw.id, _links(request))
        except InvalidInput as exc:
            error = exc.message
        else:
            return RedirectResponse(ADMIN_DRAW.fill(id=draw.id), status_code=303)
    winner = await draws.winning_review(shop, draw)
    return _page(
        request,
        "admin/draw.html",
        user,
        error,
        draw=draw,
        result=await draws.public_result(draw),
        entries=await _entries(draw),
        winner=winner,
        public_url=draws.public_url(_links(request), shop, draw),
        can_run=draw.ran_at is None and draws.utcnow() >= draw.period_end,
    )


async def _entries(draw: PrizeDraw) -> list[tuple[str, int]]:
    """(receipt, review id) of each entry: the public list, and who is behind each."""
    if draw.ran_at is None:
        return draws.ballot(draw.id, await draws.entrants(draw))
    return list(zip(draws.published_entries(draw), draw.entries, strict=True))


async def draw_export(request: Request) -> Response:
    """The result as JSON (everything needed to check it) or CSV (one row per entry)."""
    user = await auth.current_staff(request, role="admin")
    draw = await draws.get_draw(user.shop, _draw_id(request))
    fmt = request.path_params["format"]
    if fmt not in ("json", "csv"):
        raise NotFound("No such export.")
    result = await draws.public_result(draw)
    entries = await _entries(draw)
    name = f"prize-draw-{draw.id}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "json":
        # The shop's own copy: which review is behind each published receipt.
        result["entry_reviews"] = [review_id for _, review_id in entries]
        body = json.dumps(result, indent=2, ensure_ascii=False)
        return Response(body, media_type="application/json", headers=headers)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["position", "entry", "review_id", "winner", "seed", "entries_sha256"])
    for position, (entry, review_id) in enumerate(entries):
        writer.writerow(
            [
                position,
                entry,
                review_id,
                "yes" if position == result["winner_index"] else "no",
                result["seed"] or "",
                draw.entries_sha256 or "",
            ]
        )
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
