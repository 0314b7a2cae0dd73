"""analyse(text, fallback_locale): the one entry point, in English and French, for any
input a customer or a caller may send."""

from __future__ import annotations

import pytest

from feedback_service.sentiment.services import MAX_CHARS, _clean, analyse


@pytest.mark.parametrize(
    ("text", "language", "label"),
    [
        ("Très bon produit, je recommande vivement", "fr", "positive"),
        ("Colis jamais reçu, service client injoignable", "fr", "negative"),
        ("Great kettle, it boils water very fast", "en", "positive"),
        ("Terrible, it broke after two days", "en", "negative"),
    ],
)
def test_clear_comments_in_either_language(text: str, language: str, label: str) -> None:
    for locale in ("en", "fr_FR"):  # the locale only decides texts too short to judge
        result = analyse(text, locale)
        assert (result.language, result.label) == (language, label)
        assert -1.0 <= result.score <= 1.0


def test_the_aspects_come_with_the_score() -> None:
    result = analyse("Colis jamais reçu, très déçu", "fr")
    assert [(a.name, a.label) for a in result.aspects] == [("delivery", "negative")]


def test_controls_and_direction_overrides_keep_words_apart() -> None:
    assert _clean("très\x00bon\u202eproduit") == "très bon produit"
    assert _clean("a\nb\tc") == "a\nb\tc"  # line breaks and tabs are kept
    plain = analyse("Très bon produit, je recommande", "en")
    assert analyse("Très\u202ebon produit, je\x00recommande", "en") == plain


def test_anything_is_made_text_and_cut_to_the_maximum() -> None:
    assert _clean(None) == "" and _clean(12) == "12"
    assert len(_clean("a" * (MAX_CHARS + 10))) == MAX_CHARS
    # What lies past the maximum is never read: the comment's start decides.
    result = analyse("Colis jamais reçu, très déçu. " + "x" * MAX_CHARS + " Parfait !", "en")
    assert (result.language, result.label) == ("fr", "negative")
