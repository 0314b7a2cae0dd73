"""Importing orders from a platform's CSV export (feedback-service import-orders, /admin/imports).

A file has one row per line item; the rows of one order follow each other and share its
id, and platforms leave the order's other cells empty after its first row. Each preset
maps our fields to the columns of one platform's own export; a mapping can be edited."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from feedback_service.csvin import CsvProblem, Row, moment, open_table
from feedback_service.i18n import N_
from feedback_service.orders.presets import ORDER_FIELDS, PRESETS, REQUIRED
from feedback_service.orders.schemas import MAX_BATCH
from feedback_service.orders.services import upsert_batch
from feedback_service.shops.models import Shop


def preset_mapping(preset: str, header: list[str]) -> dict[str, str]:
    """The preset's columns that the file has (matched ignoring case and spaces)."""
    columns = {_key(name): name for name in header}
    return {
        ours: columns[_key(theirs)]
        for ours, theirs in PRESETS[preset].columns.items()
        if _key(theirs) in columns
    }


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().lower()


def missing_fields(mapping: dict[str, str]) -> list[str]:
    return [f for f in REQUIRED if not mapping.get(f)]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


@dataclass
class _Order:
    lines: list[int]
    cells: dict[str, str]
    items: list[dict[str, str]]


def _orders(rows: Iterator[Row], mapping: dict[str, str]) -> Iterator[_Order]:
    """Consecutive rows with the same id (or none: the order above), as one order each."""
    current: _Order | None = None
    for row in rows:
        cells = {ours: row.cells.get(theirs, "") for ours, theirs in mapping.items()}
        # A row without an id continues the order above (Shopify's Id is on its first row only).
        if current is not None and cells.get("id", "") in ("", current.cells.get("id")):
            for name in ORDER_FIELDS:  # the order's cells are often on its first row only
                if not current.cells.get(name) and cells.get(name):
                    current.cells[name] = cells[name]
        else:
            if current is not None:
                yield current
            current = _Order([], cells, [])
        current.lines.append(row.line)
        current.items.append({k: v for k, v in cells.items() if k not in ORDER_FIELDS})
    if current is not None:
        yield current


def _number(value: str) -> str:
    """9,50 (French) or 1,234.50 as 9.50 and 1234.50; anything else as given."""
    value = value.strip().replace("\u00a0", "").replace(" ", "")
    if "," in value and "." in value:
        return value.replace(",", "")
    return value.replace(",", ".")


def _item(cells: dict[str, str]) -> dict[str, Any]:
    item: dict[str, Any] = {"sku": cells.get("sku", "")}
    if cells.get("quantity"):
        item["quantity"] = _number(cells["quantity"])
    if cells.get("unit_price"):
        item["unit_price"] = _number(cells["unit_price"])
    elif cells.get("line_total"):
        try:
            quantity = float(_number(cells.get("quantity") or "1"))
            item["unit_price"] = str(round(float(_number(cells["line_total"])) / quantity, 2))
        except (ValueError, ZeroDivisionError):
            item["unit_price"] = cells["line_total"]  # validation names it
    return item


def order_input(order: _Order, zone: ZoneInfo) -> dict[str, Any]:
    """The order as POST /api/v1/orders takes it."""
    cells = order.cells
    name = cells.get("name") or " ".join(
        part for part in (cells.get("first_name"), cells.get("last_name")) if part
    )
    customer: dict[str, Any] = {"email": cells.get("email", "")}
    if name:
        customer["name"] = name
    if cells.get("customer_id") not in (None, "", "0"):  # 0: a guest (WooCommerce)
        customer["external_id"] = cells["customer_id"]
    if cells.get("locale"):
        customer["locale"] = cells["locale"]
    data: dict[str, Any] = {
        "id": cells.get("id", ""),
        "customer": customer,
        "items": [_item(item) for item in order.items],
        "ordered_at": moment(cells.get("ordered_at", ""), zone),
    }
    if delivered := moment(cells.get("delivered_at", ""), zone):
        data["delivered_at"] = delivered
    return data


def _line_of(order: _Order, error_field: str) -> int:
    """The line of the item an error names (items.2.quantity), else the order's first."""
    found = re.match(r"items\.(\d+)\.", error_field)
    if found and int(found[1]) < len(order.lines):
        return order.lines[int(found[1])]
    return order.lines[0]


async def import_orders(
    shop: Shop,
    path: Path,
    mapping: dict[str, str],
    advance: Callable[[int], None] = lambda rows: None,
) -> ImportReport:
    """Import the file's orders through the batch path (source "csv"), a thousand at a time.
    `advance(n)` after each batch, with its number of rows. Raises CsvProblem if the file
    cannot be read or lacks a required column."""
    missing = missing_fields(mapping)
    if missing:
        raise CsvProblem(N_("No column for: %(fields)s."), fields=", ".join(missing))
    zone = ZoneInfo(shop.timezone)
    report = ImportReport()
    seen: set[str] = set()
    with open_table(path) as (header, rows):
        absent = sorted(set(mapping.values()) - set(header))
        if absent:
            raise CsvProblem(N_("The file has no column %(columns)s."), columns=", ".join(absent))
        chunk: list[_Order] = []
        for order in _orders(rows, mapping):
            order_id = order.cells.get("id", "")
            if order_id and order_id in seen:
                report.rejected.append(
                    (order.lines[0], f"rows of order {order_id} are not together: sort by order")
                )
                continue
            seen.add(order_id)
            chunk.append(order)
            if len(chunk) == MAX_BATCH:
                await _write(shop, chunk, zone, report)
                advance(sum(len(o.lines) for o in chunk))
                chunk = []
        if chunk:
            await _write(shop, chunk, zone, report)
            advance(sum(len(o.lines) for o in chunk))
    report.rejected.sort()
    return report


async def _write(shop: Shop, chunk: list[_Order], zone: ZoneInfo, report: ImportReport) -> None:
    results = await upsert_batch(shop, [order_input(o, zone) for o in chunk], source="csv")
    for order, result in zip(chunk, results, strict=True):
        if result.status == "created":
            report.created += 1
        elif result.status == "updated":
            report.updated += 1
        else:
            for name, reason in (result.errors or {}).items():
                report.rejected.append((_line_of(order, name), f"{name}: {reason}"))
