"""Batch scoring of JSON lines, for the ``feedback-service sentiment`` command.

Input, one object per line: ``{"id": "...", "text": "...", "locale": "fr_FR"}``
(``locale`` optional: the language used when a comment is too short to detect).
Output, one line per input line, same order:
``{"id", "score", "label", "language", "aspects": [...]}``, or ``{"id", "error"}``
when the line cannot be scored, so that output line N always answers input line N.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from .services import analyse

# Flush every FLUSH_EVERY lines: a consumer reading a pipe sees results while a large
# file is still being processed, without paying a flush per line.
FLUSH_EVERY = 100
DEFAULT_LOCALE = "en"


def _result_for(line: str, default_locale: str) -> dict[str, Any]:
    """The output object for one input line (never raises)."""
    if not line.strip():
        return {"id": None, "error": "empty line"}
    try:
        record = json.loads(line)
    except ValueError as exc:  # JSONDecodeError, or a number too large to parse
        return {"id": None, "error": f"invalid JSON: {getattr(exc, 'msg', exc)}"}
    if not isinstance(record, dict):
        return {"id": None, "error": "each line must be a JSON object"}
    record_id = record.get("id")
    text = record.get("text")
    if not isinstance(text, str):
        return {"id": record_id, "error": "missing or non-string 'text'"}
    locale = record.get("locale")
    if not isinstance(locale, str) or not locale:
        locale = default_locale
    return {"id": record_id, **analyse(text, locale).as_dict()}


def run_jsonl(infile: TextIO, outfile: TextIO, default_locale: str = DEFAULT_LOCALE) -> int:
    """Score every line of ``infile`` into ``outfile``; return the number of lines written.

    Streams: one line in memory at a time. Every input line, blank ones included,
    produces exactly one output line, so results can be zipped with the input.
    """
    count = 0
    for line in infile:
        result = _result_for(line, default_locale)
        # ensure_ascii: ids and texts may hold lone surrogates that a UTF-8 file cannot.
        outfile.write(json.dumps(result, ensure_ascii=True) + "\n")
        count += 1
        if count % FLUSH_EVERY == 0:
            outfile.flush()
    outfile.flush()
    return count
