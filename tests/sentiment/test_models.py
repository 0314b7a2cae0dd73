"""The analyser's result types: labels from scores, and the JSON shape the CLI and the API
give."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from feedback_service.sentiment.models import (
    NEGATIVE_THRESHOLD,
    POSITIVE_THRESHOLD,
    Aspect,
    Sentiment,
    label_for,
)


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (1.0, "positive"),
        (0.3, "positive"),
        (0.0, "neutral"),
        (-0.3, "negative"),
        (-1.0, "negative"),
    ],
)
def test_labels_from_scores(score: float, label: str) -> None:
    assert label_for(score) == label
    assert (NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD) == (-0.05, 0.05)  # VADER's own


def test_a_result_as_json() -> None:
    result = Sentiment(
        -0.42,
        "negative",
        "fr",
        (Aspect("delivery", -0.6, "negative"), Aspect("price", 0.3, "positive")),
    )
    assert result.as_dict() == {
        "score": -0.42,
        "label": "negative",
        "language": "fr",
        "aspects": [
            {"name": "delivery", "score": -0.6, "label": "negative"},
            {"name": "price", "score": 0.3, "label": "positive"},
        ],
    }
    assert Sentiment(0.0, "neutral", "en").as_dict()["aspects"] == []


def test_results_are_values() -> None:
    aspect = Aspect("price", 0.3, "positive")
    assert aspect == Aspect("price", 0.3, "positive") and hash(aspect) == hash(
        Aspect("price", 0.3, "positive")
    )
    with pytest.raises(FrozenInstanceError):
        aspect.score = 1.0  # type: ignore[misc]
