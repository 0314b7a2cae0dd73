"""French scoring: our lexicon (fr_lexicon.tsv) with French negation ("ne ... pas"),
boosters and contrast."""

from __future__ import annotations

import pytest

from feedback_service.sentiment.french import french_analyser, load_lexicon


def score(text: str) -> float:
    return french_analyser().score(text)[0]


@pytest.mark.parametrize(
    "text",
    ["Très bon produit, je recommande", "Parfait, livraison rapide", "Super qualité, merci"],
)
def test_clearly_happy_comments_score_positive(text: str) -> None:
    assert score(text) > 0.3


@pytest.mark.parametrize(
    "text",
    [
        "Produit nul, cassé à la réception",
        "Colis jamais reçu, très déçu",
        "Service client injoignable, une honte",
    ],
)
def test_clearly_unhappy_comments_score_negative(text: str) -> None:
    assert score(text) < -0.3


def test_negation_turns_praise_around() -> None:
    assert score("Ce produit est bon") > 0
    assert score("Ce produit n'est pas bon") < 0
    assert score("Ce produit est pas bon") < 0  # the "ne" is often dropped


def test_accents_and_case_do_not_matter() -> None:
    assert score("Très déçu") == score("tres decu") == score("TRÈS DÉÇU")


def test_given_chunks_score_as_the_text_and_tokens_line_up() -> None:
    text = "Bien emballé mais arrivé cassé"
    raw, tokens = french_analyser().score(text)
    assert french_analyser().score(text, text.split())[0] == raw
    assert len(tokens.keys) == len(tokens.valences)
    assert -1.0 <= raw <= 1.0


def test_the_lexicon_is_folded_and_its_words_are_language_evidence() -> None:
    lexicon = load_lexicon()
    assert lexicon.words["decu"] < 0 < lexicon.words["parfait"]
    assert all(key == key.lower() and "é" not in key for key in lexicon.words)
    words = french_analyser().lexicon_words()
    assert {"bon", "nul", "parfait"} <= words
    assert not any(" " in word for word in words)
