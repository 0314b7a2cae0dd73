"""run_jsonl: streaming JSON-lines scoring keeps order and count, bad lines included."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

from feedback_service.sentiment.cli import FLUSH_EVERY, run_jsonl

TEXTS = [
    "Livraison rapide, produit conforme. Je recommande !",
    "Colis jamais reçu, arnaque.",
    "Fast shipping and great quality",
    "Arrived broken, very disappointed",
    "ok",
]


def _lines(count: int) -> list[str]:
    """``count`` input lines; every 7th is invalid JSON, every 11th lacks "text"."""
    lines = []
    for index in range(count):
        if index % 7 == 3:
            lines.append("{not json at all\n")
        elif index % 11 == 5:
            lines.append(json.dumps({"id": f"r{index}", "body": "no text field"}) + "\n")
        else:
            record = {"id": f"r{index}", "text": TEXTS[index % len(TEXTS)]}
            lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return lines


def test_thousand_lines_keep_order_and_count_with_bad_lines() -> None:
    lines = _lines(1000)
    out = io.StringIO()
    assert run_jsonl(io.StringIO("".join(lines)), out) == 1000
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(results) == 1000
    for index, result in enumerate(results):
        if index % 7 == 3:
            assert result == {"id": None, "error": result["error"]}
            assert result["error"].startswith("invalid JSON")
        elif index % 11 == 5:
            assert result["id"] == f"r{index}"
            assert "text" in result["error"]
        else:
            assert result["id"] == f"r{index}"
            assert set(result) == {"id", "score", "label", "language", "aspects"}
            assert result["label"] in {"negative", "neutral", "positive"}
            assert -1.0 <= result["score"] <= 1.0
    assert results[0]["language"] == "fr" and results[0]["label"] == "positive"
    assert results[2]["language"] == "en" and results[2]["label"] == "positive"


def test_locale_field_is_the_fallback_for_short_texts() -> None:
    lines = [
        json.dumps({"id": 1, "text": "ok", "locale": "fr_FR"}),
        json.dumps({"id": 2, "text": "ok", "locale": "en_US"}),
        json.dumps({"id": 3, "text": "ok"}),
        json.dumps({"id": 4, "text": "ok", "locale": None}),
    ]
    out = io.StringIO()
    run_jsonl(io.StringIO("\n".join(lines) + "\n"), out)
    languages = [json.loads(line)["language"] for line in out.getvalue().splitlines()]
    assert languages == ["fr", "en", "en", "en"]


def test_odd_lines_get_an_error_in_place() -> None:
    lines = ["", "[1, 2]", '"just a string"', '{"id": 9, "text": 42}', "NaN", '{"id": "ok"']
    out = io.StringIO()
    assert run_jsonl(io.StringIO("\n".join(lines) + "\n"), out) == len(lines)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert all("error" in result for result in results)
    assert results[3]["id"] == 9


class _CountingInput:
    """Iterable text input that remembers how many lines were read so far."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.read = 0

    def __iter__(self) -> Iterator[str]:
        for line in self.lines:
            self.read += 1
            yield line


class _FlushSpy(io.StringIO):
    def __init__(self, source: _CountingInput) -> None:
        super().__init__()
        self.source = source
        self.read_at_flush: list[int] = []

    def flush(self) -> None:
        self.read_at_flush.append(self.source.read)
        super().flush()


def test_streams_instead_of_loading_the_whole_input() -> None:
    source = _CountingInput(_lines(3 * FLUSH_EVERY + 5))
    out = _FlushSpy(source)
    run_jsonl(source, out)  # type: ignore[arg-type]
    # Output is flushed while the input is still being read, batch by batch.
    assert out.read_at_flush[0] == FLUSH_EVERY
    assert out.read_at_flush[:3] == [FLUSH_EVERY, 2 * FLUSH_EVERY, 3 * FLUSH_EVERY]


def test_unicode_ids_and_surrogates_are_written_safely() -> None:
    line = json.dumps({"id": "café-\ud800", "text": "Très bien"}) + "\n"
    out = io.StringIO()
    run_jsonl(io.StringIO(line), out)
    assert json.loads(out.getvalue())["id"] == "café-\ud800"


def test_the_default_locale_decides_short_texts_without_their_own() -> None:
    lines = [json.dumps({"id": 1, "text": "ok"}), json.dumps({"id": 2, "text": "ok", "locale": ""})]
    out = io.StringIO()
    assert run_jsonl(io.StringIO("\n".join(lines) + "\n"), out, default_locale="fr_FR") == 2
    assert [json.loads(line)["language"] for line in out.getvalue().splitlines()] == ["fr", "fr"]
