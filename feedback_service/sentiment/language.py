"""English / French detection: cheap word vote first, py3langid when unsure.

Comments are short and py3langid walks its model byte by byte in Python (~30 µs for a
one-line comment, longer than VADER's whole analysis). Most comments contain words that
exist in only one of the two languages (function words like "the"/"le", sentiment words
of our lexicons, accented letters like "é", elisions like "j'ai"); when the evidence is
one-sided it decides without the model, which is consulted only for mixed or
evidence-free comments. Texts too short to judge use the customer's locale.
"""

from __future__ import annotations

import re
import threading
from functools import cache, lru_cache
from typing import Any

from .textutils import WhitespaceTokens, whitespace_tokens

SUPPORTED = ("en", "fr")
# Below this, detection is a coin toss: trust the customer's locale instead.
MIN_WORDS = 3
MIN_LETTERS = 15
# py3langid's confidence (2 languages, normalised) below which we keep the locale.
MIN_CONFIDENCE = 0.7
# Language is settled within the first few sentences; long texts are not walked fully.
DETECTION_PREFIX = 600

_ELISION = re.compile(r"(?:[jlcndmst]|qu|jusqu|lorsqu|puisqu)['\u2019]\w")

# Frequent words that exist in only one of the two languages (no "a", "on", "son"...).
_EN_MARKERS = frozenset(
    """the and is was it its this that with for not but very my i you they we were have
    has had of to would will be been are from after just so too at what when did didn
    doesn don isn wasn won couldn shouldn haven great good love loved item product order
    arrived received quality bad really does nice fast delivery shipping price size
    disappointed works in again ever never took ordered about nobody every day days week
    weeks month stars one two don't didn't doesn't isn't wasn't won't couldn't can't i'm
    it's i've i'd i'll that's haven't wouldn't aren't weren't hasn't shouldn't they're
    you're we're there's""".split()
)
_FR_MARKERS = frozenset(
    """le la les de des du et est pas je j très tres un une mais pour avec sur ce cette
    il elle nous vous ai été ete au aux qui que ne n c l d qu ça ca produit commande
    livraison colis merci bien trop rien tout mon ma mes sont était etait déçu decu
    reçu recu qualité qualite taille parfait nickel jamais aucun aucune sans plus été
    vraiment chez avoir fait bon bonne""".split()
)

# Letters that (nearly) only French uses among the two languages.
_FRENCH_LETTERS = re.compile("[éèêàâçùûôîëïœ]")
# French words that also sit in VADER's English lexicon: no evidence of English.
_NOT_ENGLISH_EVIDENCE = frozenset(
    """dire grand tout excuse solution sure terrible adorable rage charme chance pardon
    menace ignore horreur triste fatal moral crime parole fin vent joie honte merde bravo
    cool super top ok merci impossible admirable ridicule stupide stable calme normal
    simple magnifique content patient durable fragile formidable sublime exorbitant faux
    nickel extra correct precise fissure grave respect abandon humour pain vital collision
    gain lame passion attention confusion question tension critique important""".split()
)

_IDENTIFIER_LOCK = threading.Lock()
_IDENTIFIER: Any = None


def locale_language(locale: str | None) -> str:
    """ "fr", "fr_FR", "FR-ca" -> "fr"; anything else (or nothing) -> "en"."""
    if not isinstance(locale, str):
        return "en"
    return _language_of_locale(locale)


@lru_cache(maxsize=256)
def _language_of_locale(locale: str) -> str:
    return "fr" if locale.strip().lower()[:2] == "fr" else "en"


def _identifier() -> Any:
    """A dedicated py3langid identifier restricted to en/fr, loaded once (~1 s)."""
    global _IDENTIFIER
    if _IDENTIFIER is None:
        with _IDENTIFIER_LOCK:
            if _IDENTIFIER is None:
                # Imported here: the model module pulls numpy, not needed until first use.
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                loader = getattr(LanguageIdentifier, "from_model_file", None)
                if loader is None:  # py3langid < 0.4 names it differently
                    loader = LanguageIdentifier.from_pickled_model
                identifier = loader(MODEL_FILE, norm_probs=True)
                identifier.set_languages(list(SUPPORTED))
                _IDENTIFIER = identifier
    return _IDENTIFIER


def warm_up() -> None:
    """Load the language model now (e.g. at app start) instead of on the first comment."""
    _identifier()


@cache
def _evidence() -> tuple[frozenset[str], frozenset[str]]:
    """Words that point to English / French: function words plus sentiment lexicons.

    Short comments ("Works like a charm.", "Emballage déchiré, boîte écrasée.") often
    have no function word but do have sentiment words, which is what we score anyway.
    """
    from .french import french_analyser
    from .resources import vader

    french_words = french_analyser().lexicon_words()
    english = {
        word for word in vader().lexicon if len(word) >= 3 and word.isalpha() and word.isascii()
    }
    english -= french_words | _FR_MARKERS | _NOT_ENGLISH_EVIDENCE
    french = {word for word in french_words if len(word) >= 5 and word.isalpha()}
    french -= english | set(vader().lexicon) | _NOT_ENGLISH_EVIDENCE | _EN_MARKERS
    english |= _EN_MARKERS
    english |= {word.replace("'", "\u2019") for word in _EN_MARKERS if "'" in word}
    return frozenset(english), frozenset(french | _FR_MARKERS)


# Memo of key -> evidence of one word, packed in one int: English * _EN_UNIT + French
# (French evidence of a text stays far below _EN_UNIT). The vote then adds them up in C
# (map over dict lookups) instead of testing each word in Python.
_WORD_VOTES: dict[str, int] = {}
_WORD_VOTES_LIMIT = 50_000
_EN_UNIT = 1 << 20


def _word_votes(word: str) -> int:
    english_evidence, french_evidence = _evidence()
    # A French function/sentiment word, a French letter ("é"), an elision ("j'ai"):
    # each is one vote (a word may carry several).
    french = (
        (word in french_evidence)
        + (_FRENCH_LETTERS.search(word) is not None)
        + (_ELISION.match(word) is not None)
    )
    return (word in english_evidence) * _EN_UNIT + french


def _vote(keys: list[str]) -> str | None:
    """Decide from evidence words when one language clearly dominates, else None.

    ``keys`` are lower-cased whitespace tokens stripped of punctuation. Distinct words
    are counted, each word's evidence memoised (then added up in C).
    """
    distinct = set(keys)
    unseen = distinct.difference(_WORD_VOTES)
    if unseen and len(_WORD_VOTES) + len(unseen) > _WORD_VOTES_LIMIT:
        # Memo full (unbounded vocabulary): count without memoising. The memo is never
        # cleared, so concurrent readers always find the words they checked.
        packed = sum(map(_word_votes, distinct))
    else:
        for word in unseen:
            _WORD_VOTES[word] = _word_votes(word)
        packed = sum(map(_WORD_VOTES.__getitem__, distinct))
    english, french = divmod(packed, _EN_UNIT)
    # One-sided evidence decides (checked on the eval sets: no wrong vote, and the
    # model, ~30 µs, is then needed only for mixed or evidence-free comments).
    if english and not french:
        return "en"
    if french and not english:
        return "fr"
    if english >= 3 and english >= 3 * french:
        return "en"
    if french >= 3 and french >= 3 * english:
        return "fr"
    return None


def classify_with_model(text: str, fallback: str) -> str:
    """py3langid's verdict, or ``fallback`` when it is unsure or fails."""
    try:
        language, confidence = _identifier().classify(text[:DETECTION_PREFIX])
    except Exception:  # a detection failure must never lose the comment
        return fallback
    if language not in SUPPORTED or confidence < MIN_CONFIDENCE:
        return fallback
    return str(language)


def detect_language(
    text: str, fallback_locale: str | None = "en", tokens: WhitespaceTokens | None = None
) -> str:
    """Return "en" or "fr" for ``text``; very short texts use ``fallback_locale``.

    ``tokens`` may pass ``whitespace_tokens(text)`` when the caller already has it.
    """
    return detect_language_how(text, fallback_locale, tokens)[0]


def detect_language_how(
    text: str, fallback_locale: str | None = "en", tokens: WhitespaceTokens | None = None
) -> tuple[str, str]:
    """(language, how it was decided: "locale", "vote" or "model"), for diagnostics."""
    if len(text) > DETECTION_PREFIX:
        text = text[:DETECTION_PREFIX]
        tokens = None
    if tokens is None:
        tokens = whitespace_tokens(text)
    keys = tokens.keys
    if len(keys) - keys.count("") < MIN_WORDS or sum(map(len, keys)) < MIN_LETTERS:
        # Too short to judge (few words, or few characters in them): trust the locale.
        return locale_language(fallback_locale), "locale"
    voted = _vote(keys)
    if voted is not None:
        return voted, "vote"
    return classify_with_model(text, locale_language(fallback_locale)), "model"
