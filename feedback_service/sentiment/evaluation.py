"""Metrics for labelled comment sets (shared by the benchmark and the tests)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class LabelledText:
    text: str
    label: str


@dataclass(frozen=True)
class Scores:
    accuracy: float
    macro_f1: float
    per_label_f1: dict[str, float]


def load_labelled(path: Path) -> list[LabelledText]:
    """Read a JSON-lines file of {"text": ..., "label": negative|neutral|positive}."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            if record.get("label") not in LABELS:
                raise ValueError(f"{path}:{line_no}: label must be one of {LABELS}")
            rows.append(LabelledText(str(record["text"]), record["label"]))
    return rows


def f1_per_label(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    scores = {}
    for label in LABELS:
        true_pos = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        false_pos = sum(
            1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label
        )
        false_neg = sum(
            1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label
        )
        precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 0.0
        recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 0.0
        total = precision + recall
        scores[label] = 2 * precision * recall / total if total else 0.0
    return scores


def score_predictions(gold: Sequence[str], predicted: Sequence[str]) -> Scores:
    """Accuracy and macro-F1 (unweighted mean of the three labels' F1)."""
    if len(gold) != len(predicted) or not gold:
        raise ValueError("need as many predictions as gold labels, and at least one")
    per_label = f1_per_label(gold, predicted)
    accuracy = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p) / len(gold)
    return Scores(accuracy, sum(per_label.values()) / len(LABELS), per_label)


def evaluate(rows: Iterable[LabelledText], predict: Callable[[str], str]) -> Scores:
    """Score ``predict`` (text -> label) on labelled rows."""
    materialised = list(rows)
    predicted = [predict(row.text) for row in materialised]
    return score_predictions([row.label for row in materialised], predicted)
