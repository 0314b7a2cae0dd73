"""The text check for automatic publication: the same rule whatever the rating."""

from __future__ import annotations

import re
import unicodedata

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?:\+|\b0)\d(?:[\s.-]?\d){7,}")
URL = re.compile(r"https?://|www\.", re.IGNORECASE)
# A short list on purpose: anything flagged goes to a person, nothing is rejected here.
PROFANITY = {
    "connard",
    "connasse",
    "salope",
    "encule",
    "enculé",
    "putain",
    "merde",
    "batard",
    "fuck",
    "fucking",
    "shit",
    "bitch",
    "asshole",
    "cunt",
    "bastard",
}


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c)
    )


def flags(text: str) -> list[str]:
    """Why a person should read this text before it is published (empty: nothing found)."""
    found = []
    if EMAIL.search(text):
        found.append("email")
    if PHONE.search(text):
        found.append("phone")
    if URL.search(text):
        found.append("link")
    words = set(re.findall(r"\w+", _fold(text)))
    if words & {_fold(w) for w in PROFANITY}:
        found.append("profanity")
    return found
