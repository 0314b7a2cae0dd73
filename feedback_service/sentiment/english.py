"""English scoring: VADER's compound score, computed token by token.

The lexicon is the shared ``SentimentIntensityAnalyzer``'s (VADER's own plus
en_lexicon.tsv and emoji_lexicon.tsv); the rules are VADER's: tokenisation, per-word
rules of ``sentiment_valence`` (negation, boosters, capitals, "no", "least", idioms),
the "but" rule, "!"/"?" emphasis and normalisation. We drive the loop ourselves
instead of calling ``polarity_scores`` because that buys:

* per-token valences, so aspect polarity reuses the same pass (no second VADER call);
* speed: a word with no rule word around it takes its lexicon valence directly, and
  the others go through ``vader_rules_valence``, a line-by-line port of
  ``sentiment_valence`` working on words lower-cased once (VADER lower-cases the token
  list several times per word and copies its negation list for every neighbour);
* linear time on huge comments: VADER's "but" check is quadratic; we apply its rule by
  position (which also fixes VADER mis-scaling words whose valence repeats a value
  already seen, its only observable difference);
* shop vocabulary, multiword phrases ("never arrived") and direct emoji valences.

With VADER's plain lexicon and ``shop_rules=False``, our compound equals
``polarity_scores`` on emoji-free text, checked on 30k random texts in the tests (except
that "but" difference). The shop rules, on by default, read comments as shop reviews are
written, where neutral was the weak class: a question does not praise ("Does it fit a
king size bed?"), "however" contrasts like "but", and a short comment that praises one
thing and faults another is a mixed verdict. Measured in benchmarks/sentiment_eval.py,
with VADER's rated texts as the check that nothing is lost elsewhere.
"""

from __future__ import annotations

import re
import string
from typing import Any

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    scalar_inc_dec,
)

from .resources import emoji_valences, vader, vader_emoji_descriptions
from .textutils import (
    ScoredTokens,
    WhitespaceTokens,
    apply_emphasis,
    build_phrase_index,
    match_phrase,
    normalise_score,
    whitespace_tokens,
)

_PUNCTUATION = string.punctuation
# Words that open a new clause: an aspect takes the polarity of its own clause.
_CLAUSE_WORDS = frozenset(
    {"but", "and", "however", "although", "though", "yet", "except", "whereas", "while"}
)
# Joiners and modifiers that only decorate an emoji (variation selector, ZWJ, skin tones).
_EMOJI_DECORATIONS = "\ufe0f\ufe0e\u200d" + "".join(chr(c) for c in range(0x1F3FB, 0x1F400))


def _rule_triggers() -> frozenset[str]:
    """Words whose presence near a lexicon word can make VADER's rules change its valence.

    ``sentiment_valence`` only reads the 3 words before and 2 after a lexicon word; if
    none of them is one of these (and the word is not shouted), the result is exactly
    the lexicon valence, and the rule code is skipped. Tested for equality.
    """
    triggers = {word for word in BOOSTER_DICT if " " not in word}
    triggers.update(word for phrase in BOOSTER_DICT if " " in phrase for word in phrase.split())
    triggers.update(NEGATE)
    # "no" negation, "least", "never so/this", "without doubt", the "so"/"this" boost.
    triggers.update({"no", "least", "so", "this", "never", "without", "doubt"})
    common = {"the", "to", "for", "of", "right", "heart", "bad", "stop"}
    for phrase in SPECIAL_CASES:
        triggers.update(word for word in phrase.split() if word not in common)
        if " " in phrase and not any(word in triggers for word in phrase.split()):
            raise AssertionError(f"idiom {phrase!r} has no trigger word")
    return frozenset(triggers)


_RULE_TRIGGERS = _rule_triggers()
# VADER's "but" rule: words before weigh half, words after 1.5 times.
_BEFORE_BUT = 0.5
_AFTER_BUT = 1.5


_NEGATE = frozenset(NEGATE)
_SO_THIS = ("so", "this")


def _negated(word: str) -> bool:
    """VADER's ``negated([word])`` for one lower-cased word."""
    return word in _NEGATE or "n't" in word


def _negation_check(valence: float, words: list[str], start_i: int, i: int) -> float:
    """Port of ``SentimentIntensityAnalyzer._negation_check`` on lower-cased words."""
    if start_i == 0:
        if _negated(words[i - 1]):
            valence *= N_SCALAR
    elif start_i == 1:
        if words[i - 2] == "never" and words[i - 1] in _SO_THIS:
            valence *= 1.25
        elif words[i - 2] == "without" and words[i - 1] == "doubt":
            pass
        elif _negated(words[i - 2]):
            valence *= N_SCALAR
    else:
        # VADER's precedence: (never and so/this) or so/this right before.
        if (words[i - 3] == "never" and words[i - 2] in _SO_THIS) or words[i - 1] in _SO_THIS:
            valence *= 1.25
        elif words[i - 3] == "without" and (words[i - 2] == "doubt" or words[i - 1] == "doubt"):
            pass
        elif _negated(words[i - 3]):
            valence *= N_SCALAR
    return valence


def _special_idioms_check(valence: float, words: list[str], i: int) -> float:
    """Port of ``SentimentIntensityAnalyzer._special_idioms_check`` (called with i > 2)."""
    onezero = f"{words[i - 1]} {words[i]}"
    twoonezero = f"{words[i - 2]} {words[i - 1]} {words[i]}"
    twoone = f"{words[i - 2]} {words[i - 1]}"
    threetwoone = f"{words[i - 3]} {words[i - 2]} {words[i - 1]}"
    threetwo = f"{words[i - 3]} {words[i - 2]}"
    for sequence in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if sequence in SPECIAL_CASES:
            valence = SPECIAL_CASES[sequence]
            break
    if len(words) - 1 > i:
        zeroone = f"{words[i]} {words[i + 1]}"
        if zeroone in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroone]
    if len(words) - 1 > i + 1:
        zeroonetwo = f"{words[i]} {words[i + 1]} {words[i + 2]}"
        if zeroonetwo in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in BOOSTER_DICT:
            valence = valence + BOOSTER_DICT[n_gram]
    return valence


def _least_check(valence: float, words: list[str], lexicon: dict[str, float], i: int) -> float:
    """Port of ``SentimentIntensityAnalyzer._least_check``."""
    if i > 1 and words[i - 1] not in lexicon and words[i - 1] == "least":
        if words[i - 2] != "at" and words[i - 2] != "very":
            valence *= N_SCALAR
    elif i > 0 and words[i - 1] not in lexicon and words[i - 1] == "least":
        valence *= N_SCALAR
    return valence


def vader_rules_valence(
    lexicon: dict[str, float], items: list[str], words: list[str], i: int, is_cap_diff: bool
) -> float:
    """Port of ``SentimentIntensityAnalyzer.sentiment_valence`` for a lexicon word.

    ``items`` are VADER's tokens, ``words`` the same lower-cased (computed once per
    text instead of several times per lexicon word, which made VADER's version the
    bottleneck). Statement order and quirks are VADER's; equality with the installed
    VADER is checked by a randomised test.
    """
    word = words[i]
    valence = lexicon[word]
    if word == "no" and i != len(words) - 1 and words[i + 1] in lexicon:
        valence = 0.0
    if (
        (i > 0 and words[i - 1] == "no")
        or (i > 1 and words[i - 2] == "no")
        or (i > 2 and words[i - 3] == "no" and words[i - 1] in ("or", "nor"))
    ):
        valence = lexicon[word] * N_SCALAR
    if items[i].isupper() and is_cap_diff:
        valence = valence + C_INCR if valence > 0 else valence - C_INCR
    for start_i in range(3):
        before = i - (start_i + 1)
        if i > start_i and words[before] not in lexicon:
            scalar = scalar_inc_dec(items[before], valence, is_cap_diff)
            if start_i == 1 and scalar != 0:
                scalar = scalar * 0.95
            if start_i == 2 and scalar != 0:
                scalar = scalar * 0.9
            valence = valence + scalar
            valence = _negation_check(valence, words, start_i, i)
            if start_i == 2:
                valence = _special_idioms_check(valence, words, i)
    return _least_check(valence, words, lexicon, i)


def _vader_token(token: str) -> str:
    """VADER's SentiText rule: strip punctuation unless that leaves <= 2 chars (":)")."""
    stripped = token.strip(_PUNCTUATION)
    return stripped if len(stripped) > 2 else token


class EnglishAnalyser:
    """Scores English text with a (lexicon-extended) VADER instance."""

    def __init__(self, analyser: Any, *, shop_rules: bool = True) -> None:
        """``shop_rules=False`` scores exactly as VADER does (the port's equality tests)."""
        self._vader = analyser
        self._shop_rules = shop_rules
        self._lexicon: dict[str, float] = analyser.lexicon
        phrases = [tuple(key.split()) for key in self._lexicon if " " in key]
        self._phrases = build_phrase_index(phrases)
        self._phrase_starts = frozenset(first for first, _ in self._phrases)
        self._emoji_text = self._emoji_replacements()
        self._emoji_re = re.compile("[" + "".join(map(re.escape, self._emoji_text)) + "]")

    def _emoji_replacements(self) -> dict[str, str]:
        """Emoji -> text: our valenced emojis stay as tokens, others become VADER's words."""
        replacements = {
            char: f" {description} "
            for char, description in vader_emoji_descriptions().items()
            if len(char) == 1
        }
        for char in emoji_valences():
            if len(char) == 1 and char in self._lexicon:
                replacements[char] = f" {char} "
        for char in _EMOJI_DECORATIONS:
            replacements[char] = ""
        return replacements

    def _replace_emojis(self, text: str) -> str:
        if text.isascii():  # no emoji possible: skip the regex pass entirely
            return text
        # Phones type "doesn’t": VADER only knows the ASCII apostrophe in negations.
        text = text.replace("\u2019", "'")
        return self._emoji_re.sub(lambda match: self._emoji_text[match.group()], text)

    def score(
        self, text: str, tokens: WhitespaceTokens | None = None
    ) -> tuple[float, ScoredTokens]:
        """VADER compound of ``text`` plus the per-token data used for aspects.

        ``tokens`` (``whitespace_tokens(text)``, e.g. from language detection) is reused
        when the text needs no emoji replacement.
        """
        replaced = self._replace_emojis(text)
        if tokens is None or replaced is not text:
            tokens = whitespace_tokens(replaced)
        raw, keys = tokens.raw, tokens.keys
        # VADER's SentiText tokens keep the punctuation of tokens that would shrink to
        # <= 2 characters (":)", "ok."); ``words`` are those, lower-cased.
        words = [k if len(k) > 2 else t for t, k in zip(tokens.lowered_raw, keys, strict=True)]
        # VADER's allcap_differential (some but not all tokens shouting), counted in C.
        shouting = sum(map(str.isupper, raw))
        is_cap_diff = 0 < shouting < len(raw)
        if not self._phrase_starts.isdisjoint(keys):
            raw, words, keys = self._merge_phrases(raw, words, keys)
        valences = self._valences(raw, words, is_cap_diff, "n't" in tokens.lowered)
        if not self._shop_rules:
            total = self._contrast_weighted_sum(valences, keys)
        else:
            if "?" in replaced:
                _drop_praise_in_questions(valences, raw, keys)
            total = _shop_sum(valences, keys)
        scored = ScoredTokens(keys, valences, _CLAUSE_WORDS, raw=raw)
        return normalise_score(apply_emphasis(total, replaced)), scored

    def _merge_phrases(
        self, raw: list[str], words: list[str], keys: list[str]
    ) -> tuple[list[str], list[str], list[str]]:
        """Replace known multiword phrases by a single token whose key is in the lexicon."""
        phrases = self._phrases
        matches: list[tuple[int, int]] = []
        starts = self._phrase_starts
        for start in [i for i, key in enumerate(keys) if key in starts]:
            if not matches or start >= matches[-1][1]:
                phrase = match_phrase(keys, start, phrases, raw)
                if phrase is not None:
                    matches.append((start, start + len(phrase)))
        if not matches:
            return raw, words, keys
        out_raw: list[str] = []
        out_words: list[str] = []
        out_keys: list[str] = []
        done = 0
        for start, end in matches:
            out_raw += raw[done:start]
            out_words += words[done:start]
            out_keys += keys[done:start]
            # Original case, so VADER still sees "NEVER ARRIVED" as shouting; the last
            # token keeps its trailing punctuation, which marks the clause end.
            parts = [token.strip(_PUNCTUATION) for token in raw[start : end - 1]]
            out_raw.append(" ".join([*parts, raw[end - 1].lstrip(_PUNCTUATION)]))
            phrase_key = " ".join(keys[start:end])
            out_words.append(phrase_key)
            out_keys.append(phrase_key)
            done = end
        out_raw += raw[done:]
        out_words += words[done:]
        out_keys += keys[done:]
        return out_raw, out_words, out_keys

    def _valences(
        self, raw: list[str], words: list[str], is_cap_diff: bool, has_nt: bool
    ) -> list[float]:
        """Per-token valence with VADER's rules, same skips as ``polarity_scores``.

        ``raw`` are the original-case tokens, ``words`` VADER's lower-cased tokens,
        ``has_nt`` whether any token contains "n't" (a negation for VADER).
        """
        lexicon = self._lexicon
        if not has_nt and _RULE_TRIGGERS.isdisjoint(words):
            triggers = [False] * len(words)  # the common case: no rule word at all
        else:
            triggers = [word in _RULE_TRIGGERS or "n't" in word for word in words]
        items: list[str] | None = None  # original-case VADER tokens, built if needed
        valences = [0.0] * len(words)
        for i in [i for i, word in enumerate(words) if word in lexicon]:
            word = words[i]
            if word in BOOSTER_DICT:
                continue
            if word == "kind" and i + 1 < len(words) and words[i + 1] == "of":
                continue
            start = max(0, i - 3)
            if not (is_cap_diff and raw[i].isupper()) and not any(triggers[start : i + 3]):
                valences[i] = lexicon[word]  # no rule can apply: plain lexicon valence
                continue
            if items is None:
                items = [_vader_token(token) for token in raw]
            valences[i] = vader_rules_valence(lexicon, items, words, i, is_cap_diff)
        return valences

    @staticmethod
    def _contrast_weighted_sum(valences: list[float], keys: list[str]) -> float:
        """Sum with VADER's "but" rule (first "but" only, as VADER does)."""
        if "but" not in keys:
            return sum(valences)
        index = keys.index("but")
        return sum(valences[:index]) * _BEFORE_BUT + sum(valences[index + 1 :]) * _AFTER_BUT


# Sentences opening like this and ending with "?" ask; "why" questions complain.
_QUESTION_OPENERS = frozenset(
    "is are am was were do does did can could will would should shall may might has have had "
    "how what which when where who whose any anyone anybody".split()
)
# Contrast words of the shop rules: "however" turns a review around as "but" does.
_CONTRASTS = ("but", "however")
# Up to this many words a comment is a verdict, where a contrast means a mixed one.
_MIXED_MAX_WORDS = 10


def _drop_praise_in_questions(valences: list[float], raw: list[str], keys: list[str]) -> None:
    """A question asks, it does not praise: "Is it waterproof?", "Does it fit a king bed?".

    Positive valences of a sentence that opens with an auxiliary or a question word and
    ends with "?" count nothing; negative ones stay ("Is it supposed to leak?").
    """
    start = 0
    for i, token in enumerate(raw):
        last = token[-1]
        if last not in ".!?":
            continue
        if last == "?" and keys[start] in _QUESTION_OPENERS:
            for j in range(start, i + 1):
                if valences[j] > 0:
                    valences[j] = 0.0
        start = i + 1


def _shop_sum(valences: list[float], keys: list[str]) -> float:
    """VADER's "but" rule (also for "however"), and short mixed verdicts made neutral.

    In a comment of up to ``_MIXED_MAX_WORDS`` words, praise on one side of the contrast
    and fault on the other ("Good quality but took a while to arrive") is a mixed
    verdict: the weaker side cancels as much of the stronger one, so the comment stays
    neutral unless one side weighs more than twice the other ("Nice shoes but they hurt
    my feet"). Longer texts keep VADER's sum: in VADER's rated tweets and review
    snippets, people reading a long mixed text follow one side.
    """
    index = next((i for i, key in enumerate(keys) if key in _CONTRASTS), -1)
    if index < 0:
        return sum(valences)
    before, after = valences[:index], valences[index + 1 :]
    total = sum(before) * _BEFORE_BUT + sum(after) * _AFTER_BUT
    if len(keys) > _MIXED_MAX_WORDS:
        return total
    praise = sum(v for v in before if v > 0) * _BEFORE_BUT
    praise += sum(v for v in after if v > 0) * _AFTER_BUT
    weaker = min(praise, praise - total)  # praise - total: the fault's weight
    if total > 0:
        return max(0.0, total - weaker)
    return min(0.0, total + weaker)


_ANALYSER: EnglishAnalyser | None = None


def english_analyser() -> EnglishAnalyser:
    """The process-wide English analyser (built on first use)."""
    global _ANALYSER
    if _ANALYSER is None:
        _ANALYSER = EnglishAnalyser(vader())
    return _ANALYSER
