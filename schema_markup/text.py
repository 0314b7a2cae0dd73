"""Text and URL hygiene shared by every output: HTML blocks, meta tags and the XML feed."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# C0/C1 controls (but tab and newline), lone surrogates and U+FFFE/U+FFFF: invalid in
# XML 1.0 and invisible in HTML, so they only ever serve to hide or break things.
_INVALID_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
# Bidi embeddings, overrides and isolates: a single U+202E can make "gpj.exe" read
# "exe.jpg" and flip the text around the user's own. The invisible marks (ALM, LRM, RLM)
# go too: they move punctuation and digits around a name without being seen.
_BIDI_CHARS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# U+2028/U+2029 end a line in JavaScript and JSON-in-script; in text they mean a newline.
_BREAK_CHARS = "\r\u2028\u2029\x85"
_INVALID = re.compile(f"[{_INVALID_CHARS}]")
_BIDI_CONTROLS = re.compile(f"[{_BIDI_CHARS}]")
_LINE_BREAKS = re.compile(f"\r\n|[{_BREAK_CHARS}]")
_TO_CLEAN = re.compile(f"[{_INVALID_CHARS}{_BIDI_CHARS}{_BREAK_CHARS}]")


def clean_text(value: object) -> str:
    """User text made safe to place anywhere: controls and bidi overrides removed."""
    text = str(value)
    if not _TO_CLEAN.search(text):
        return text  # the usual case, and one search is cheaper than three substitutions
    text = _LINE_BREAKS.sub("\n", text)
    return _BIDI_CONTROLS.sub("", _INVALID.sub("", text))


def clean_line(value: object) -> str:
    """`clean_text` on one line, whitespace collapsed: for names, titles and attributes."""
    return " ".join(clean_text(value).split())


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, with an ellipsis when something was cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def safe_http_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) URL, else None (javascript:, data:, relative...)."""
    if not url:
        return None
    candidate = clean_line(url)
    if any(ch in candidate for ch in " <>\"'`\\"):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return candidate
