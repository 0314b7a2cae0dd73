"""Small text helpers shared by the English and French analysers."""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# VADER's normalisation constant: alpha approximates the largest expected raw sum.
NORMALISE_ALPHA = 15.0


def _build_fold_table() -> dict[int, str]:
    """Map accented Latin letters to their base letter (é -> e, Ç -> c, œ -> oe)."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii():
            table[code] = base.lower()
    for ligature, plain in {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"}.items():
        table[ord(ligature)] = plain
    # Typographic apostrophes are common on phones; lexicon entries use the ASCII one.
    for apostrophe in "\u2019\u2018\u02bc\u00b4`":
        table[ord(apostrophe)] = "'"
    return table


FOLD_TABLE = _build_fold_table()


def fold(text: str) -> str:
    """Lower-case and strip accents so that "Déçu", "decu" and "DECU" share one key."""
    return text.lower().translate(FOLD_TABLE)


def round4(score: float) -> float:
    """``round(score, 4)`` at half the cost (identical except on exact binary ties)."""
    return round(score * 10_000) / 10_000


def normalise_score(raw: float) -> float:
    """VADER's squashing of a raw valence sum into [-1, 1]."""
    if raw == 0.0 or math.isnan(raw):
        return 0.0
    score = raw / math.sqrt(raw * raw + NORMALISE_ALPHA)
    # Same as max(-1.0, min(1.0, score)), NaN included (-> 1.0), without two calls.
    if not score <= 1.0:
        return 1.0
    if score < -1.0:
        return -1.0
    return score


def punctuation_emphasis(text: str) -> float:
    """VADER's amplifier: up to 4 "!" add 0.292 each, 2-3 "?" add 0.18 each, more add 0.96."""
    exclamations = min(text.count("!"), 4)
    questions = text.count("?")
    amplifier = exclamations * 0.292
    if questions > 3:
        amplifier += 0.96
    elif questions > 1:
        amplifier += questions * 0.18
    return amplifier


def apply_emphasis(raw: float, text: str) -> float:
    """Push the raw sum away from zero by the punctuation emphasis (never across zero)."""
    if raw > 0:
        return raw + punctuation_emphasis(text)
    if raw < 0:
        return raw - punctuation_emphasis(text)
    return raw


# "4/5", "10 / 10", "0/20": star ratings typed in the comment are a strong signal.
RATING_RE = re.compile(r"^(\d{1,3})\s*/\s*(5|10|20)$")


def rating_valence(token: str) -> float:
    """Valence of a typed rating such as "5/5" (0.0 if the token is not a rating)."""
    match = RATING_RE.match(token)
    if match is None:
        return 0.0
    given, scale = int(match.group(1)), int(match.group(2))
    if given > scale:
        return 0.0
    ratio = given / scale
    if ratio >= 0.8:
        return 2.5
    if ratio >= 0.7:
        return 1.2
    if ratio <= 0.2:
        return -2.8
    if ratio <= 0.4:
        return -1.8
    return 0.0


# Boundary codes: what ends right after a token.
NO_BREAK, CLAUSE_BREAK, SENTENCE_BREAK = 0, 1, 2
# For whitespace tokens: "fast," ends a clause, "late." a sentence.
BOUNDARY_OF_LAST_CHAR = {
    **dict.fromkeys(",;:)", CLAUSE_BREAK),
    **dict.fromkeys(".!?", SENTENCE_BREAK),
}


_NOTHING: frozenset[str] = frozenset()
_CLAUSE_END_CHARS = frozenset(BOUNDARY_OF_LAST_CHAR)
_SENTENCE_END_CHARS = frozenset(
    char for char, code in BOUNDARY_OF_LAST_CHAR.items() if code == SENTENCE_BREAK
)


@dataclass(slots=True)
class ScoredTokens:
    """Per-token valences and clause boundaries, used for aspect polarity.

    ``valences`` are the per-token values before contrast weighting, because an aspect's
    own clause should keep its polarity even when it is the "before but" part.
    ``clause_words`` open a new clause ("mais", "but"...), like a comma does.
    Boundaries are either given (``boundaries``: what ends after each token) or read
    from the whitespace tokens ``raw`` ("fast," ends a clause), only when an aspect
    needs them (many comments have none).
    """

    keys: Sequence[str]
    valences: Sequence[float]
    clause_words: frozenset[str]
    boundaries: Sequence[int] | None = None
    raw: list[str] | None = None
    aspects: Sequence[str] | None = None  # per token: its aspect or "", when known

    def span(self, index: int, sentence: bool) -> tuple[int, int]:
        """[start, end) of the clause (or sentence) containing token ``index``.

        Scans only the neighbourhood of the token: cheaper than segmenting the text.
        """
        keys = self.keys
        count = len(keys)
        opening = _NOTHING if sentence else self.clause_words
        start, end = index, index + 1
        if self.boundaries is not None:
            codes = self.boundaries
            minimum = SENTENCE_BREAK if sentence else CLAUSE_BREAK
            while start > 0 and codes[start - 1] < minimum and keys[start] not in opening:
                start -= 1
            while end < count and codes[end - 1] < minimum and keys[end] not in opening:
                end += 1
        elif self.raw is not None:
            raw = self.raw  # whitespace tokens, never empty
            ends = _SENTENCE_END_CHARS if sentence else _CLAUSE_END_CHARS
            while start > 0 and raw[start - 1][-1] not in ends and keys[start] not in opening:
                start -= 1
            while end < count and raw[end - 1][-1] not in ends and keys[end] not in opening:
                end += 1
        else:
            return 0, count  # no boundary information: the whole text
        return start, end


Phrase = tuple[str, ...]


def build_phrase_index(phrases: list[Phrase]) -> dict[tuple[str, str], list[Phrase]]:
    """Index multiword phrases by their first two tokens, longest first (greedy match)."""
    index: dict[tuple[str, str], list[Phrase]] = {}
    for phrase in phrases:
        if len(phrase) > 1:
            index.setdefault((phrase[0], phrase[1]), []).append(phrase)
    for candidates in index.values():
        candidates.sort(key=len, reverse=True)
    return index


def match_phrase(
    keys: Sequence[str],
    start: int,
    index: dict[tuple[str, str], list[Phrase]],
    raw: list[str] | None,
) -> Phrase | None:
    """Longest phrase starting at ``keys[start]`` that does not straddle a clause break.

    ``raw`` are the whitespace tokens with their punctuation: "fast, well made" must not
    read "fast well" as one unit. ``None`` when punctuation marks are tokens of their
    own, which already stops a match.
    """
    if start + 1 >= len(keys):
        return None
    candidates = index.get((keys[start], keys[start + 1]))
    if candidates is None:
        return None
    for phrase in candidates:
        end = start + len(phrase)
        if end > len(keys) or (len(phrase) > 2 and tuple(keys[start:end]) != phrase):
            continue
        if raw is not None and any(
            token[-1] in BOUNDARY_OF_LAST_CHAR for token in raw[start : end - 1]
        ):
            continue
        return phrase
    return None


_PUNCTUATION = string.punctuation


class WhitespaceTokens:
    """VADER-style tokenisation, done once and shared by language detection and English.

    ``raw``: tokens as written; ``lowered_raw``: the same, lower-cased; ``keys``: lower-cased
    with leading/trailing punctuation stripped ("" for a token made only of punctuation).
    ``lowered`` and ``lowered_raw`` are computed on first use (language detection only
    needs ``keys``).
    """

    __slots__ = ("text", "raw", "keys", "_lowered", "_lowered_raw")

    def __init__(self, text: str, raw: list[str], keys: list[str]) -> None:
        self.text = text
        self.raw = raw
        self.keys = keys
        self._lowered: str | None = None
        self._lowered_raw: list[str] | None = None

    @property
    def lowered(self) -> str:
        if self._lowered is None:
            self._lowered = self.text.lower()
        return self._lowered

    @property
    def lowered_raw(self) -> list[str]:
        if self._lowered_raw is None:
            lowered_raw = self.lowered.split()
            if len(lowered_raw) != len(self.raw):  # exotic case mappings; keep aligned
                lowered_raw = [token.lower() for token in self.raw]
            self._lowered_raw = lowered_raw
        return self._lowered_raw


def whitespace_tokens(text: str) -> WhitespaceTokens:
    raw = text.split()
    # Per token, lower-casing gives what lower-casing the text then splitting gives
    # (no case mapping crosses whitespace), so keys are memoised per token as written.
    return WhitespaceTokens(text, raw, list(map(_KEYS.__getitem__, raw)))


class _KeyMemo(dict[str, str]):
    """Token as written -> lower-cased, without leading/trailing punctuation (in C)."""

    def __missing__(self, token: str) -> str:
        key = token.lower().strip(_PUNCTUATION)
        if len(self) >= _MEMO_LIMIT:
            self.clear()  # unbounded vocabularies must not leak memory
        self[token] = key
        return key


_MEMO_LIMIT = 50_000
_KEYS = _KeyMemo()
