"""Accuracy and macro-F1 of labelled comment sets, as the benchmark and the goals use them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from feedback_service.sentiment.evaluation import (
    LabelledText,
    evaluate,
    f1_per_label,
    load_labelled,
    score_predictions,
)


def test_f1_of_each_label() -> None:
    gold = ["positive", "positive", "negative", "neutral"]
    predicted = ["positive", "negative", "negative", "negative"]
    # positive: P 1, R 1/2 -> 2/3; negative: P 1/3, R 1 -> 1/2; neutral: nothing right -> 0
    assert f1_per_label(gold, predicted) == pytest.approx(
        {"negative": 0.5, "neutral": 0.0, "positive": 2 / 3}
    )


def test_perfect_predictions() -> None:
    gold = ["positive", "neutral", "negative"]
    scores = score_predictions(gold, gold)
    assert (scores.accuracy, scores.macro_f1) == (1.0, 1.0)


@pytest.mark.parametrize(("gold", "predicted"), [([], []), (["positive"], [])])
def test_predictions_must_pair_with_gold_labels(gold: list[str], predicted: list[str]) -> None:
    with pytest.raises(ValueError, match="as many predictions"):
        score_predictions(gold, predicted)


def test_evaluate_scores_a_predictor_on_labelled_rows() -> None:
    rows = [LabelledText("bien", "positive"), LabelledText("nul", "negative")]
    scores = evaluate(iter(rows), lambda text: "positive")  # any iterable, read once
    assert scores.accuracy == 0.5
    assert scores.per_label_f1["positive"] == pytest.approx(2 / 3)


def test_labelled_files_are_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    lines = [{"text": "Top", "label": "positive"}, {"text": 42, "label": "neutral"}]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n", encoding="utf-8")
    assert load_labelled(path) == [
        LabelledText("Top", "positive"),
        LabelledText("42", "neutral"),
    ]
    path.write_text('{"text": "Top", "label": "positive"}\n{"text": "Bof", "label": "meh"}\n')
    with pytest.raises(ValueError, match="set.jsonl:2: label must be one of"):
        load_labelled(path)
