"""Shared helpers of the widget tests: the markup checker and extruct readings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import extruct
import lxml.html

CHECKER = Path(__file__).resolve().parents[2].parent / "shared" / "tools" / "check_markup.py"


def check_markup(html: str, kind: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Runs the shared checker of Google's rules on `html` as a file."""
    target = tmp_path / f"{kind}.html"
    target.write_text(html, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(CHECKER), str(target), "--kind", kind],
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_markup_ok(html: str, kind: str, tmp_path: Path) -> str:
    result = check_markup(html, kind, tmp_path)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "error:" not in report, report
    return report


def microdata(html: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = extruct.extract(html, syntaxes=["microdata"], uniform=True)[
        "microdata"
    ]
    return items


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def products(html: str) -> list[dict[str, Any]]:
    return [item for item in microdata(html) if item.get("@type") == "Product"]


def visible_text(html: str) -> str:
    doc = lxml.html.document_fromstring(html)
    for element in doc.xpath("//style | //script"):
        element.drop_tree()
    return " ".join(doc.text_content().split())


def all_types(item: Any) -> set[str]:
    """Every @type in an extruct item tree."""
    found: set[str] = set()
    if isinstance(item, dict):
        found.update(str(t) for t in as_list(item.get("@type")))
        for value in item.values():
            found |= all_types(value)
    elif isinstance(item, list):
        for value in item:
            found |= all_types(value)
    return found
