"""The survey kinds and their scores."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from feedback_service.i18n import N_


class Kind(StrEnum):
    """A survey kind, as stored (Invitation.kind, Response.kind, ...) and as the API names it."""

    THERMOMETER = "thermometer"
    NPS = "nps"
    CSAT = "csat"


@dataclass(frozen=True)
class Choice:
    key: str  # as it appears in the link: /s/{token}/{key}
    score: int  # as it is stored and counted
    label: str  # English source text, translated at render time
    color: str
    text_color: str = "#ffffff"


@dataclass(frozen=True)
class SurveyKind:
    name: Kind
    question: str
    choices: tuple[Choice, ...]

    @property
    def link_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.choices)

    def choice(self, key: str) -> Choice | None:
        return self._by_key().get(key)

    def choice_for_score(self, score: int) -> Choice | None:
        return next((c for c in self.choices if c.score == score), None)

    def _by_key(self) -> dict[str, Choice]:
        return {c.key: c for c in self.choices}


def _nps_color(score: int) -> str:
    return "#15803d" if score >= 9 else "#a16207" if score >= 7 else "#b91c1c"


THERMOMETER = SurveyKind(
    name=Kind.THERMOMETER,
    question=N_("How would you rate our service?"),
    choices=(
        Choice("gold", 4, N_("Gold: excellent"), "#f5c542", "#111827"),
        Choice("green", 3, N_("Green: good"), "#15803d"),
        Choice("yellow", 2, N_("Yellow: could be better"), "#fde047", "#111827"),
        Choice("red", 1, N_("Red: not good"), "#dc2626"),
    ),
)
NPS = SurveyKind(
    name=Kind.NPS,
    question=N_("How likely are you to recommend %(shop)s to a friend or colleague?"),
    choices=tuple(Choice(str(n), n, str(n), _nps_color(n)) for n in range(11)),
)
CSAT = SurveyKind(
    name=Kind.CSAT,
    question=N_("How satisfied are you with your recent experience with %(shop)s?"),
    choices=(
        Choice("1", 1, N_("Very dissatisfied"), "#dc2626"),
        Choice("2", 2, N_("Dissatisfied"), "#c2410c"),
        Choice("3", 3, N_("Neutral"), "#fde047", "#111827"),
        Choice("4", 4, N_("Satisfied"), "#4d7c0f"),
        Choice("5", 5, N_("Very satisfied"), "#15803d"),
    ),
)
KINDS: dict[str, SurveyKind] = {kind.name: kind for kind in (THERMOMETER, NPS, CSAT)}


def score_label(kind: str, score: int) -> str:
    """The link key of a stored score: 'gold' for thermometer 4, '9' for NPS 9."""
    choice = KINDS[kind].choice_for_score(score)
    return choice.key if choice else str(score)


def answer_text(kind: str, score: int, _: Callable[..., str]) -> str:
    """An answer as staff read it, in their language: "NPS 6/10", "CSAT 2/5", "Gold: excellent"."""
    if kind == Kind.NPS:
        return _("NPS %(score)s/10", score=score)
    if kind == Kind.CSAT:
        return _("CSAT %(score)s/5", score=score)
    choice = KINDS[kind].choice_for_score(score)
    return _(choice.label) if choice else str(score)


def _kinds_of_key() -> dict[str, tuple[int, tuple[str, ...]]]:
    """Link key -> its score and the kinds whose links have it ("3": NPS and CSAT)."""
    found: dict[str, tuple[int, tuple[str, ...]]] = {}
    for kind in KINDS.values():
        for choice in kind.choices:
            score, kinds = found.get(choice.key, (choice.score, ()))
            assert score == choice.score, "a key means the same score in every kind"
            found[choice.key] = (score, (*kinds, kind.name))
    return found


KINDS_OF_KEY = _kinds_of_key()
