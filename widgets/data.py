"""Plain data the blocks are rendered from; the app builds these from its models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SORTS = ("recent", "rating_desc", "rating_asc", "helpful")
DEFAULT_SORT = "recent"


@dataclass(frozen=True)
class Shop:
    slug: str
    name: str
    policy_url: str  # the page saying how reviews are collected and checked (?lang= added)
    certificate_url: str  # the shop's reviews of itself (?lang=, ?page= added)
    logo_url: str | None = None  # og:image of pages without a product image
    timezone: str = "UTC"  # dates are shown as calendar days in this zone
    icon_url: str | None = None  # the service's icon, on its whole pages


@dataclass(frozen=True)
class DrawNotice:
    """A prize draw open now: reviews written until `ends` enter it."""

    prize: str
    ends: datetime  # exclusive: the last day is the one before
    url: str  # its public page, where anyone can check it


@dataclass(frozen=True)
class ReviewPolicy:
    """What the shop promises about its reviews, from its settings (policy page)."""

    publication_days: int  # a review is published or refused within this many days
    retention_years: int  # a published review stays online this long
    moderated: bool  # a person reads every review first; False: those the text check flags
    refusal_reasons: tuple[str, ...]  # the moderation's reasons, in the page's language
    draw: DrawNotice | None = None


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    url: str
    image_url: str | None
    brand: str | None
    gtin: str | None
    description: str | None = None
    page_url: str | None = None  # this service's page of the product and its reviews
    questions_url: str | None = None  # where the form asking a question is posted


@dataclass(frozen=True)
class Reply:
    body: str
    published_at: datetime


@dataclass(frozen=True)
class Review:
    id: int
    product_sku: str
    product_name: str
    author_name: str
    rating: int
    title: str
    body: str
    language: str
    published_at: datetime
    experienced_at: datetime | None
    verified: bool
    helpful_count: int
    reply: Reply | None
    photos: tuple[str, ...]  # absolute URLs
    url: str  # its own page, the one share links point to
    helpful_url: str  # where the "helpful" vote is posted
    incentivised: bool = False
    answers: tuple[tuple[str, str], ...] = ()  # (question label, answer text)
    edited_at: datetime | None = None  # the author's last edit: "Edited on …"

    def __post_init__(self) -> None:
        if not 1 <= self.rating <= 5:
            raise ValueError(f"review {self.id}: rating must be 1 to 5, got {self.rating}")


@dataclass(frozen=True)
class Summary:
    """Aggregate of ALL published reviews of a product (or shop), not just one page."""

    value: float | None
    count: int
    distribution: dict[int, int] = field(default_factory=dict)  # stars -> number of reviews

    @property
    def has_rating(self) -> bool:
        return self.count > 0 and self.value is not None


@dataclass(frozen=True)
class Quote:
    """Words of a published review, verbatim; ``cut_start``/``cut_end``: words left out."""

    url: str | None  # the quoted review's own page (None: a review without one)
    language: str
    text: str
    cut_start: bool = False
    cut_end: bool = False


@dataclass(frozen=True)
class Highlight:
    """What customers say about one aspect: how many mention it, how many of them in a
    positive or a negative way, and their own words (at most one quote per language)."""

    aspect: str  # one of widgets.highlights.ASPECTS; others are not shown
    mentions: int
    positive: int
    negative: int
    quotes: tuple[Quote, ...] = ()


@dataclass(frozen=True)
class PageInfo:
    page: int
    pages: int
    sort: str
    lang: str | None
    base_url: str  # absolute URL of the block, without query string
    languages: tuple[str, ...] = ()  # review languages offered in the filter; () = en, fr
    # The shop's page the block is embedded in (the product's url): the links that change
    # the view go there, as ?fs_page=&fs_sort=&fs_lang=, never to this service's fragment.
    host_url: str | None = None


@dataclass(frozen=True)
class CriterionRating:
    """A shop's average on one criterion ("delivery", "as_described" or "service")."""

    name: str
    value: float | None
    count: int  # the reviews that rated it (a customer may skip one)


@dataclass(frozen=True)
class ShopRating:
    """The shop's own reviews over the last twelve months, and how many there are in all."""

    summary: Summary  # overall: average, count and distribution over the period
    criteria: tuple[CriterionRating, ...]
    total: int


@dataclass(frozen=True)
class ShopReview:
    """A review of the shop itself: no product, no title, its criteria."""

    id: int
    author_name: str
    rating: int
    criteria: tuple[tuple[str, int], ...]  # (criterion, stars), in the form's order
    body: str
    language: str
    published_at: datetime
    experienced_at: datetime | None
    verified: bool
    reply: Reply | None = None
    incentivised: bool = False
    edited_at: datetime | None = None  # the author's last edit: "Edited on …"

    def __post_init__(self) -> None:
        for name, stars in ((None, self.rating), *self.criteria):
            if not 1 <= stars <= 5:
                raise ValueError(f"shop review {self.id}: {name or 'rating'} must be 1 to 5")
