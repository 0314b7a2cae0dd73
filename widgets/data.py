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
    logo_url: str | None = None  # og:image of pages without a product image
    timezone: str = "UTC"  # dates are shown as calendar days in this zone
    icon_url: str | None = None  # the service's icon, on its whole pages


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
