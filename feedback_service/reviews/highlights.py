"""Review highlights: what customers say about each aspect of a product, in their words.

From the aspects the analyser stored with each published review (delivery, quality...,
each with the polarity of its clause): the aspects most mentioned, the share of
positive and negative mentions of each, and one quote per aspect and language. A quote
is extractive: a sentence or a clause of a published review, verbatim, trimmed at word
boundaries, never written by us. Computed when a product's published reviews change
(see services.refresh_product_rating) and stored with the product, so that a block
shows them without a query of its own.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from tortoise.queryset import QuerySet

from feedback_service.reviews.models import Review, ReviewStatus
from feedback_service.sentiment import analyse
from feedback_service.sentiment.aspects import aspect_of
from feedback_service.sentiment.textutils import fold

MAX_ASPECTS = 5
# An aspect one review mentions is that review, not what customers say.
MIN_MENTIONS = 2
# Highlights read the latest published reviews: a refresh stays a few milliseconds on a
# product with thousands of reviews, and they say what customers say now.
RECENT_REVIEWS = 1000
QUOTE_LANGUAGES = ("en", "fr")
MAX_QUOTE_CHARS = 110
# Reviews tried per aspect and language before the aspect goes without a quote, and
# sentences read in each (every one is analysed: a 5,000-character review stays cheap).
CANDIDATES = 6
MAX_SENTENCES = 20
_LABELS = ("negative", "positive", "neutral")  # a tie quotes criticism, not praise
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s)|\n")
# Where a clause ends inside a sentence: punctuation, dashes, and before a contrast word.
_CLAUSE_BREAK = re.compile(
    r"[,;:]\s+|\s[–—-]\s+|\s+(?=(?:but|however|although|though|whereas|mais|cependant|"
    r"pourtant|par contre|sauf|en revanche|bien que)\b)",
    re.IGNORECASE,
)
_CONTRAST_OPENING = re.compile(
    r"(?:but|however|although|though|whereas|mais|cependant|pourtant|par contre|sauf|"
    r"en revanche|bien que)\b[\s,]*",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_TRAILING = " \t,;:–—-"


@dataclass(frozen=True)
class SourceReview:
    """What highlights read of a published review; newest first in the list given."""

    id: int
    language: str
    aspects: Sequence[Mapping[str, Any]]
    helpful_count: int = 0


@dataclass(frozen=True)
class Tally:
    aspect: str
    mentions: int
    positive: int
    negative: int
    voice: str  # the most frequent label: the quote says what most say
    candidates: dict[str, list[int]]  # language -> review ids to quote from, best first


def tally(reviews: Sequence[SourceReview]) -> list[Tally]:
    """The most mentioned aspects (at least MIN_MENTIONS reviews each), most first."""
    mentions: dict[str, list[tuple[int, SourceReview, str]]] = {}
    for rank, review in enumerate(reviews):
        if not review.aspects or type(review.aspects) is not list:
            continue  # most comments name no aspect
        seen: set[str] = set()
        for aspect in review.aspects:
            if type(aspect) is not dict:
                continue
            name, label = aspect.get("name"), aspect.get("label")
            if label in _LABELS and type(name) is str and name not in seen:
                seen.add(name)  # one vote per review
                mentions.setdefault(name, []).append((rank, review, label))
    ranked = sorted(
        ((name, found) for name, found in mentions.items() if len(found) >= MIN_MENTIONS),
        key=lambda item: (-len(item[1]), item[0]),
    )
    tallies = []
    for name, found in ranked[:MAX_ASPECTS]:
        counts = Counter(label for _, _, label in found)
        voice = max(_LABELS, key=lambda label: counts[label])
        candidates = {
            language: [
                review.id
                for _, _, review in heapq.nsmallest(
                    CANDIDATES,
                    (  # the most helpful, then the newest
                        (-review.helpful_count, rank, review)
                        for rank, review, label in found
                        if label == voice and review.language == language
                    ),
                    key=lambda item: item[:2],
                )
            ]
            for language in QUOTE_LANGUAGES
        }
        tallies.append(
            Tally(name, len(found), counts["positive"], counts["negative"], voice, candidates)
        )
    return tallies


def candidate_ids(tallies: Iterable[Tally]) -> set[int]:
    """The reviews whose text the quotes may come from."""
    return {id_ for t in tallies for ids in t.candidates.values() for id_ in ids}


def summarise(
    tallies: Sequence[Tally], texts: Mapping[int, tuple[str, str]]
) -> list[dict[str, Any]]:
    """The stored highlights: counts and, per language, a quote (review id and text).

    ``texts``: review id -> (title, body) of at least the candidates. A review's sentence
    serves one aspect only, so two aspects do not show the same words.
    """
    used: set[tuple[int, int]] = set()
    result = []
    for t in tallies:
        quotes = {}
        for language in QUOTE_LANGUAGES:
            for review_id in t.candidates[language]:
                title, body = texts.get(review_id, ("", ""))
                found = _quote(body, t.aspect, t.voice, language, review_id, used)
                found = found or _quote(title, t.aspect, t.voice, language, -review_id, used)
                if found is not None:
                    quotes[language] = {"review": review_id, **found}
                    break
        result.append(
            {
                "aspect": t.aspect,
                "mentions": t.mentions,
                "positive": t.positive,
                "negative": t.negative,
                "quotes": quotes,
            }
        )
    return result


async def highlights_of(reviews: QuerySet[Review]) -> list[dict[str, Any]]:
    """Highlights of the published reviews ``reviews`` selects (a product's, a shop's)."""
    rows = (
        await reviews.order_by("-published_at", "-id")
        .limit(RECENT_REVIEWS)
        .values("id", "language", "aspects", "helpful_count")
    )
    tallies = tally([SourceReview(**row) for row in rows])
    ids = candidate_ids(tallies)
    found = await Review.filter(id__in=ids).values("id", "title", "body") if ids else []
    return summarise(tallies, {row["id"]: (row["title"], row["body"]) for row in found})


async def product_highlights(product_id: int) -> list[dict[str, Any]]:
    return await highlights_of(Review.filter(product_id=product_id, status=ReviewStatus.PUBLISHED))


async def shop_highlights(shop_id: int) -> list[dict[str, Any]]:
    """What customers say across the shop's products (for the shop's certificate)."""
    return await highlights_of(Review.filter(shop_id=shop_id, status=ReviewStatus.PUBLISHED))


# ---- extraction -------------------------------------------------------------------------


def _quote(
    text: str, aspect: str, voice: str, language: str, key: int, used: set[tuple[int, int]]
) -> dict[str, Any] | None:
    """The first sentence of ``text`` saying ``voice`` about ``aspect``, cut to its clause
    and then to MAX_QUOTE_CHARS at word boundaries when longer; None if there is none."""
    for start, end in islice(_sentences(text), MAX_SENTENCES):
        if (key, start) in used or not _says(text[start:end], aspect, voice, language):
            continue
        used.add((key, start))
        first, last = start, end
        if end - start > MAX_QUOTE_CHARS:
            first, last = _clause(text, start, end, aspect, language)
            if last - first > MAX_QUOTE_CHARS:
                first, last = _window(text, first, last, aspect)
        return {"text": text[first:last], "cut_start": first > start, "cut_end": last < end}
    return None


def _says(sentence: str, aspect: str, voice: str, language: str) -> bool:
    found = analyse(sentence, language).aspects
    return any(a.name == aspect and a.label == voice for a in found)


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """[start, end) of each sentence, without the spaces around it."""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() if match.group() == "\n" else match.end()
        yield from _stripped(text, start, end)
        start = match.end()
    yield from _stripped(text, start, len(text))


def _stripped(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def _clause(text: str, start: int, end: int, aspect: str, language: str) -> tuple[int, int]:
    """The clause of the sentence [start, end) that mentions the aspect, without the
    contrast word opening it or the punctuation closing it."""
    cuts = [start]
    cuts += [m.end() for m in _CLAUSE_BREAK.finditer(text, start, end)]
    cuts.append(end)
    for first, last in zip(cuts, cuts[1:], strict=False):
        clause = text[first:last]
        if any(a.name == aspect for a in analyse(clause, language).aspects):
            opening = _CONTRAST_OPENING.match(clause)
            if opening and opening.end() < len(clause):
                first += opening.end()
            while last > first + 1 and text[last - 1] in _TRAILING:
                last -= 1
            return first, last
    return start, end


def _window(text: str, start: int, end: int, aspect: str) -> tuple[int, int]:
    """At most MAX_QUOTE_CHARS of [start, end), whole words only, with the aspect's word."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]
    if not words:
        return start, min(end, start + MAX_QUOTE_CHARS)
    anchor = next((w for w in words if aspect_of(fold(text[w[0] : w[1]])) == aspect), words[0])
    # Begin at the clause's start when the aspect's word fits, else a few words before it.
    first = start if anchor[1] - start <= MAX_QUOTE_CHARS else anchor[0]
    if first != start:
        reach = MAX_QUOTE_CHARS // 3
        before = [w for w in words if w[1] <= anchor[0] and anchor[1] - w[0] <= reach]
        first = before[0][0] if before else anchor[0]
    fitting = [w[1] for w in words if w[0] >= first and w[1] - first <= MAX_QUOTE_CHARS]
    return first, max(fitting, default=min(end, first + MAX_QUOTE_CHARS))  # a giant word
