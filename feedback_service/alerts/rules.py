"""Which answers open an alert: the shop's rules over our defaults."""

from __future__ import annotations

from typing import Any

from feedback_service.alerts.schemas import AlertRules
from feedback_service.i18n import N_

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
        "thermometer": score >= 3,
        "nps": score >= 9,
        "csat": score >= 4,
        "review": score >= 4,
    }[kind]


def matching(rules: AlertRules, kind: str, score: int, comment_score: float | None) -> list[str]:
    """The rules an answer (kind, score) with an optional comment sentiment matches."""
    found = []
    if kind == "thermometer" and THERMOMETER_KEYS.get(score) in rules.thermometer:
        found.append("thermometer_low")
    if kind == "nps" and score <= rules.nps_max:
        found.append("nps_detractor")
    if kind == "csat" and score <= rules.csat_max:
        found.append("csat_low")
    if kind == "review" and score <= rules.review_max_stars:
        found.append("review_low")
    if comment_score is not None:
        if comment_score <= rules.comment_score_max:
            found.append("negative_comment")
        if rules.mismatch and _happy(kind, score) and comment_score <= rules.mismatch_score_max:
            found.append("mismatch")
    return found
