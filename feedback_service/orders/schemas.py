"""Request bodies of the products and orders API."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, EmailStr, Field, StringConstraints

from feedback_service.http import Strict
from feedback_service.moments import AwareDatetime
from schema_markup import clean_line


def _http_url(value: str) -> str:
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError("must be an http(s) URL")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
HttpUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_http_url)
]
# A person's name as staff read it: no control or bidi override (U+202E) to reorder it.
Name = Annotated[str, StringConstraints(max_length=200), AfterValidator(clean_line)]


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
    name: Name | None = None
    external_id: Annotated[str, StringConstraints(max_length=100)] | None = None
    locale: Annotated[str, StringConstraints(max_length=16)] | None = None


class OrderItemIn(Strict):
    sku: Annotated[Text, StringConstraints(max_length=100)]
    quantity: int = Field(default=1, ge=1, le=10_000)
    unit_price: Decimal | None = Field(default=None, ge=0, le=10_000_000)


OrderStatus = Literal["created", "fulfilled", "delivered", "cancelled", "refunded"]


class OrderIn(Strict):
    id: Annotated[Text, StringConstraints(max_length=100)]
    customer: CustomerIn
    items: list[OrderItemIn] = Field(min_length=1, max_length=500)
    ordered_at: AwareDatetime
    delivered_at: AwareDatetime | None = None
    # Optional: without a status, a delivered_at says "delivered", else "created". A status
    # never goes back (a delivered order stays delivered); cancelled and refunded stay.
    status: OrderStatus | None = None
    fulfilled_at: AwareDatetime | None = None
    number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = None


# Items of one batch request (POST /api/v1/orders/batch, /api/v1/invitations/batch).
MAX_BATCH = 1000


class OrdersBatchIn(Strict):
    # Each item is validated on its own: one bad item never refuses the others.
    orders: list[Any] = Field(min_length=1, max_length=MAX_BATCH)
