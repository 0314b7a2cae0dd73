"""Request bodies of the reviews API, and the parts of its answers described here."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from feedback_service.moments import AwareDatetime
from feedback_service.orders.schemas import Strict

REJECTION_REASONS = (
    "abusive",
    "personal_data",
    "off_topic",
    "not_customer_experience",
    "spam",
    "duplicate",
)
Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class ReviewRequestIn(Strict):
    order_id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    send_after_days: int | None = Field(default=None, ge=0, le=365)


class ModerationIn(Strict):
    action: Literal["publish", "reject"]
    reason: Literal[REJECTION_REASONS] | None = None  # type: ignore[valid-type]


class ReplyIn(Strict):
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class ReviewImportIn(Strict):
    sku: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    rating: int = Field(ge=1, le=5)
    title: Line = ""
    body: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = ""
    author_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
    ]
    author_email: Annotated[str, StringConstraints(max_length=254)] | None = None
    language: Literal["en", "fr"] | None = None
    source: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.-]{1,40}$")]
    source_id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    verified: bool = False
    order_id: Annotated[str, StringConstraints(max_length=100)] | None = None
    submitted_at: AwareDatetime
    experienced_at: AwareDatetime | None = None
    published: bool = False


class ShopCriteria(BaseModel):
    """A review of the shop itself: its criteria, 1 to 5 stars each; one the customer
    skipped is absent. Product reviews have no `criteria`."""

    delivery: int | None = Field(default=None, ge=1, le=5)
    as_described: int | None = Field(default=None, ge=1, le=5)
    service: int | None = Field(default=None, ge=1, le=5)
