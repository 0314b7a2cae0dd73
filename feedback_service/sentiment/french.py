"""French scoring with VADER's rules, on our own lexicon (fr_lexicon.tsv).

VADER has no French. We reuse its model: each lexicon word carries a valence on a -4..+4
scale, modified by the words around it, then the sum is squashed into [-1, 1]:

* boosters / dampeners in the 3 preceding words (très, vraiment, un peu, plutôt...);
* negation: French wraps the verb ("ne ... pas") and drops "ne" when speaking
  ("ça marche pas"), so a negator counts before the word (3-word window) or right
  after it; "ne ... pas" is ONE negation, not two (VADER would flip twice);
* contrast: after mais / cependant / par contre... weighs 1.5, before weighs 0.5,
  and a concession (même si, bien que, malgré) weighs 0.5;
* capitals (when not all the text shouts), "!" and "?" emphasis, emojis, emoticons,
  typed ratings ("5/5");
* multiword expressions ("rien à redire", "pas terrible", "jamais reçu") take
  precedence over their words; those containing a negation are not negated again.

Lookup keys are lower-cased and accent-folded, so "DÉÇU", "déçu" and "decu" are equal.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, compress
from operator import itemgetter
from typing import TypeVar

from vaderSentiment.vaderSentiment import B_DECR, B_INCR, C_INCR, N_SCALAR

from .aspects import aspect_of
from .resources import (
    emoji_valences,
    fallback_emoji_valence,
    read_tsv,
    vader_emoji_descriptions,
    vader_plain_lexicon,
)
from .textutils import (
    CLAUSE_BREAK,
    NO_BREAK,
    SENTENCE_BREAK,
    ScoredTokens,
    apply_emphasis,
    build_phrase_index,
    fold,
    normalise_score,
    rating_valence,
)

_TOKEN_PATTERN = (
    r"\d{1,3}\s*/\s*(?:5|10|20)(?!\d)"  # typed rating: 5/5, 8 / 10
    r"|[<>]?[:;=][\-o*']?[)\]([dDpP/\\|3]+(?!\w)"  # emoticons :) :-( ;D :/
    r"|<3+"
    r"|\w+"
    r"|[.!?…;,:()\n]"
    r"|[^\s\w{dropped}]"  # any other symbol, one at a time (emojis; others are dropped)
)
_TOKEN_RE = re.compile(_TOKEN_PATTERN.replace("{dropped}", ""))
# Common symbols that are dropped anyway (apostrophes, hyphens, quotes...): the
# analyser's own pattern does not return them as tokens (they still separate words).
_DROP_CANDIDATES = string.punctuation + "’‘“”«»–—‐‑·•°§¶×÷¿¡„‚‹›′″"

_WORD, _PUNCT, _EMOJI, _DROP = 0, 1, 2, 3
_PUNCTUATION = frozenset(".!?…;,:()\n")
_SENTENCE_END = frozenset(".!?…\n")
_CURRENCY = frozenset("€$£")
_EMOJI_DECORATIONS = frozenset(
    "\ufe0f\ufe0e\u200d" + "".join(chr(c) for c in range(0x1F3FB, 0x1F400))
)

# Negation words (accent-folded). "ne"/"n'" alone already mark a negation.
_NEGATORS = frozenset(
    "ne n pas jamais aucun aucune aucuns aucunes sans rien ni non guere nullement peu".split()
)
# Negators that follow the verb: "ça (ne) marche pas", "je recommande plus".
_POST_NEGATORS = frozenset({"pas", "plus", "jamais"})
# Adverbs allowed between a verb and its trailing negation: "fonctionne toujours pas".
_POST_SKIPPABLE = frozenset({"toujours", "vraiment", "encore", "meme", "absolument"})
# "ne ... que" means "only", not "not": "je n'ai que des éloges".
_RESTRICTIVE = frozenset({"que", "qu"})

_BOOSTERS: dict[str, float] = {
    **dict.fromkeys(
        """tres vraiment trop super hyper tellement extremement vachement absolument
        totalement completement carrement particulierement reellement franchement ultra
        archi encore beaucoup vraiement grave""".split(),
        B_INCR,
    ),
    "du tout": B_INCR,
    "tout a fait": B_INCR,
    "de plus en plus": B_INCR,
    **dict.fromkeys(
        """assez plutot legerement relativement moyennement presque quasiment quasi""".split(),
        B_DECR,
    ),
    "un peu": B_DECR,
    "un petit peu": B_DECR,
    "un tout petit peu": B_DECR,
}
# Words that are boosters before a sentiment word and sentiment words otherwise:
# "super rapide" (booster) vs "super produit" / "Super !" (praise).
_AMBIGUOUS_BOOSTERS = frozenset({"super", "bien"})

_CONTRAST = frozenset(
    {"mais", "cependant", "pourtant", "toutefois", "neanmoins", "par contre", "en revanche"}
    | {"sauf que", "sauf", "hormis", "seul bemol", "seulement voila", "dommage que"}
)
_CONCESSION = frozenset({"meme si", "bien que", "malgre", "quoique", "malgre que"})
_CLAUSE_WORDS = _CONTRAST | _CONCESSION | frozenset({"et", "ou", "car", "alors que", "puis"})
_BEFORE_CONTRAST = 0.5
_AFTER_CONTRAST = 1.5
_CONCESSION_WEIGHT = 0.5
_BOOST_DAMPING = (1.0, 0.95, 0.9)  # VADER: a booster 2 or 3 words away counts less
# Keys that may act as boosters (context decides for "super", "bien", "plus").
_BOOSTER_CANDIDATES = frozenset(_BOOSTERS) | _AMBIGUOUS_BOOSTERS | {"plus"}
# Without one of these keys, no token of a text can be negated.
_NEGATION_KEYS = _NEGATORS | _POST_NEGATORS
# Keys that change the weight of a clause (contrast or concession).
_WEIGHTED_WORDS = _CONTRAST | _CONCESSION

# Per token, memoised by its text as written: (folded key, kind, base valence,
# is upper-case, boundary code after it, text as written, is an upper-case word,
# is a word, aspect tagged or "").
TokenInfo = tuple[str, int, float, bool, int, str, bool, bool, str]
_KEY_OF = itemgetter(0)
_DROPPED: TokenInfo = ("", _DROP, 0.0, False, NO_BREAK, "", False, False, "")
# Shop vocabulary is small; the memo is cleared if a flood of unseen tokens fills it.
_TOKEN_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class FrenchLexicon:
    """Accent-folded lookup tables built from fr_lexicon.tsv."""

    words: dict[str, float]
    phrases: dict[tuple[str, str], list[tuple[str, ...]]]
    phrase_starts: frozenset[str]
    negation_immune: frozenset[str]


def _tokens_of(entry: str) -> tuple[str, ...]:
    return tuple(token for token in _TOKEN_RE.findall(fold(entry)) if token[0].isalnum())


def load_lexicon() -> FrenchLexicon:
    """Read fr_lexicon.tsv; multiword function phrases (par contre, un peu) join the index."""
    words: dict[str, float] = {}
    for entry, valence in read_tsv("fr_lexicon.tsv"):
        words[" ".join(_tokens_of(entry))] = valence
    function_phrases = [key for key in (*_BOOSTERS, *_CLAUSE_WORDS) if " " in key]
    phrases = [tuple(key.split()) for key in (*words, *function_phrases) if " " in key]
    immune = frozenset(
        " ".join(phrase)
        for phrase in phrases
        if any(token in _NEGATORS or token in _POST_NEGATORS for token in phrase)
    )
    index = build_phrase_index(phrases)
    return FrenchLexicon(words, index, frozenset(first for first, _ in index), immune)


_V = TypeVar("_V")


class _Memo(dict[str, _V]):
    """Token -> value, computed on first sight; looked up in C (map over __getitem__).

    Shop vocabulary is small; the memo is emptied if a flood of unseen tokens fills it.
    """

    def __init__(self, compute: Callable[[str], _V]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, token: str) -> _V:
        info = self._compute(token)
        if len(self) >= _TOKEN_CACHE_LIMIT:
            self.clear()
        self[token] = info
        return info


class FrenchAnalyser:
    """Scores French text; one instance is shared (it holds no per-text state)."""

    def __init__(self, lexicon: FrenchLexicon) -> None:
        self._lex = lexicon
        self._emojis = {**emoji_valences()}
        self._emoticons = {
            key: value for key, value in vader_plain_lexicon().items() if _is_emoticon(key)
        }
        self._known_emojis = set(vader_emoji_descriptions())
        self._token_cache = _Memo(self._token_info)
        self._chunk_cache = _Memo(self._chunk_infos)  # "J'adore!" -> its tokens' infos
        self._phrase_cache: dict[str, TokenInfo] = {}  # merged phrases, as written
        dropped = "".join(char for char in _DROP_CANDIDATES if self._symbol_kind(char) == _DROP)
        self._token_re = re.compile(_TOKEN_PATTERN.replace("{dropped}", re.escape(dropped)))

    def lexicon_words(self) -> frozenset[str]:
        """Single words of the lexicon (accent-folded), e.g. as language evidence."""
        return frozenset(key for key in self._lex.words if " " not in key)

    def _symbol_kind(self, token: str) -> int:
        if token in _PUNCTUATION:
            return _PUNCT
        if len(token) > 1 or token in self._emojis or token in self._known_emojis:
            return _EMOJI  # emoticon or emoji
        if token in _CURRENCY:
            return _WORD  # kept as a word so "€" can tag the price aspect
        return _DROP  # apostrophes, hyphens, quotes, emoji joiners

    # ---- per-token rules ----------------------------------------------------------
    def _word_valence(self, key: str) -> float:
        valence = self._lex.words.get(key)
        if valence is None and len(key) > 3 and key[-1] in "sx":
            # plural of an entry written in the singular
            valence = self._lex.words.get(key[:-1])
        return valence or 0.0

    def _emoji_valence(self, token: str) -> float:
        if token in self._emojis:
            return self._emojis[token]
        if token in self._emoticons:
            return self._emoticons[token]
        if len(token) == 1 and token not in _EMOJI_DECORATIONS:
            valence = fallback_emoji_valence(token)
            self._emojis[token] = valence  # memo: bounded by VADER's emoji table
            return valence
        return 0.0

    # ---- scoring ------------------------------------------------------------------
    def _token_info(self, orig: str) -> TokenInfo:
        """What scoring needs to know about one token (see ``TokenInfo``)."""
        key = fold(orig)
        kind = _WORD if orig[0].isalnum() or orig[0] == "_" else self._symbol_kind(orig)
        if kind == _DROP:
            return _DROPPED
        boundary = NO_BREAK
        if kind == _PUNCT:
            boundary = SENTENCE_BREAK if key in _SENTENCE_END else CLAUSE_BREAK
        return self._info(key, kind, orig, boundary)

    def _chunk_infos(self, chunk: str) -> tuple[TokenInfo, ...]:
        """Infos of the tokens of a whitespace-free chunk of text, dropped ones removed."""
        infos = map(self._token_cache.__getitem__, self._token_re.findall(chunk))
        return tuple(info for info in infos if info is not _DROPPED)

    def _info(self, key: str, kind: int, orig: str, boundary: int) -> TokenInfo:
        upper = orig.isupper()
        is_word = kind == _WORD
        base = self._base_valence(key, kind, orig)
        aspect = aspect_of(key) or ""
        return (key, kind, base, upper, boundary, orig, upper and is_word, is_word, aspect)

    def _merge_phrases(
        self, infos: list[TokenInfo], keys: list[str], starts: list[int]
    ) -> list[TokenInfo]:
        """Merge multiword phrases into one token (leftmost first, then longest).

        ``starts``: positions where a (first, second) token pair of a phrase begins.
        """
        index = self._lex.phrases
        count = len(keys)
        out: list[TokenInfo] = []
        done = 0
        for start in starts:
            if start < done or infos[start][1] != _WORD:
                continue
            for phrase in index[keys[start], keys[start + 1]]:  # longest first
                end = start + len(phrase)
                if end <= count and (end == start + 2 or tuple(keys[start:end]) == phrase):
                    out += infos[done:start]
                    orig = " ".join([info[5] for info in infos[start:end]])
                    info = self._phrase_cache.get(orig)
                    if info is None:
                        info = self._info(" ".join(phrase), _WORD, orig, NO_BREAK)
                        if len(self._phrase_cache) >= _TOKEN_CACHE_LIMIT:
                            self._phrase_cache.clear()
                        self._phrase_cache[orig] = info
                    out.append(info)
                    done = end
                    break
        if not done:
            return infos
        out += infos[done:]
        return out

    def score(self, text: str, chunks: list[str] | None = None) -> tuple[float, ScoredTokens]:
        """Compound score in [-1, 1] and the per-token data used for aspects.

        Per-token facts (folded key, kind, valence...) are memoised per token; the
        rules (boosters, negation, contrast) then only run around tokens that carry a
        valence, and only when the text holds a word they react to. ``chunks`` may
        pass ``text.split()`` when the caller already has it.
        """
        if "\n" in text or "/" in text:
            # A newline is a token and a rating ("8 / 10") may span spaces: whole text.
            infos = list(map(self._token_cache.__getitem__, self._token_re.findall(text)))
        else:
            # No token spans whitespace: memoised per whitespace-separated chunk.
            if chunks is None:
                chunks = text.split()
            infos = list(chain.from_iterable(map(self._chunk_cache.__getitem__, chunks)))
        unmerged = list(map(_KEY_OF, infos))
        if "" in unmerged:  # dropped tokens (hyphens, quotes, emoji joiners): never a key
            infos = [info for info in infos if info is not _DROPPED]
            unmerged = list(map(_KEY_OF, infos))
        if not infos:
            return 0.0, ScoredTokens([], [], _CLAUSE_WORDS, [])
        first_words = self._lex.phrase_starts
        if not first_words.isdisjoint(unmerged):
            index = self._lex.phrases
            last = len(unmerged) - 1
            candidates = compress(range(last), map(first_words.__contains__, unmerged))
            starts = [i for i in candidates if (unmerged[i], unmerged[i + 1]) in index]
            if starts:
                infos = self._merge_phrases(infos, unmerged, starts)
        keys, kinds, base, upper, boundaries, _, upper_words, words, aspects = zip(
            *infos, strict=False
        )
        valences = [0.0] * len(keys)
        if not any(base):
            return 0.0, ScoredTokens(keys, valences, _CLAUSE_WORDS, boundaries, None, aspects)
        # VADER's allcap_differential: capitals are emphasis unless every word shouts.
        is_cap_diff = any(upper_words) and 0 < sum(upper_words) < sum(words)
        has_boosters = not _BOOSTER_CANDIDATES.isdisjoint(keys)
        immune = self._lex.negation_immune
        can_negate = not _NEGATION_KEYS.isdisjoint(keys)
        scored = list(compress(range(len(base)), base))  # tokens with a valence
        for i in scored:
            if has_boosters and _is_booster(keys, kinds, base, i):
                continue  # a booster here ("super rapide"), not a sentiment word
            valence = base[i]
            if kinds[i] == _WORD and "/" not in keys[i]:  # not emojis nor ratings
                if is_cap_diff and upper[i]:
                    valence += C_INCR if valence > 0 else -C_INCR
                if has_boosters:
                    valence += _boost(i, upper, keys, kinds, base, valence, is_cap_diff)
                if can_negate and keys[i] not in immune and _is_negated(i, keys, kinds, base):
                    valence *= N_SCALAR
            valences[i] = valence
        pivot = -1
        if not _WEIGHTED_WORDS.isdisjoint(keys) and _CONCESSION.isdisjoint(keys):
            pivot = _last_contrast(keys, kinds)
        if pivot >= 0:
            # Contrast only: the same products and sum as with _contrast_weights, less
            # the zero-valence tokens (adding 0.0 changes nothing).
            total = sum(
                valences[i]
                * (_BEFORE_CONTRAST if i < pivot else _AFTER_CONTRAST if i > pivot else 1.0)
                for i in scored
            )
        elif _WEIGHTED_WORDS.isdisjoint(keys):
            total = sum(valences)  # every weight is 1
        else:
            weights = _contrast_weights(keys, kinds)
            total = sum(v * w for v, w in zip(valences, weights, strict=True))
        if "!" in text or "?" in text:  # otherwise the emphasis adds exactly 0.0
            total = apply_emphasis(total, text)
        return normalise_score(total), ScoredTokens(
            keys, valences, _CLAUSE_WORDS, boundaries, None, aspects
        )

    def _base_valence(self, key: str, kind: int, orig: str) -> float:
        if kind == _EMOJI:
            return self._emoji_valence(orig)  # ":D" is not ":d"
        if kind != _WORD:
            return 0.0
        if "/" in key:
            return rating_valence(key)
        return self._word_valence(key)


# ---- helpers (pure functions of the token lists) -----------------------------------
def _is_emoticon(key: str) -> bool:
    return 1 < len(key) <= 4 and not any(char.isalpha() for char in key[:1]) and key.isascii()


def _is_booster(keys: Sequence[str], kinds: Sequence[int], base: Sequence[float], i: int) -> bool:
    """Whether token ``i`` acts as a booster here (context decides for "super", "bien",
    "plus": a booster only before a sentiment word or another booster)."""
    key = keys[i]
    if key not in _BOOSTER_CANDIDATES:
        return False
    if key != "plus" and key not in _AMBIGUOUS_BOOSTERS:
        return True  # one of _BOOSTERS
    j = i + 1
    next_counts = j < len(keys) and kinds[j] == _WORD and (base[j] != 0.0 or keys[j] in _BOOSTERS)
    if key == "plus":
        # "plus rapide" (comparative) vs "ne ... plus" (negation).
        return next_counts and not _has_ne_before(keys, kinds, i)
    return next_counts


def _has_ne_before(keys: Sequence[str], kinds: Sequence[int], i: int) -> bool:
    for j in range(i - 1, max(-1, i - 5), -1):
        if kinds[j] == _PUNCT:
            return False
        if keys[j] in ("ne", "n"):
            return True
    return False


def _boost(
    i: int,
    upper: Sequence[bool],
    keys: Sequence[str],
    kinds: Sequence[int],
    base: Sequence[float],
    valence: float,
    is_cap_diff: bool,
) -> float:
    """Sum of booster/dampener effects from up to 3 preceding words of the same clause."""
    total = 0.0
    for distance in range(3):
        j = i - distance - 1
        if j < 0 or kinds[j] == _PUNCT:
            break
        if keys[j] not in _BOOSTER_CANDIDATES or not _is_booster(keys, kinds, base, j):
            continue
        scalar = _BOOSTERS.get(keys[j], B_INCR)
        if valence < 0:
            scalar = -scalar
        if is_cap_diff and upper[j]:
            scalar += C_INCR if valence > 0 else -C_INCR
        total += scalar * _BOOST_DAMPING[distance]
    return total


def _is_negated(i: int, keys: Sequence[str], kinds: Sequence[int], base: Sequence[float]) -> bool:
    """One negation whatever the number of negation words ("ne ... pas" is one)."""
    return _negated_before(i, keys, kinds) or _negated_after(i, keys, kinds, base)


def _negated_before(i: int, keys: Sequence[str], kinds: Sequence[int]) -> bool:
    restrictive = False
    for j in range(i - 1, max(-1, i - 4), -1):
        if kinds[j] == _PUNCT or keys[j] in _CLAUSE_WORDS:
            return False
        key = keys[j]
        if key in _RESTRICTIVE:
            restrictive = True
        elif key in ("ne", "n"):
            if not restrictive:
                return True
        elif key in _NEGATORS:
            return True
        elif key == "personne" and j + 1 < len(keys) and keys[j + 1] in ("ne", "n"):
            return True
        elif key == "plus" and _has_ne_before(keys, kinds, j):
            return True
    return False


def _negated_after(
    i: int, keys: Sequence[str], kinds: Sequence[int], base: Sequence[float]
) -> bool:
    j = i + 1
    if j < len(keys) and keys[j] in _POST_SKIPPABLE:
        j += 1
    if j >= len(keys) or kinds[j] != _WORD or keys[j] not in _POST_NEGATORS:
        return False
    if keys[j] == "plus" and j + 1 < len(keys) and base[j + 1] != 0.0:
        return False  # "marche plus vite": comparative, not negation
    return True


def _last_contrast(keys: Sequence[str], kinds: Sequence[int]) -> int:
    """Index of the last contrast word ("mais"...), -1 if none."""
    for i in range(len(keys) - 1, -1, -1):
        if keys[i] in _CONTRAST and kinds[i] == _WORD:
            return i
    return -1


def _contrast_weights(keys: Sequence[str], kinds: Sequence[int]) -> list[float]:
    """Per-token weight: contrast (last "mais" wins) and concession clauses."""
    weights = [1.0] * len(keys)
    last_contrast = -1
    for i, key in enumerate(keys):
        if key in _CONTRAST and kinds[i] == _WORD:
            last_contrast = i
    if last_contrast >= 0:
        for i in range(len(keys)):
            if i < last_contrast:
                weights[i] = _BEFORE_CONTRAST
            elif i > last_contrast:
                weights[i] = _AFTER_CONTRAST
    in_concession = False
    for i, key in enumerate(keys):
        if kinds[i] == _PUNCT:
            in_concession = False
        elif key in _CONCESSION:
            in_concession = True
        if in_concession:
            weights[i] *= _CONCESSION_WEIGHT
    return weights


_ANALYSER: FrenchAnalyser | None = None


def french_analyser() -> FrenchAnalyser:
    """The process-wide French analyser (lexicon loaded on first use)."""
    global _ANALYSER
    if _ANALYSER is None:
        _ANALYSER = FrenchAnalyser(load_lexicon())
    return _ANALYSER
