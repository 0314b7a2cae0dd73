"""English or French: the customer's locale for texts too short to judge, a word vote when
the evidence is one-sided, the model otherwise."""

from __future__ import annotations

import pytest

from feedback_service.sentiment import language
from feedback_service.sentiment.language import (
    DETECTION_PREFIX,
    classify_with_model,
    detect_language,
    detect_language_how,
    locale_language,
)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("fr", "fr"), ("fr_FR", "fr"), (" FR-ca", "fr"), ("en_GB", "en"), ("de", "en"), ("", "en")],
)
def test_the_language_of_a_locale(locale: str, expected: str) -> None:
    assert locale_language(locale) == expected


def test_no_locale_reads_as_english() -> None:
    assert locale_language(None) == "en"
    assert locale_language(3) == "en"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le colis est arrivé en retard et abîmé", "fr"),
        ("Très bon produit, je le recommande à tout le monde", "fr"),
        ("The parcel arrived late and damaged", "en"),
        ("Great kettle, it boils water very fast", "en"),
    ],
)
def test_clear_texts_are_decided_by_their_words(text: str, expected: str) -> None:
    other = "en" if expected == "fr" else "fr"
    assert detect_language_how(text, other) == (expected, "vote")
    assert detect_language(text, other) == expected


@pytest.mark.parametrize("text", ["ok", "Top !", "Très déçu", "x" * 700, ""])
def test_too_short_to_judge_the_locale_decides(text: str) -> None:
    assert detect_language_how(text, "fr_FR") == ("fr", "locale")
    assert detect_language_how(text, "en") == ("en", "locale")


def test_only_the_beginning_of_a_long_text_is_read() -> None:
    french = "Le produit est très bien emballé et la livraison était rapide. " * 12
    english = "The parcel arrived late and it was damaged, I am very unhappy. " * 20
    assert len(french) > DETECTION_PREFIX
    assert detect_language(french + english, "en") == "fr"


def test_the_model_gives_way_to_the_locale_when_it_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def classify(self, text: str) -> tuple[str, float]:
            raise RuntimeError("model missing")

    monkeypatch.setattr(language, "_identifier", Broken)
    assert classify_with_model("Livraison par Colissimo en point relais", "en") == "en"


def test_an_unsure_model_gives_way_to_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    class Unsure:
        def classify(self, text: str) -> tuple[str, float]:
            return "fr", 0.55

    monkeypatch.setattr(language, "_identifier", Unsure)
    assert classify_with_model("Livraison par Colissimo en point relais", "en") == "en"
