"""Embeddable review blocks: plain data in, server-rendered HTML out (no JavaScript).

Pure: never imports feedback_service; builds on schema_markup for the markup rules.
"""

from widgets.blocks import (
    render_badge,
    render_head,
    render_policy_page,
    render_product_page,
    render_reviews_block,
    render_shop_page,
)
from widgets.certificate import render_certificate, render_shop_badge
from widgets.data import (
    SORTS,
    CriterionRating,
    DrawNotice,
    Highlight,
    PageInfo,
    Product,
    Quote,
    Reply,
    Review,
    ReviewPolicy,
    Shop,
    ShopRating,
    ShopReview,
    Summary,
)
from widgets.highlights import render_highlights
from widgets.i18n import LOCALES, normalize_locale
from widgets.questions import Answer, Question, render_questions_block
from widgets.rendering import STYLESHEET
from widgets.sharing import render_review_page

__all__ = [
    "LOCALES",
    "Answer",
    "SORTS",
    "STYLESHEET",
    "CriterionRating",
    "DrawNotice",
    "Highlight",
    "PageInfo",
    "Product",
    "Question",
    "Quote",
    "Reply",
    "Review",
    "ReviewPolicy",
    "Shop",
    "ShopRating",
    "ShopReview",
    "Summary",
    "normalize_locale",
    "render_badge",
    "render_certificate",
    "render_head",
    "render_highlights",
    "render_policy_page",
    "render_product_page",
    "render_questions_block",
    "render_review_page",
    "render_reviews_block",
    "render_shop_badge",
    "render_shop_page",
]
