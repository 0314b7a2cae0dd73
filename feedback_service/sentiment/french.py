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
from dataclasses import dataclass

from vaderSentiment.vaderSentiment import B_DECR, B_INCR, C_INCR, N_SCALAR

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
    match_phrase,
    normalise_score,
    rating_valence,
)

_TOKEN_RE = re.compile(
    r"\d{1,3}\s*/\s*(?:5|10|20)(?!\d)"  # typed rating: 5/5, 8 / 10
    r"|[<>]?[:;=][\-o*']?[)\]([dDpP/\\|3]+(?!\w)"  # emoticons :) :-( ;D :/
    r"|<3+"
    r"|\w+"
    r"|[.!?…;,:()\n]"
    r"|[^\s\w]"  # any other symbol, one at a time (emojis; others are dropped)
)

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


class FrenchAnalyser:
    """Scores French text; one instance is shared (it holds no per-text state)."""

    def __init__(self, lexicon: FrenchLexicon) -> None:
        self._lex = lexicon
        self._emojis = {**emoji_valences()}
        self._emoticons = {
            key: value for key, value in vader_plain_lexicon().items() if _is_emoticon(key)
        }
        self._known_emojis = set(vader_emoji_descriptions())

    def lexicon_words(self) -> frozenset[str]:
        """Single words of the lexicon (accent-folded), e.g. as language evidence."""
        return frozenset(key for key in self._lex.words if " " not in key)

    # ---- tokenisation -------------------------------------------------------------
    def _tokenise(self, text: str) -> tuple[list[str], list[str], list[int]]:
        """Split into (original, folded key, kind); phrases merged into one token."""
        origs = _TOKEN_RE.findall(text)
        keys = _TOKEN_RE.findall(fold(text))  # folding the text once beats per token
        if len(keys) != len(origs):  # a case mapping changed word boundaries (rare)
            keys = [fold(token) for token in origs]
        kinds = [
            _WORD if token[0].isalnum() or token[0] == "_" else self._symbol_kind(token)
            for token in origs
        ]
        if _DROP in kinds:
            kept = [i for i, kind in enumerate(kinds) if kind != _DROP]
            origs = [origs[i] for i in kept]
            keys = [keys[i] for i in kept]
            kinds = [kinds[i] for i in kept]
        if not self._lex.phrase_starts.isdisjoint(keys):
            return self._merge_phrases(origs, keys, kinds)
        return origs, keys, kinds

    def _symbol_kind(self, token: str) -> int:
        if token in _PUNCTUATION:
            return _PUNCT
        if len(token) > 1 or token in self._emojis or token in self._known_emojis:
            return _EMOJI  # emoticon or emoji
        if token in _CURRENCY:
            return _WORD  # kept as a word so "€" can tag the price aspect
        return _DROP  # apostrophes, hyphens, quotes, emoji joiners

    def _merge_phrases(
        self, origs: list[str], keys: list[str], kinds: list[int]
    ) -> tuple[list[str], list[str], list[int]]:
        starts = self._lex.phrase_starts
        matches: list[tuple[int, int]] = []
        for start in [i for i, key in enumerate(keys) if key in starts]:
            if kinds[start] == _WORD and (not matches or start >= matches[-1][1]):
                phrase = match_phrase(keys, start, self._lex.phrases, None)
                if phrase is not None:
                    matches.append((start, start + len(phrase)))
        if not matches:
            return origs, keys, kinds
        out_origs: list[str] = []
        out_keys: list[str] = []
        out_kinds: list[int] = []
        done = 0
        for start, end in matches:
            out_origs += origs[done:start]
            out_keys += keys[done:start]
            out_kinds += kinds[done:start]
            out_origs.append(" ".join(origs[start:end]))
            out_keys.append(" ".join(keys[start:end]))
            out_kinds.append(_WORD)
            done = end
        out_origs += origs[done:]
        out_keys += keys[done:]
        out_kinds += kinds[done:]
        return out_origs, out_keys, out_kinds

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

    def score(self, text: str) -> tuple[float, ScoredTokens]:
        """Compound score in [-1, 1] and the per-token data used for aspects."""
        origs, keys, kinds = self._tokenise(text)
        base = [
            self._base_valence(key, kind, orig)
            for orig, key, kind in zip(origs, keys, kinds, strict=True)
        ]
        boosters = self._booster_flags(keys, kinds, base)
        words = [orig for orig, kind in zip(origs, kinds, strict=True) if kind == _WORD]
        is_cap_diff = _some_but_not_all_upper(words)
        valences = [
            self._contextual_valence(i, origs, keys, kinds, base, boosters, is_cap_diff)
            for i in range(len(keys))
        ]
        weights = _contrast_weights(keys, kinds)
        total = sum(v * w for v, w in zip(valences, weights, strict=True))
        scored = _scored_tokens(keys, kinds, valences)
        return normalise_score(apply_emphasis(total, text)), scored

    def _base_valence(self, key: str, kind: int, orig: str) -> float:
        if kind == _EMOJI:
            return self._emoji_valence(orig)  # ":D" is not ":d"
        if kind != _WORD:
            return 0.0
        if "/" in key:
            return rating_valence(key)
        return self._word_valence(key)

    def _booster_flags(self, keys: list[str], kinds: list[int], base: list[float]) -> list[bool]:
        """Which tokens act as boosters here (context decides for "super", "bien", "plus")."""
        flags: list[bool] = []
        count = len(keys)
        for i, key in enumerate(keys):
            next_counts = (
                i + 1 < count
                and kinds[i + 1] == _WORD
                and (base[i + 1] != 0.0 or keys[i + 1] in _BOOSTERS)
            )
            if key == "plus":
                # "plus rapide" (comparative) vs "ne ... plus" (negation).
                flags.append(bool(next_counts) and not _has_ne_before(keys, kinds, i))
            elif key in _AMBIGUOUS_BOOSTERS:
                flags.append(bool(next_counts))
            else:
                flags.append(key in _BOOSTERS)
        return flags

    def _contextual_valence(
        self,
        i: int,
        origs: list[str],
        keys: list[str],
        kinds: list[int],
        base: list[float],
        boosters: list[bool],
        is_cap_diff: bool,
    ) -> float:
        valence = base[i]
        if valence == 0.0 or boosters[i]:
            return 0.0
        if kinds[i] != _WORD or "/" in keys[i]:
            return valence  # emojis and ratings are not negated nor boosted
        if is_cap_diff and origs[i].isupper():
            valence += C_INCR if valence > 0 else -C_INCR
        valence += _boost(i, origs, keys, kinds, boosters, valence, is_cap_diff)
        if keys[i] not in self._lex.negation_immune and _is_negated(i, keys, kinds, base):
            valence *= N_SCALAR
        return valence


# ---- helpers (pure functions of the token lists) -----------------------------------
def _is_emoticon(key: str) -> bool:
    return 1 < len(key) <= 4 and not any(char.isalpha() for char in key[:1]) and key.isascii()


def _some_but_not_all_upper(words: list[str]) -> bool:
    """VADER's allcap_differential: capitals are emphasis only if not everything shouts."""
    upper = sum(1 for word in words if word.isupper())
    return 0 < upper < len(words)


def _has_ne_before(keys: list[str], kinds: list[int], i: int) -> bool:
    for j in range(i - 1, max(-1, i - 5), -1):
        if kinds[j] == _PUNCT:
            return False
        if keys[j] in ("ne", "n"):
            return True
    return False


def _boost(
    i: int,
    origs: list[str],
    keys: list[str],
    kinds: list[int],
    boosters: list[bool],
    valence: float,
    is_cap_diff: bool,
) -> float:
    """Sum of booster/dampener effects from up to 3 preceding words of the same clause."""
    total = 0.0
    for distance in range(3):
        j = i - distance - 1
        if j < 0 or kinds[j] == _PUNCT:
            break
        if not boosters[j]:
            continue
        scalar = _BOOSTERS.get(keys[j], B_INCR)
        if valence < 0:
            scalar = -scalar
        if is_cap_diff and origs[j].isupper():
            scalar += C_INCR if valence > 0 else -C_INCR
        total += scalar * _BOOST_DAMPING[distance]
    return total


def _is_negated(i: int, keys: list[str], kinds: list[int], base: list[float]) -> bool:
    """One negation whatever the number of negation words ("ne ... pas" is one)."""
    return _negated_before(i, keys, kinds) or _negated_after(i, keys, kinds, base)


def _negated_before(i: int, keys: list[str], kinds: list[int]) -> bool:
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


def _negated_after(i: int, keys: list[str], kinds: list[int], base: list[float]) -> bool:
    j = i + 1
    if j < len(keys) and keys[j] in _POST_SKIPPABLE:
        j += 1
    if j >= len(keys) or kinds[j] != _WORD or keys[j] not in _POST_NEGATORS:
        return False
    if keys[j] == "plus" and j + 1 < len(keys) and base[j + 1] != 0.0:
        return False  # "marche plus vite": comparative, not negation
    return True


def _contrast_weights(keys: list[str], kinds: list[int]) -> list[float]:
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


def _scored_tokens(keys: list[str], kinds: list[int], valences: list[float]) -> ScoredTokens:
    boundaries = [
        (SENTENCE_BREAK if key in _SENTENCE_END else CLAUSE_BREAK) if kind == _PUNCT else NO_BREAK
        for key, kind in zip(keys, kinds, strict=True)
    ]
    return ScoredTokens(keys, valences, _CLAUSE_WORDS, boundaries=boundaries)


_ANALYSER: FrenchAnalyser | None = None


def french_analyser() -> FrenchAnalyser:
    """The process-wide French analyser (lexicon loaded on first use)."""
    global _ANALYSER
    if _ANALYSER is None:
        _ANALYSER = FrenchAnalyser(load_lexicon())
    return _ANALYSER
