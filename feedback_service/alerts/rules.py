"""Which answers open an alert: the shop's rules over our defaults."""

from __future__ import annotations

from typing import Any

from feedback_service.alerts.schemas import AlertRules
from feedback_service.i18n import N_
from feedback_service.surveys.kinds import Kind

RULE_LABELS = {
    "thermometer_low": N_("Thermometer red or yellow"),
    "nps_detractor": N_("NPS detractor"),
    "csat_low": N_("Dissatisfied (CSAT)"),
    "review_low": N_("Low review"),
    "negative_comment": N_("Negative comment"),
    "mismatch": N_("Happy click, unhappy comment"),
}
RULE_NAMES = tuple(RULE_LABELS)


def rules_of(stored: dict[str, Any]) -> AlertRules:
    return AlertRules.model_validate(stored or {})


THERMOMETER_KEYS = {4: "gold", 3: "green", 2: "yellow", 1: "red"}


def _happy(kind: str, score: int) -> bool:
    return {
        Kind.THERMOMETER: score >= 3,
        Kind.NPS: score >= 9,
        Kind.CSAT: score >= 4,
        "review": score >= 4,
    }[kind]


def matching(rules: AlertRules, kind: str, score: int, comment_score: float | None) -> list[str]:
    """The rules an answer (kind, score) with an optional comment sentiment matches."""
    found = []
    if kind == Kind.THERMOMETER and THERMOMETER_KEYS.get(score) in rules.thermometer:
        found.append("thermometer_low")
    if kind == Kind.NPS and score <= rules.nps_max:
        found.append("nps_detractor")
    if kind == Kind.CSAT and score <= rules.csat_max:
        found.append("csat_low")
    if kind == "review" and score <= rules.review_max_stars:
        found.append("review_low")
    if comment_score is not None:
        if comment_score <= rules.comment_score_max:
            found.append("negative_comment")
        if rules.mismatch and _happy(kind, score) and comment_score <= rules.mismatch_score_max:
            found.append("mismatch")
    return found
