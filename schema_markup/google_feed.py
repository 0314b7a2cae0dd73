"""Google Product Ratings feed (Product Review Feeds, schema 2.4).

https://developers.google.com/product-review-feeds/schema
Built with ElementTree so the library escapes; text is cleaned first because XML 1.0
has no way to carry control characters and one of them invalidates the whole feed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from schema_markup.microdata import BEST_RATING, WORST_RATING, iso_timestamp
from schema_markup.text import clean_line, clean_text, safe_http_url

SCHEMA_VERSION = "2.4"
SCHEMA_LOCATION = "http://www.google.com/shopping/reviews/schema/product/2.4/product_reviews.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ANONYMOUS = "Anonymous"

ET.register_namespace("xsi", XSI)


@dataclass(frozen=True)
class FeedReview:
    """One published review as the feed needs it (plain data, no ORM objects)."""

    review_id: str
    reviewer_name: str | None  # None or blank: sent as an anonymous reviewer
    published_at: datetime
    title: str
    content: str
    review_url: str  # the page that shows this review
    rating: int
    product_name: str
    product_url: str
    sku: str | None = None
    gtin: str | None = None
    brand: str | None = None
    verified: bool = False
    incentivised: bool = False
    photo_urls: tuple[str, ...] = field(default_factory=tuple)


def render_product_reviews_feed(
    publisher_name: str,
    reviews: Iterable[FeedReview],
    *,
    publisher_favicon: str | None = None,
) -> bytes:
    """The whole feed as UTF-8 XML. Google expects every review in every upload."""
    feed = ET.Element("feed", {f"{{{XSI}}}noNamespaceSchemaLocation": SCHEMA_LOCATION})
    _text(feed, "version", SCHEMA_VERSION)
    publisher = ET.SubElement(feed, "publisher")
    _text(publisher, "name", clean_line(publisher_name))
    favicon = safe_http_url(publisher_favicon)
    if favicon:
        _text(publisher, "favicon", favicon)
    container = ET.SubElement(feed, "reviews")
    for review in reviews:
        element = _review_element(review)
        if element is not None:
            container.append(element)
    ET.indent(feed)
    xml: bytes = ET.tostring(feed, encoding="UTF-8", xml_declaration=True)
    return xml


def _review_element(review: FeedReview) -> ET.Element | None:
    """<review>, children in the XSD's sequence order (2.4: the purchase flags follow the
    reviewer); None when it has no text to send."""
    content = clean_text(review.content).strip() or clean_line(review.title)
    review_url = safe_http_url(review.review_url)
    if not content or not review_url:
        return None  # both are required by the schema; an empty review is not a review
    element = ET.Element("review")
    _text(element, "review_id", clean_line(review.review_id))
    _reviewer(element, review.reviewer_name)
    _text(element, "is_verified_purchase", _bool(review.verified))
    _text(element, "is_incentivized_review", _bool(review.incentivised))
    _text(element, "review_timestamp", iso_timestamp(review.published_at))
    title = clean_line(review.title)
    if title:
        _text(element, "title", title)
    _text(element, "content", content)
    _text(element, "review_url", review_url, type="singleton")
    _reviewer_images(element, review.photo_urls)
    ratings = ET.SubElement(element, "ratings")
    rating = min(max(review.rating, WORST_RATING), BEST_RATING)
    _text(ratings, "overall", str(rating), min=str(WORST_RATING), max=str(BEST_RATING))
    _products(element, review)
    _text(element, "is_spam", "false")  # only published, moderated reviews reach the feed
    method = "post_fulfillment" if review.verified else "unsolicited"
    _text(element, "collection_method", method)
    return element


def _reviewer(parent: ET.Element, name: str | None) -> None:
    reviewer = ET.SubElement(parent, "reviewer")
    shown = clean_line(name or "")
    if shown:
        _text(reviewer, "name", shown)
    else:
        _text(reviewer, "name", ANONYMOUS, is_anonymous="true")


def _reviewer_images(parent: ET.Element, urls: Iterable[str]) -> None:
    safe = [url for url in (safe_http_url(u) for u in urls) if url]
    if not safe:
        return
    images = ET.SubElement(parent, "reviewer_images")
    for url in safe:
        _text(ET.SubElement(images, "reviewer_image"), "url", url)


def _products(parent: ET.Element, review: FeedReview) -> None:
    product = ET.SubElement(ET.SubElement(parent, "products"), "product")
    ids = ET.SubElement(product, "product_ids")
    # The XSD orders the id groups gtins, mpns, skus, brands (then asins).
    for group, tag, value in (
        ("gtins", "gtin", review.gtin),
        ("skus", "sku", review.sku),
        ("brands", "brand", review.brand),
    ):
        cleaned = clean_line(value or "")
        if cleaned:
            _text(ET.SubElement(ids, group), tag, cleaned)
    _text(product, "product_name", clean_line(review.product_name))
    product_url = safe_http_url(review.product_url)
    if product_url:
        _text(product, "product_url", product_url)


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attributes)
    child.text = text
    return child


def _bool(value: bool) -> str:
    return "true" if value else "false"
