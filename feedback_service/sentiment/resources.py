"""Loading of the data files shipped with the package and of the shared VADER instance.

Everything here is loaded lazily, once per process: importing the package stays cheap
(the CLI and the web app import it even when no comment is analysed).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

_PACKAGE = "feedback_service.sentiment"
_VADER_LOCK = threading.Lock()
_VADER: Any = None


def read_tsv(filename: str) -> Iterator[tuple[str, float]]:
    """Yield (entry, valence) pairs of a shipped TSV file, skipping comments and blanks."""
    text = resources.files(_PACKAGE).joinpath(filename).read_text(encoding="utf-8")
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            raise ValueError(f"{filename}:{line_no}: expected '<entry>\\t<valence>'")
        yield parts[0].strip(), float(parts[1])


@cache
def emoji_valences() -> dict[str, float]:
    """Our curated emoji -> valence table (see emoji_lexicon.tsv)."""
    return dict(read_tsv("emoji_lexicon.tsv"))


def vader() -> Any:
    """The process-wide VADER analyser used for English, created on first use.

    Its lexicon is extended with en_lexicon.tsv and emoji_lexicon.tsv. Only this
    instance is changed: VADER keeps the lexicon per instance, so a plain
    ``SentimentIntensityAnalyzer()`` created elsewhere (e.g. the benchmark's baseline)
    is unaffected.
    """
    global _VADER
    if _VADER is None:
        with _VADER_LOCK:
            if _VADER is None:
                analyser = SentimentIntensityAnalyzer()
                analyser.lexicon.update(read_tsv("en_lexicon.tsv"))
                # Emojis of our table are kept as tokens by the English analyser.
                analyser.lexicon.update(emoji_valences())
                _VADER = analyser
    return _VADER


@cache
def vader_plain_lexicon() -> dict[str, float]:
    """VADER's original lexicon, used to give a valence to emoji descriptions."""
    return dict(SentimentIntensityAnalyzer().lexicon)


@cache
def vader_emoji_descriptions() -> dict[str, str]:
    """VADER's emoji -> English description table."""
    return dict(SentimentIntensityAnalyzer().emojis)


def fallback_emoji_valence(char: str) -> float:
    """Valence of an emoji missing from our table: VADER's description, scored word by word.

    Mirrors what VADER does for English (it replaces the emoji by its description), but
    language-neutral so the French analyser can use it too.
    """
    description = vader_emoji_descriptions().get(char)
    if not description:
        return 0.0
    lexicon = vader_plain_lexicon()
    total = sum(lexicon.get(word, 0.0) for word in description.lower().split())
    return max(-3.0, min(3.0, total))
