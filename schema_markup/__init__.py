"""schema.org microdata values, Open Graph / Twitter tags and the Google reviews feeds.

Pure helpers: plain values in, strings out. Never imports feedback_service or widgets.
"""

from schema_markup.google_feed import FeedReview, render_product_reviews_feed
from schema_markup.merchant_feed import Merchant, MerchantReview, render_merchant_reviews_feed
from schema_markup.microdata import (
    BEST_RATING,
    MAX_AUTHOR_NAME,
    SCHEMA_ORG,
    WORST_RATING,
    author_name,
    iso_date,
    iso_timestamp,
    local_date,
    rating_value,
    rounded_rating,
)
from schema_markup.social import open_graph_tags, twitter_card_tags
from schema_markup.text import clean_line, clean_text, safe_http_url, truncate

__all__ = [
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
