"""The package's public names: what the app (and widgets) may import from it."""

from __future__ import annotations

from types import ModuleType

import schema_markup

PUBLIC = [
    "BEST_RATING",
    "MAX_AUTHOR_NAME",
    "SCHEMA_ORG",
    "WORST_RATING",
    "FeedReview",
    "Merchant",
    "MerchantReview",
    "author_name",
    "clean_line",
    "clean_text",
    "iso_date",
    "iso_timestamp",
    "local_date",
    "open_graph_tags",
    "rating_value",
    "render_merchant_reviews_feed",
    "render_product_reviews_feed",
    "rounded_rating",
    "safe_http_url",
    "truncate",
    "twitter_card_tags",
]


def test_the_public_names_are_exactly_these() -> None:
    """Adding or removing a public name is a decision: this list changes with it."""
    assert schema_markup.__all__ == PUBLIC
    exported = {
        name
        for name, value in vars(schema_markup).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }
    assert exported == set(PUBLIC)  # nothing public that __all__ leaves out
