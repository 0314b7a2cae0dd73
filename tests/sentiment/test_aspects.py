"""Aspect tags: bilingual keywords on accent-folded tokens (exact or prefix), each aspect
scored on the clause that mentions it."""

from __future__ import annotations

import pytest

from feedback_service.sentiment.aspects import ASPECT_KEYWORDS, _entries, aspect_of, find_aspects
from feedback_service.sentiment.textutils import ScoredTokens


@pytest.mark.parametrize(
    ("key", "aspect"),
    [
        ("livraison", "delivery"),
        ("colis", "delivery"),
        ("delivered", "delivery"),
        ("prix", "price"),
        ("expensive", "price"),
        ("qualite", "quality"),
        ("sav", "customer_service"),
        ("remboursement", "returns_refunds"),
        ("refund", "returns_refunds"),
        ("taille", "size_fit"),
        ("emballage", "packaging"),
    ],
)
def test_keywords_of_either_language_name_their_aspect(key: str, aspect: str) -> None:
    assert aspect_of(key) == aspect


def test_overrides_and_phrases() -> None:
    assert aspect_of("package") == "delivery"  # the parcel...
    assert aspect_of("packaging") == "packaging"  # ...not its wrapping
    assert aspect_of("rapport qualite prix") == "price"
    assert aspect_of("repond a mes attentes") is None  # expectations, not the helpdesk
    assert aspect_of("service impeccable") == "customer_service"  # by its first aspect word
    assert aspect_of("bonjour") is None and aspect_of("") is None


def test_every_aspect_has_keywords_in_the_table() -> None:
    assert set(ASPECT_KEYWORDS) == {
        "delivery",
        "price",
        "quality",
        "customer_service",
        "returns_refunds",
        "size_fit",
        "packaging",
    }
    assert _entries(" a, b c ,\n  d\n  e, ,") == ("a", "b c", "d e")


def tokens(raw: list[str], valences: list[float], clause_words: set[str]) -> ScoredTokens:
    keys = [word.lower().strip(".,") for word in raw]
    return ScoredTokens(keys=keys, valences=valences, clause_words=frozenset(clause_words), raw=raw)


def test_each_aspect_takes_the_polarity_of_its_own_clause() -> None:
    found = find_aspects(
        tokens(["Livraison", "rapide", "mais", "prix", "eleve."], [0, 2, 0, 0, -1.5], {"mais"})
    )
    assert [(a.name, a.label) for a in found] == [("delivery", "positive"), ("price", "negative")]


def test_a_clause_without_sentiment_borrows_its_sentence() -> None:
    found = find_aspects(tokens(["Prix", "et", "qualite", "excellents."], [0, 0, 0, 3], {"et"}))
    assert [(a.name, a.label) for a in found] == [("price", "positive"), ("quality", "positive")]


def test_an_aspect_in_several_clauses_gets_their_mean() -> None:
    found = find_aspects(
        tokens(["Livraison", "rapide.", "Livraison", "lente."], [0, 2, 0, -2], set())
    )
    assert [(a.name, a.score, a.label) for a in found] == [("delivery", 0.0, "neutral")]


def test_no_aspect_word_no_aspect() -> None:
    assert find_aspects(tokens(["Merci", "beaucoup"], [1, 0], set())) == ()
