"""Request bodies of the products and orders API."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints


def _http_url(value: str) -> str:
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError("must be an http(s) URL")
    return value


# Dates of orders are stored in UTC: years 1 and 9999 overflow once converted.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must carry a timezone, e.g. 2026-11-23T10:00:00Z")
    if not EARLIEST <= value < LATEST:
        raise ValueError("must be between 1970 and 2099")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
HttpUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_http_url)
]
AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class ProductIn(Strict):
    sku: Annotated[Text, StringConstraints(max_length=100)]
    name: Annotated[Text, StringConstraints(max_length=300)]
    url: HttpUrl
    image_url: HttpUrl | None = None
    brand: Annotated[str, StringConstraints(max_length=200)] | None = None
    gtin: Annotated[str, StringConstraints(pattern=r"^\d{8,14}$")] | None = None
    category: Annotated[str, StringConstraints(max_length=100)] | None = None


class CustomerIn(Strict):
    email: EmailStr = Field(max_length=254)
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    external_id: Annotated[str, StringConstraints(max_length=100)] | None = None
    locale: Annotated[str, StringConstraints(max_length=16)] | None = None


class OrderItemIn(Strict):
    sku: Annotated[Text, StringConstraints(max_length=100)]
    quantity: int = Field(default=1, ge=1, le=10_000)
    unit_price: Decimal | None = Field(default=None, ge=0, le=10_000_000)


class OrderIn(Strict):
    id: Annotated[Text, StringConstraints(max_length=100)]
    customer: CustomerIn
    items: list[OrderItemIn] = Field(min_length=1, max_length=500)
    ordered_at: AwareDatetime
    delivered_at: AwareDatetime | None = None


# Items of one batch request (POST /api/v1/orders/batch, /api/v1/invitations/batch).
MAX_BATCH = 1000


class OrdersBatchIn(Strict):
    # Each item is validated on its own: one bad item never refuses the others.
    orders: list[Any] = Field(min_length=1, max_length=MAX_BATCH)
