"""Reading CSV files that people export from other platforms and spreadsheets.

What such files do: UTF-8 with or without a BOM, Windows-1252 from Excel, UTF-16 from
Excel's "Unicode text"; commas, semicolons (French Excel, PrestaShop) or tabs; cells that
a spreadsheet would run as formulas (kept as text here, never evaluated: the exports
neutralise them); NUL characters and giant cells from damaged or hostile files (csv refuses
a cell over 128 kB; each field's validation refuses NUL and what is too long for it)."""

from __future__ import annotations

import _csv
import codecs
import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from feedback_service.i18n import N_

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DELIMITERS = (",", ";", "\t", "|")
_PROBE = 1 << 16


class CsvProblem(ValueError):
    """The file cannot be read as a table. `message` (a msgid, English) and `values` say why,
    for the user, in their language."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message % values if values else message)
        self.message = message
        self.values = values


@dataclass(frozen=True)
class Row:
    line: int  # of the row's first line in the file (1: the header)
    cells: dict[str, str]  # by column; NUL and length are left to each field's validation


def encoding_of(path: Path) -> str:
    """utf-16 (with its BOM), utf-8-sig (with or without a BOM), else cp1252."""
    with path.open("rb") as handle:
        start = handle.read(4)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(_PROBE):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def delimiter_of(header_line: str) -> str:
    """The separator the header line uses most (a header never quotes its separator)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def restore(value: str) -> str:
    """A cell as text: trimmed; a formula our exports neutralised ('=…) gets its text back."""
    value = value.strip()
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


@contextmanager
def open_table(path: Path) -> Iterator[tuple[list[str], Iterator[Row]]]:
    """The header (column names, trimmed) and the rows of a CSV file."""
    encoding = encoding_of(path)
    with path.open(newline="", encoding=encoding, errors="replace") as handle:
        first = handle.readline()
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter_of(first))
        try:
            header = [restore(name) for name in next(reader)]
        except StopIteration:
            raise CsvProblem(N_("The file is empty.")) from None
        except csv.Error as exc:
            raise CsvProblem(N_("Line %(line)s: %(reason)s"), line=1, reason=str(exc)) from None
        if not any(header):
            raise CsvProblem(N_("The first line must name the columns."))
        yield header, _rows(reader, header)


def _rows(reader: _csv.Reader, header: list[str]) -> Iterator[Row]:
    while True:
        line = reader.line_num + 1
        try:
            values: list[str] = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvProblem(N_("Line %(line)s: %(reason)s"), line=line, reason=str(exc)) from None
        if not any(v.strip() for v in values):
            continue  # blank lines, and the empty lines spreadsheets leave at the end
        cells: dict[str, str] = {}
        for name, value in zip(header, values, strict=False):
            if name and name not in cells:
                cells[name] = restore(value)
        yield Row(line, cells)


def moment(value: str, zone: ZoneInfo) -> str | None:
    """A platform's date as ISO 8601 with an offset: naive times are the shop's local time,
    a date alone is its midnight; an empty or zero date (PrestaShop's 0000-00-00) is None."""
    value = value.strip()
    if not value or value.startswith("0000-00-00"):
        return None
    text = re.sub(r" ?UTC$", "+00:00", value)  # "2026-11-02 10:00:00 UTC"
    text = re.sub(r" ([+-]\d{2}):?(\d{2})$", r"\1:\2", text)  # Shopify's " -0500"
    try:
        found = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        day_first = _day_first(value)
        if day_first is None:
            return value  # left for validation to name
        found = day_first
    if found.tzinfo is None:
        found = found.replace(tzinfo=zone)
    return found.isoformat()


def _day_first(value: str) -> datetime | None:
    """31/12/2026 or 31.12.2026, with or without 14:05[:09] (French exports)."""
    found = re.fullmatch(
        r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?", value
    )
    if found is None:
        return None
    day, month, year, hour, minute, second = (int(part or 0) for part in found.groups())
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def count_rows(path: Path) -> int:
    """Rows after the header (for a progress bar; multi-line cells counted once)."""
    with open_table(path) as (_, rows):
        return sum(1 for _ in rows)
