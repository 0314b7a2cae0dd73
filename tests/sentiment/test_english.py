"""English scoring: VADER's rules token by token, with the shop vocabulary of en_lexicon.tsv."""

from __future__ import annotations

import pytest

from feedback_service.sentiment.english import english_analyser
from feedback_service.sentiment.textutils import whitespace_tokens


def score(text: str) -> float:
    return english_analyser().score(text, whitespace_tokens(text))[0]


@pytest.mark.parametrize(
    "text",
    ["I love this kettle, it is great", "Excellent quality and fast shipping", "Perfect 5/5"],
)
def test_clearly_happy_comments_score_positive(text: str) -> None:
    assert score(text) > 0.3


@pytest.mark.parametrize(
    "text",
    [
        "Terrible product, it broke after two days",
        "Arrived late and damaged, very disappointed",
        "Awful customer service, never again",
    ],
)
def test_clearly_unhappy_comments_score_negative(text: str) -> None:
    assert score(text) < -0.3


def test_negation_turns_praise_around() -> None:
    assert score("The kettle is good") > 0
    assert score("The kettle is not good") < 0


def test_exclamation_marks_push_the_score_further() -> None:
    assert 0 < score("Great") < score("Great!") < score("Great!!!") <= 1.0


def test_scores_stay_within_minus_one_one_and_tokens_line_up() -> None:
    text = "great " * 500 + "!!!!"
    raw, tokens = english_analyser().score(text, whitespace_tokens(text))
    assert -1.0 <= raw <= 1.0
    assert len(tokens.keys) == len(tokens.valences) > 500


def test_one_shared_analyser() -> None:
    assert english_analyser() is english_analyser()
