"""`feedback-service sentiment` and `export` as a shell user runs them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from subprocess import CompletedProcess

import httpx
import pytest


def test_sentiment_cli_keeps_order_and_count(run_cli: Callable[..., CompletedProcess[str]]) -> None:
    texts = ["Nickel, rien à redire", "Arrived broken, very disappointed", "bof", "", "{{7*7}}"]
    lines = [json.dumps({"id": str(n), "text": texts[n % len(texts)]}) for n in range(1000)]
    lines[500] = "not json"
    run = run_cli("sentiment", stdin="\n".join(lines) + "\n")
    assert run.returncode == 0, run.stderr
    out = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(out) == 1000
    assert [o["id"] for o in out if "error" not in o] == [str(n) for n in range(1000) if n != 500]
    assert out[0]["label"] == "positive" and out[0]["language"] == "fr"
    assert out[1]["label"] == "negative" and out[1]["language"] == "en"
    assert all(-1 <= o["score"] <= 1 for o in out if "score" in o)


@pytest.mark.slow
async def test_export_neutralises_formulas(
    api: httpx.AsyncClient, run_cli: Callable[..., CompletedProcess[str]]
) -> None:
    created = await api.post(
        "/api/v1/invitations",
        json={"survey": "nps", "customer": {"email": "x@y.fr", "name": "=cmd|'/c calc'!A1"}},
    )
    inv = created.json()
    await api.post(
        f"/s/{inv['token']}/comment", data={"comment": "+SUM(1,2) @evil -1", "score": "8"}
    )
    run = run_cli("export", "responses", "test-shop")
    assert run.returncode == 0, run.stderr
    [row] = list(csv.DictReader(io.StringIO(run.stdout)))
    assert row["comment"] == "'+SUM(1,2) @evil -1"
    assert row["customer_name"] == "'=cmd|'/c calc'!A1"
    assert row["score"] == "8" and row["customer_email"] == "x@y.fr"
    as_json = run_cli("export", "responses", "test-shop", "--format", "jsonl")
    assert json.loads(as_json.stdout)["comment"] == "+SUM(1,2) @evil -1"  # JSON keeps the text
    bad = run_cli("export", "orders", "test-shop")
    assert bad.returncode == 2
