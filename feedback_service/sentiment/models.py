"""Result types of the sentiment analyser (kept free of any analysis logic)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Same thresholds as VADER's documentation recommends for its compound score.
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05


def label_for(score: float) -> str:
    """Map a score in [-1, 1] to negative / neutral / positive."""
    if score >= POSITIVE_THRESHOLD:
        return "positive"
    if score <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


@dataclass(frozen=True)
class Aspect:
    """One topic of the comment (delivery, price...) with the polarity of its clause."""

    name: str
    score: float
    label: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "score": self.score, "label": self.label}


@dataclass(frozen=True)
class Sentiment:
    """Overall polarity of a comment, its language and the aspects it talks about."""

    score: float
    label: str
    language: str
    aspects: tuple[Aspect, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "label": self.label,
            "language": self.language,
            "aspects": [aspect.as_dict() for aspect in self.aspects],
        }
