"""Reading pages the way search engines and social networks do: the markup checker
(tests/markup_check.py), extruct's microdata, the head's tags, the visible text."""

from __future__ import annotations

from typing import Any

import extruct
import lxml.html
from markup_check import assert_markup_ok, check

__all__ = ["assert_markup_ok", "check"]


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


def head_tags(html: str) -> str:
    head = lxml.html.document_fromstring(html).find("head")
    assert head is not None
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in head)


def metas(html: str) -> dict[str, str]:
    """The content of each <meta property=...> or <meta name=...>, by its key."""
    doc = lxml.html.document_fromstring(html)
    found = {}
    for meta in doc.iter("meta"):
        key = meta.get("property") or meta.get("name")
        if key:
            found[key] = meta.get("content", "")
    return found


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
