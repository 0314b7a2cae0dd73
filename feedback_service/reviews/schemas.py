"""Request bodies and answers of the reviews API, and the order as the API shows it (with
its review request: the reviews domain's)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from feedback_service.http import Strict
from feedback_service.moments import AwareDatetime, Moment
from feedback_service.orders.schemas import Order, OrderItem
from feedback_service.outbox.schemas import Email
from feedback_service.reviews.models import ReviewStatus

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


# --- answers -----------------------------------------------------------------------------

# Scheduled, then sent or skipped (the customer asked not to be contacted, or was asked
# recently), submitted once reviewed; cancelled with its order.
RequestStatus = Literal[
    "scheduled", "sent", "submitted", "cancelled", "skipped_unsubscribed", "skipped_throttled"
]


class ReviewRequest(Strict):
    id: int
    order_id: str
    token: str
    url: str
    send_at: Moment
    status: RequestStatus
    email: Email


class OrderReviewRequest(Strict):
    status: RequestStatus
    scheduled_for: Moment
    sent_at: Moment | None
    reminders_sent: int
    review_ids: list[int]


class OrderDetail(Order):
    items: list[OrderItem]
    review_request: OrderReviewRequest | None


class Reply(Strict):
    body: str
    published_at: Moment | None


class ShopCriteria(Strict):
    """A review of the shop itself: its criteria, 1 to 5 stars each; null where the
    customer skipped one."""

    delivery: int | None = Field(ge=1, le=5)
    as_described: int | None = Field(ge=1, le=5)
    service: int | None = Field(ge=1, le=5)


class Review(Strict):
    id: int
    sku: str | None  # null: a review of the shop itself, with its criteria
    criteria: ShopCriteria | None  # null on a product's review
    rating: int
    title: str
    body: str
    author_name: str
    language: str
    answers: list[list[str]]  # [question, answer] of the shop's multiple-choice questions
    photos: list[str]
    status: ReviewStatus
    rejection_reason: Literal[REJECTION_REASONS] | None  # type: ignore[valid-type]
    verified: bool
    incentivised: bool
    source: str
    source_id: str | None
    submitted_at: Moment | None
    experienced_at: Moment | None
    published_at: Moment | None
    helpful_count: int
    reply: Reply | None


class ReviewsPage(Strict):
    items: list[Review]
    next_cursor: str | None
