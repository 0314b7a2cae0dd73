"""Google merchant reviews feed (schema 5.0): the shop's reviews of itself, for seller ratings.

https://developers.google.com/merchant-review-feeds/xmlschema
Elements in the order of Google's complete sample feed, which the XSD's sequences follow;
only the rating Google names there besides the overall one (customer_service) is sent.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from schema_markup.microdata import BEST_RATING, WORST_RATING
from schema_markup.text import clean_line, clean_text, safe_http_url

NAMESPACE = "http://schemas.google.com/merchant_reviews/5.0"
SCHEMA_LOCATION = (
    f"{NAMESPACE} http://www.gstatic.com/productsearch/static/reviews/5.0/merchant_reviews.xsd"
)
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# A review asked for by email after the order was delivered; any other review was not asked.
AFTER_FULFILLMENT = "after_fulfillment"
UNSOLICITED = "unsolicited"

ET.register_namespace("xsi", XSI)


@dataclass(frozen=True)
class Merchant:
    merchant_id: str  # stable across feeds: Google matches reviews to it
    name: str
    rating_url: str  # the page showing the shop's reviews (the certificate)
    created_at: datetime
    updated_at: datetime
    merchant_url: str | None = None  # the shop's own site


@dataclass(frozen=True)
class MerchantReview:
    review_id: str
    reviewer_name: str | None  # None or blank: sent without a name (anonymous)
    created_at: datetime
    updated_at: datetime
    content: str  # may be empty: a rating alone is a review
    rating: int
    customer_service: int | None = None
    verified: bool = True  # asked for after the order: after_fulfillment


def render_merchant_reviews_feed(merchant: Merchant, reviews: Iterable[MerchantReview]) -> bytes:
    """The whole feed as UTF-8 XML: the merchant, then every review given."""
    # The default namespace as a plain attribute: ElementTree's own default_namespace
    # refuses the unqualified attributes (id, mid) the schema asks for.
    feed = ET.Element("feed", {"xmlns": NAMESPACE, f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION})
    merchants = ET.SubElement(feed, "merchants")
    element = ET.SubElement(merchants, "merchant", id=clean_line(merchant.merchant_id))
    _text(element, "name", clean_line(merchant.name))
    merchant_url = safe_http_url(merchant.merchant_url)
    if merchant_url:
        _text(element, "merchant_url", merchant_url)
    rating_url = safe_http_url(merchant.rating_url)
    if rating_url:
        _text(element, "rating_url", rating_url)
    _text(element, "create_timestamp", _timestamp(merchant.created_at))
    _text(element, "last_update_timestamp", _timestamp(merchant.updated_at))
    container = ET.SubElement(feed, "reviews")
    for review in reviews:
        container.append(_review_element(merchant, review))
    ET.indent(feed)
    document: bytes = ET.tostring(feed, encoding="UTF-8", xml_declaration=True)
    return document


def _review_element(merchant: Merchant, review: MerchantReview) -> ET.Element:
    element = ET.Element(
        "review", id=clean_line(review.review_id), mid=clean_line(merchant.merchant_id)
    )
    name = clean_line(review.reviewer_name or "")
    if name:
        _text(element, "reviewer_name", name)
    _text(element, "create_timestamp", _timestamp(review.created_at))
    _text(element, "last_update_timestamp", _timestamp(review.updated_at))
    _text(element, "content", clean_text(review.content).strip())
    ratings = ET.SubElement(element, "ratings")
    _rating(ratings, "overall", review.rating)
    if review.customer_service is not None:
        _rating(ratings, "customer_service", review.customer_service)
    _text(element, "collection_method", AFTER_FULFILLMENT if review.verified else UNSOLICITED)
    return element


def _rating(parent: ET.Element, tag: str, value: int) -> None:
    rating = min(max(value, WORST_RATING), BEST_RATING)
    _text(parent, tag, str(rating), min=str(WORST_RATING), max=str(BEST_RATING))


def _timestamp(value: datetime) -> str:
    """ISO 8601 in UTC with a Z, as Google's sample writes every timestamp."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attributes)
    child.text = text
    return child
