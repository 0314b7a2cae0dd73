"""The Google Product Ratings feed (schema 2.4) parses and carries what Google requires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from lxml import etree

from schema_markup import FeedReview, render_product_reviews_feed

XSI = "http://www.w3.org/2001/XMLSchema-instance"


def feed_review(**changes: object) -> FeedReview:
    values: dict[str, object] = {
        "review_id": "101",
        "reviewer_name": "Alice M.",
        "published_at": datetime(2024, 3, 12, 9, 30, tzinfo=UTC),
        "title": "Boils fast",
        "content": "Water boils in four minutes.",
        "review_url": "https://shop.example.com/products/kettle#review-101",
        "rating": 5,
        "product_name": "Stovetop kettle",
        "product_url": "https://shop.example.com/products/kettle",
        "sku": "KETTLE-1",
        "gtin": "3017620422003",
        "brand": "Dupont",
        "verified": True,
        "incentivised": False,
    }
    values.update(changes)
    return FeedReview(**values)  # type: ignore[arg-type]


def parse(data: bytes) -> etree._Element:
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return etree.fromstring(data)


def test_feed_structure_and_required_fields() -> None:
    root = parse(render_product_reviews_feed("Maison Dupont", [feed_review()]))
    assert root.tag == "feed"
    assert root.get(f"{{{XSI}}}noNamespaceSchemaLocation") == (
        "http://www.google.com/shopping/reviews/schema/product/2.4/product_reviews.xsd"
    )
    assert root.findtext("version") == "2.4"
    assert root.findtext("publisher/name") == "Maison Dupont"
    [review] = root.findall("reviews/review")
    assert review.findtext("review_id") == "101"
    assert review.findtext("reviewer/name") == "Alice M."
    assert review.find("reviewer/name").get("is_anonymous") is None
    assert review.findtext("review_timestamp") == "2024-03-12T09:30:00+00:00"
    assert review.findtext("title") == "Boils fast"
    assert review.findtext("content") == "Water boils in four minutes."
    url = review.find("review_url")
    assert url.text == "https://shop.example.com/products/kettle#review-101"
    assert url.get("type") == "singleton"
    overall = review.find("ratings/overall")
    assert (overall.text, overall.get("min"), overall.get("max")) == ("5", "1", "5")
    product = review.find("products/product")
    assert product.findtext("product_ids/gtins/gtin") == "3017620422003"
    assert product.findtext("product_ids/skus/sku") == "KETTLE-1"
    assert product.findtext("product_ids/brands/brand") == "Dupont"
    assert product.findtext("product_name") == "Stovetop kettle"
    assert product.findtext("product_url") == "https://shop.example.com/products/kettle"
    assert review.findtext("is_spam") == "false"
    assert review.findtext("collection_method") == "post_fulfillment"
    assert review.findtext("is_verified_purchase") == "true"
    assert review.findtext("is_incentivized_review") == "false"


def test_children_follow_the_schema_sequence() -> None:
    """Schema 2.4's order (its sample feed): the two purchase flags come right after the
    reviewer; an element out of sequence fails the whole feed's validation."""
    root = parse(
        render_product_reviews_feed("Shop", [feed_review(photo_urls=("https://x.example/a.jpg",))])
    )
    [review] = root.findall("reviews/review")
    assert [child.tag for child in review] == [
        "review_id",
        "reviewer",
        "is_verified_purchase",
        "is_incentivized_review",
        "review_timestamp",
        "title",
        "content",
        "review_url",
        "reviewer_images",
        "ratings",
        "products",
        "is_spam",
        "collection_method",
    ]
    assert [child.tag for child in root] == ["version", "publisher", "reviews"]


def test_unverified_incentivised_and_anonymous_reviews() -> None:
    root = parse(
        render_product_reviews_feed(
            "Shop",
            [feed_review(verified=False, incentivised=True, reviewer_name="  ", gtin=None)],
        )
    )
    [review] = root.findall("reviews/review")
    assert review.findtext("collection_method") == "unsolicited"
    assert review.findtext("is_verified_purchase") == "false"
    assert review.findtext("is_incentivized_review") == "true"
    name = review.find("reviewer/name")
    assert name.get("is_anonymous") == "true" and name.text == "Anonymous"
    assert review.find("products/product/product_ids/gtins") is None


def test_timestamps_keep_their_offset_and_naive_ones_are_utc() -> None:
    paris = timezone(timedelta(hours=1))
    root = parse(
        render_product_reviews_feed(
            "Shop",
            [
                feed_review(review_id="1", published_at=datetime(2024, 3, 1, 8, 0, tzinfo=paris)),
                feed_review(review_id="2", published_at=datetime(2024, 3, 1, 8, 0)),
            ],
        )
    )
    stamps = [r.findtext("review_timestamp") for r in root.findall("reviews/review")]
    assert stamps == ["2024-03-01T08:00:00+01:00", "2024-03-01T08:00:00+00:00"]


def test_hostile_text_is_escaped_and_control_characters_removed() -> None:
    nasty = "<script>alert(1)</script> & ]]> \x00\x01\x0b\x1f\ufffe \u202eevil {{7*7}}"
    data = render_product_reviews_feed(
        f"Shop {nasty}",
        [
            feed_review(
                reviewer_name=nasty,
                title=nasty,
                content=nasty,
                product_name=nasty,
                brand=nasty,
                product_url="javascript:alert(1)",
                review_url="https://shop.example.com/r/1",
                photo_urls=("javascript:alert(1)", "https://x.example/a.jpg"),
            )
        ],
    )
    root = parse(data)  # a control character would make this raise
    assert b"<script>" not in data and b"&lt;script&gt;" in data
    assert b"\x00" not in data and b"\x01" not in data and "\u202e".encode() not in data
    [review] = root.findall("reviews/review")
    assert review.findtext("content").startswith("<script>alert(1)</script> & ]]>")
    assert "{{7*7}}" in review.findtext("title")
    assert review.find("products/product/product_url") is None
    assert [u.text for u in review.findall("reviewer_images/reviewer_image/url")] == [
        "https://x.example/a.jpg"
    ]


def test_reviews_without_text_or_url_are_left_out() -> None:
    root = parse(
        render_product_reviews_feed(
            "Shop",
            [
                feed_review(review_id="empty", title="", content=" \x00 "),
                feed_review(review_id="no-url", review_url="javascript:x"),
                feed_review(review_id="title-only", content="", title="Great"),
            ],
        )
    )
    reviews = root.findall("reviews/review")
    assert [r.findtext("review_id") for r in reviews] == ["title-only"]
    assert reviews[0].findtext("content") == "Great"


def test_empty_feed_is_still_valid() -> None:
    root = parse(render_product_reviews_feed("Shop", []))
    assert root.findall("reviews/review") == []


def test_publisher_favicon_only_when_it_is_an_http_url() -> None:
    shown = parse(
        render_product_reviews_feed("Shop", [], publisher_favicon="https://shop.example/f.ico")
    )
    assert shown.findtext("publisher/favicon") == "https://shop.example/f.ico"
    hidden = parse(render_product_reviews_feed("Shop", [], publisher_favicon="javascript:x"))
    assert hidden.find("publisher/favicon") is None


def test_ratings_outside_the_scale_are_brought_back_into_it() -> None:
    root = parse(
        render_product_reviews_feed(
            "Shop", [feed_review(review_id="low", rating=0), feed_review(review_id="hi", rating=9)]
        )
    )
    overall = [r.findtext("ratings/overall") for r in root.findall("reviews/review")]
    assert overall == ["1", "5"]
