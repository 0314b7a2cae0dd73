"""The small text helpers both analysers share: folding, VADER's normalisation and
emphasis, typed ratings, phrases, tokens and clause spans."""

from __future__ import annotations

import math

import pytest

from feedback_service.sentiment.textutils import (
    CLAUSE_BREAK,
    NO_BREAK,
    SENTENCE_BREAK,
    ScoredTokens,
    apply_emphasis,
    build_phrase_index,
    fold,
    match_phrase,
    normalise_score,
    punctuation_emphasis,
    rating_valence,
    round4,
    whitespace_tokens,
)


def test_fold_makes_one_key_of_case_accents_ligatures_and_apostrophes() -> None:
    assert fold("Déçu") == fold("decu") == fold("DECU") == "decu"
    assert fold("ŒUF Straße") == "oeuf strasse"
    assert fold("c’est") == fold("c‘est") == "c'est"


def test_round4() -> None:
    assert round4(0.123456) == 0.1235
    assert round4(-0.98766) == -0.9877
    assert round4(0.0) == 0.0


def test_normalise_squashes_into_minus_one_one_keeping_the_sign() -> None:
    assert normalise_score(0.0) == 0.0 and normalise_score(math.nan) == 0.0
    assert normalise_score(math.sqrt(15)) == pytest.approx(math.sqrt(0.5))  # VADER's alpha 15
    assert normalise_score(-math.sqrt(15)) == pytest.approx(-math.sqrt(0.5))
    values = [normalise_score(raw) for raw in (-1e6, -10, -1, 1, 10, 1e6)]
    assert values == sorted(values) and all(-1.0 <= v <= 1.0 for v in values)


def test_punctuation_emphasis_as_vader() -> None:
    assert punctuation_emphasis("Bien") == 0.0
    assert punctuation_emphasis("Top!") == pytest.approx(0.292)
    assert punctuation_emphasis("Top!!!!!!!") == pytest.approx(4 * 0.292)  # four at most
    assert punctuation_emphasis("Really??") == pytest.approx(0.36)
    assert punctuation_emphasis("Really????") == pytest.approx(0.96)
    assert apply_emphasis(1.0, "!") == pytest.approx(1.292)
    assert apply_emphasis(-1.0, "!") == pytest.approx(-1.292)
    assert apply_emphasis(0.0, "!!!") == 0.0  # nothing to emphasise


@pytest.mark.parametrize(
    ("token", "valence"),
    [
        ("5/5", 2.5),
        ("10 / 10", 2.5),
        ("7/10", 1.2),
        ("3/5", 0.0),
        ("2/5", -1.8),
        ("1/5", -2.8),
        ("0/20", -2.8),
        ("6/5", 0.0),  # more than the scale: not a rating
        ("5/4", 0.0),  # not a scale people use
        ("merci", 0.0),
    ],
)
def test_typed_ratings(token: str, valence: float) -> None:
    assert rating_valence(token) == valence


def test_the_longest_phrase_wins_but_never_across_a_comma() -> None:
    index = build_phrase_index([("well", "made"), ("well", "made", "product"), ("top",)])
    assert list(index) == [("well", "made")]  # one-word "phrases" are plain words
    keys = ["well", "made", "product"]
    assert match_phrase(keys, 0, index, None) == ("well", "made", "product")
    assert match_phrase(["well", "made", "kettle"], 0, index, None) == ("well", "made")
    assert match_phrase(["well", "made"], 0, index, ["well,", "made"]) is None
    assert match_phrase(["well"], 0, index, None) is None
    assert match_phrase(keys, 1, index, None) is None


def test_whitespace_tokens_keep_the_text_and_strip_punctuation_from_keys() -> None:
    tokens = whitespace_tokens("Hello, WORLD!! ... Top")
    assert tokens.raw == ["Hello,", "WORLD!!", "...", "Top"]
    assert tokens.keys == ["hello", "world", "", "top"]
    assert tokens.lowered == "hello, world!! ... top"
    assert tokens.lowered_raw == ["hello,", "world!!", "...", "top"]
    assert whitespace_tokens("").keys == []


def test_clause_spans_from_punctuation_and_clause_words() -> None:
    tokens = ScoredTokens(
        keys=["livraison", "rapide", "mais", "prix", "eleve"],
        valences=[0, 2, 0, 0, -1.5],
        clause_words=frozenset({"mais"}),
        raw=["Livraison", "rapide", "mais", "prix", "élevé."],
    )
    assert tokens.span(0, sentence=False) == (0, 2)  # "mais" opens the next clause
    assert tokens.span(3, sentence=False) == (2, 5)
    assert tokens.span(3, sentence=True) == (0, 5)


def test_clause_spans_from_given_boundaries_or_the_whole_text() -> None:
    codes = [CLAUSE_BREAK, NO_BREAK, SENTENCE_BREAK]
    tokens = ScoredTokens(
        keys=["a", "b", "c"], valences=[0, 0, 0], clause_words=frozenset(), boundaries=codes
    )
    assert tokens.span(0, sentence=False) == (0, 1)
    assert tokens.span(1, sentence=False) == (1, 3)
    assert tokens.span(1, sentence=True) == (0, 3)
    unknown = ScoredTokens(keys=["a", "b"], valences=[0, 0], clause_words=frozenset())
    assert unknown.span(1, sentence=False) == (0, 2)
