"""Request bodies and answers of the products and orders API."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, EmailStr, Field, PlainValidator, StringConstraints

from feedback_service.http import Strict
from feedback_service.moments import AwareDatetime, Moment
from feedback_service.orders.models import OrderStatus
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


def _is_none(value: object) -> bool:
    return value is None


def absent_when_none() -> Any:
    """A field of an answer that is left out, rather than null, when it has no value."""
    return Field(default=None, exclude_if=_is_none)


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


def _as_sent(value: object) -> object:
    return value


def checked_later(model: type[BaseModel]) -> PlainValidator:
    """A batch's item, taken as sent and validated on its own later (one bad item never
    refuses the others); the document shows it as `model`."""
    return PlainValidator(_as_sent, json_schema_input_type=model)


class OrdersBatchIn(Strict):
    """Up to 1,000 orders, each as POST /api/v1/orders; each is checked on its own."""

    orders: list[Annotated[object, checked_later(OrderIn)]] = Field(
        min_length=1, max_length=MAX_BATCH
    )


# --- answers -----------------------------------------------------------------------------


class Rating(Strict):
    value: float | None
    count: int


class Product(Strict):
    sku: str
    name: str
    url: str
    image_url: str | None
    brand: str | None
    gtin: str | None
    category: str | None
    rating: Rating


class OrderCustomer(Strict):
    email: str
    name: str
    external_id: str | None
    locale: str


OrderSource = Literal["api", "woocommerce", "shopify", "csv"]


class Order(Strict):
    id: str
    number: str | None
    customer: OrderCustomer
    status: OrderStatus
    source: OrderSource
    ordered_at: Moment
    fulfilled_at: Moment | None
    delivered_at: Moment | None


class OrderItem(Strict):
    sku: str
    name: str
    quantity: int
    unit_price: str | None


class OrderResult(Strict):
    id: str | None
    status: Literal["created", "updated", "invalid"]
    errors: dict[str, str] | None = absent_when_none()


class OrdersBatchResults(Strict):
    """One result per order, in the order sent."""

    results: list[OrderResult]
