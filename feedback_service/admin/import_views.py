"""/admin/imports: orders from a platform's CSV export, for a shop without a developer.

Upload (the file waits in DATA_DIR/imports/<shop>/ under a random name) → preview of its
first rows with the preset's column mapping, editable → import with a per-line report.
Admins only: an import writes customers and orders."""

from __future__ import annotations

import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from feedback_service.csvin import CsvProblem, open_table
from feedback_service.errors import NotFound
from feedback_service.http import page, respondent_locale
from feedback_service.i18n import N_, gettext
from feedback_service.orders.importer import import_orders, missing_fields, preset_mapping
from feedback_service.orders.presets import FIELDS, PRESETS, PRESTASHOP_QUERY
from feedback_service.shops import auth
from feedback_service.shops.models import StaffUser

PREVIEW_ROWS = 10
PREVIEW_CELL = 80  # characters shown of a cell
SHOWN_REJECTS = 500
KEEP_UPLOADS = 24 * 3600  # seconds an upload that was never imported is kept
TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")
FIELD_LABELS = {
    "id": N_("Order number"),
    "email": N_("Customer email"),
    "name": N_("Customer name"),
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "customer_id": N_("Customer id in your shop"),
    "locale": N_("Customer language"),
    "ordered_at": N_("Order date"),
    "delivered_at": N_("Delivery date"),
    "sku": N_("Product SKU"),
    "quantity": N_("Quantity"),
    "unit_price": N_("Unit price"),
    "line_total": N_("Line total (when there is no unit price)"),
}


def _folder(request: Request, user: StaffUser) -> Path:
    return Path(request.app.state.settings.data_dir) / "imports" / str(user.shop.id)


def _upload(request: Request, user: StaffUser, token: str) -> Path:
    path = _folder(request, user) / f"{token}.csv"
    if not TOKEN.fullmatch(token) or not path.is_file():
        raise NotFound("This upload is no longer here; upload the file again.")
    return path


def _page(request: Request, template: str, user: StaffUser, **context: Any) -> Response:
    error = context.get("error")
    return page(
        request,
        template,
        respondent_locale(request),
        status_code=422 if error else 200,
        user=user,
        shop=user.shop,
        csrf=auth.csrf_token(request),
        presets=PRESETS,
        prestashop_query=PRESTASHOP_QUERY,
        **context,
    )


async def imports_page(request: Request) -> Response:
    """The upload form; its POST stores the file and shows the preview."""
    user = await auth.current_staff(request, role="admin")
    if request.method == "GET":
        return _page(request, "admin/imports.html", user, error=None, preset="shopify")
    form = await auth.check_csrf(request, max_files=1)
    preset = form.get("preset", "")
    upload = (await request.form()).get("file")
    locale = respondent_locale(request)
    if preset not in PRESETS or not isinstance(upload, UploadFile) or not upload.filename:
        error = gettext(locale, "Choose a CSV file and the platform it comes from.")
        return _page(request, "admin/imports.html", user, error=error, preset=preset)
    folder = _folder(request, user)
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    token = secrets.token_urlsafe(16)
    with (folder / f"{token}.csv").open("wb") as target:
        shutil.copyfileobj(upload.file, target)
    return await _preview(request, user, token, preset, None, error=None)


def _forget_old(folder: Path) -> None:
    limit = time.time() - KEEP_UPLOADS
    for old in folder.glob("*.csv"):
        if old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)


async def _preview(
    request: Request,
    user: StaffUser,
    token: str,
    preset: str,
    mapping: dict[str, str] | None,
    *,
    error: str | None,
) -> Response:
    path = _upload(request, user, token)
    try:
        with open_table(path) as (header, rows):
            sample = [row.cells for _, row in zip(range(PREVIEW_ROWS), rows, strict=False)]
    except CsvProblem as exc:
        path.unlink(missing_ok=True)
        error = gettext(respondent_locale(request), exc.message, **exc.values)
        return _page(request, "admin/imports.html", user, error=error, preset=preset)
    if mapping is None:
        mapping = preset_mapping(preset, header)
    # The mapped columns first (a Shopify export has 80), each with the field it feeds.
    feeds = {column: name for name, column in reversed(mapping.items())}
    columns = sorted(header, key=lambda c: FIELDS.index(feeds[c]) if c in feeds else len(FIELDS))
    return _page(
        request,
        "admin/import_preview.html",
        user,
        error=error,
        token=token,
        preset=preset,
        header=header,
        columns=[(c, FIELD_LABELS[feeds[c]] if c in feeds else None) for c in columns],
        sample=[[cells.get(c, "")[:PREVIEW_CELL] for c in columns] for cells in sample],
        mapping=mapping,
        fields=[(name, FIELD_LABELS[name]) for name in FIELDS],
    )


async def run_import(request: Request) -> Response:
    """Import the uploaded file with the mapping chosen on the preview; show the report."""
    user = await auth.current_staff(request, role="admin")
    token = request.path_params["token"]
    form = await auth.check_csrf(request)
    path = _upload(request, user, token)
    preset = form.get("preset", "generic")
    preset = preset if preset in PRESETS else "generic"
    mapping = {name: form[f"map_{name}"] for name in FIELDS if form.get(f"map_{name}")}
    locale = respondent_locale(request)
    if missing := missing_fields(mapping):
        labels = ", ".join(gettext(locale, FIELD_LABELS[name]) for name in missing)
        error = gettext(locale, "Choose a column for: %(fields)s.", fields=labels)
        return await _preview(request, user, token, preset, mapping, error=error)
    try:
        report = await import_orders(user.shop, path, mapping)
    except CsvProblem as exc:
        error = gettext(locale, exc.message, **exc.values)
        return await _preview(request, user, token, preset, mapping, error=error)
    path.unlink(missing_ok=True)
    return _page(
        request,
        "admin/import_report.html",
        user,
        error=None,
        report=report,
        rejected=report.rejected[:SHOWN_REJECTS],
    )
