"""Public entry point: ``analyse(text, fallback_locale) -> Sentiment``."""

from __future__ import annotations

import logging

from .aspects import find_aspects
from .english import english_analyser
from .french import french_analyser
from .language import detect_language, locale_language
from .models import Sentiment, label_for
from .textutils import round4, whitespace_tokens

log = logging.getLogger(__name__)

# Comments longer than this are cut before analysis: a feedback form never needs more,
# and it bounds the time a hostile 10 MB payload can take.
MAX_CHARS = 20_000


def _clean(text: object) -> str:
    """Coerce to str and drop characters that only disturb tokenisation."""
    if type(text) is str and len(text) <= MAX_CHARS and text.isprintable():
        return text  # the common case, kept cheap
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text[:MAX_CHARS]
    if not text.isprintable():
        # Control and bidi-override characters (U+202E...) carry no sentiment; turning
        # them into spaces keeps the words around them apart.
        text = "".join(char if char.isprintable() or char in "\n\t" else " " for char in text)
    return text


def analyse(text: str, fallback_locale: str = "en") -> Sentiment:
    """Sentiment of one customer comment, in English or French.

    ``fallback_locale`` (the shop's or customer's locale, e.g. "fr_FR") decides the
    language when the text is too short to detect. Never raises: on an unexpected
    internal error the comment is reported neutral and the error is logged.
    """
    try:
        if type(text) is str and len(text) <= MAX_CHARS and text.isprintable():
            cleaned = text  # the common case, kept cheap (see _clean)
        else:
            cleaned = _clean(text)
        # Tokenised once: the language vote and the English scorer share the tokens.
        words = whitespace_tokens(cleaned)
        language = detect_language(cleaned, fallback_locale, words)
        if language == "fr":
            raw, tokens = french_analyser().score(cleaned, words.raw)
        else:
            raw, tokens = english_analyser().score(cleaned, words)
        # normalise_score already maps into [-1, 1]; clamp again as the API promise.
        if -1.0 <= raw <= 1.0:  # always, in practice
            score = round4(raw)
        else:
            score = round4(max(-1.0, min(1.0, raw))) if raw == raw else 0.0  # NaN -> 0
        return Sentiment(score, label_for(score), language, find_aspects(tokens))
    except Exception:  # the analyser feeds triage: one odd comment must not stop a batch
        log.exception("sentiment analysis failed; reporting neutral")
        return Sentiment(0.0, "neutral", locale_language(fallback_locale), ())
