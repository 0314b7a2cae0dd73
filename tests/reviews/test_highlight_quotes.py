"""How highlights count aspects and take their quotes (pure functions, no database)."""

from __future__ import annotations

import random
import re

from feedback_service.reviews.highlights import (
    MAX_QUOTE_CHARS,
    SourceReview,
    candidate_ids,
    summarise,
    tally,
)


def review(id_: int, language: str, *aspects: tuple[str, str], helpful: int = 0) -> SourceReview:
    named = [{"name": name, "score": 0.5, "label": label} for name, label in aspects]
    return SourceReview(id_, language, named, helpful)


def quote_of(text: str, aspect: str, voice: str, language: str = "en") -> dict | None:  # type: ignore[type-arg]
    reviews = [review(1, language, (aspect, voice)), review(2, language, (aspect, voice))]
    [result] = summarise(tally(reviews), {1: ("", text), 2: ("", "")})
    return result["quotes"].get(language)


def test_counts_one_vote_per_review_and_two_reviews_at_least() -> None:
    reviews = [
        review(1, "en", ("delivery", "positive"), ("delivery", "positive"), ("price", "negative")),
        review(2, "fr", ("delivery", "negative")),
        review(3, "en", ("delivery", "positive"), ("quality", "neutral")),
        review(4, "en", ("quality", "positive"), ("bogus", "maybe")),
    ]
    tallies = tally(reviews)
    assert [(t.aspect, t.mentions, t.positive, t.negative) for t in tallies] == [
        ("delivery", 3, 2, 1),
        ("quality", 2, 1, 0),  # price, mentioned once, is left out
    ]
    assert tallies[0].voice == "positive"
    assert tallies[0].candidates == {"en": [1, 3], "fr": []}  # the voice's reviews only
    assert tallies[1].voice == "positive"  # as many neutral: praise before a shrug
    # A tie with criticism quotes the criticism: highlights must not read as picked praise.
    tie = tally([review(1, "en", ("price", "positive")), review(2, "en", ("price", "negative"))])
    assert tie[0].voice == "negative" and tie[0].candidates["en"] == [2]


def test_candidates_are_the_most_helpful_then_the_newest() -> None:
    reviews = [
        review(n, "en", ("delivery", "positive"), helpful=h) for n, h in enumerate([0, 3, 0])
    ]
    [t] = tally(reviews)
    assert t.candidates["en"] == [1, 0, 2]
    assert candidate_ids([t]) == {0, 1, 2}


def test_a_short_sentence_is_quoted_whole() -> None:
    text = "Arrived on a Tuesday. Fast delivery, the parcel was perfect!  Love the colour."
    assert quote_of(text, "delivery", "positive") == {
        "review": 1,
        "text": "Fast delivery, the parcel was perfect!",
        "cut_start": False,
        "cut_end": False,
    }


def test_a_long_sentence_gives_its_clause_without_the_contrast_word() -> None:
    text = (
        "I bought this kettle for my mother who drinks a lot of tea every afternoon, "
        "but the delivery was very late and the courier left it in the rain."
    )
    quote = quote_of(text, "delivery", "negative")
    assert quote is not None
    assert quote["text"] == "the delivery was very late and the courier left it in the rain."
    assert (quote["cut_start"], quote["cut_end"]) == (True, False)


def test_french_quotes_come_from_french_sentences() -> None:
    text = (
        "Nous avons commandé cette bouilloire pour remplacer l'ancienne qui fuyait depuis "
        "des mois, et la livraison a été très rapide malgré les fêtes."
    )
    quote = quote_of(text, "delivery", "positive", "fr")
    assert quote is not None
    assert quote["text"] == "et la livraison a été très rapide malgré les fêtes."


def test_no_sentence_saying_it_no_quote() -> None:
    # The reviews say delivery was positive, but this text has no such sentence.
    assert quote_of("The delivery was a disaster.", "delivery", "positive") is None


def test_a_sentence_speaks_for_one_aspect_only() -> None:
    reviews = [
        review(1, "en", ("delivery", "positive"), ("quality", "positive")),
        review(2, "en", ("delivery", "positive"), ("quality", "positive")),
    ]
    texts = {
        1: ("", "Quick delivery and great quality."),
        2: ("Excellent quality", "Good delivery."),
    }
    first, second = summarise(tally(reviews), texts)
    assert first["quotes"]["en"]["text"] == "Quick delivery and great quality."
    assert second["quotes"]["en"]["text"] != first["quotes"]["en"]["text"]
    assert second["quotes"]["en"]["text"] == "Excellent quality"  # a title is words too


def test_quotes_are_verbatim_and_end_on_word_boundaries() -> None:
    rng = random.Random(19)
    pieces = [
        "the delivery was quick",
        "the courier was late again",
        "excellent packaging",
        "very slow shipping, honestly, from a warehouse that seems to be on the moon",
        "great quality",
        "it broke",
        "livraison rapide",
        "a" * 150,
    ]
    for _ in range(300):
        words = [rng.choice(pieces) for _ in range(rng.randint(1, 8))]
        text = "".join(w + rng.choice([" ", ", ", ". ", " but ", "\n", "; ", " - "]) for w in words)
        for voice in ("positive", "negative"):
            quote = quote_of(text, "delivery", voice)
            if quote is None:
                continue
            words_only = quote["text"]
            assert words_only in text
            assert len(words_only) <= MAX_QUOTE_CHARS
            start = text.index(words_only)
            end = start + len(words_only)
            assert start == 0 or not (text[start - 1].isalnum() and words_only[0].isalnum())
            cut_word = end < len(text) and text[end].isalnum() and words_only[-1].isalnum()
            assert not cut_word or re.fullmatch(r"a+", words_only.split()[-1])
