"""The embeddable blocks and pages: plain data in, an HTML string out.

Every function takes the reader's `locale` ("en" or "fr"; anything else is English)
and renders with autoescaping; user text is data, never part of a template.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from schema_markup import clean_line, open_graph_tags, safe_http_url, twitter_card_tags
from widgets import links
from widgets.data import Highlight, PageInfo, Product, Review, ReviewPolicy, Shop, Summary
from widgets.formatting import Formatter, shop_timezone
from widgets.highlights import highlight_views
from widgets.i18n import gettext, ngettext, normalize_locale
from widgets.questions import Question, QuestionsView, questions_view
from widgets.rendering import render
from widgets.views import (
    ProductView,
    ReviewView,
    SummaryView,
    pager_view,
    product_view,
    review_view,
    summary_view,
)


def render_reviews_block(
    shop: Shop,
    product: Product,
    summary: Summary,
    reviews: Sequence[Review],
    page: PageInfo,
    locale: str,
    *,
    highlights: Sequence[Highlight] = (),
    questions: Sequence[Question] | None = None,
) -> str:
    """The product page fragment: Product > AggregateRating + Review microdata, styles inline;
    "what customers say" (`highlights`) under the rating; `questions`: the product's answered
    questions, shown with the form to ask one."""
    context = _block_context(shop, product, summary, reviews, page, locale, highlights)
    return render(
        "reviews_block.html",
        locale,
        **context,
        questions=_questions(shop, product, questions, locale, context),
        include_style=True,
    )


def render_badge(shop: Shop, product: Product, summary: Summary, locale: str) -> str:
    """Stars and "4.3 (27 reviews)" linking to the product; no microdata (one Product a page)."""
    fmt = _formatter(shop, locale)
    return render(
        "badge.html",
        locale,
        shop=shop,
        product=product_view(product),
        summary=summary_view(summary, fmt),
    )


def render_head(
    shop: Shop, product: Product, summary: Summary, canonical_url: str, locale: str
) -> str:
    """<head> fragment for the shop's product page: Open Graph and Twitter Card tags.

    The page it goes in is the product's `url`: og:url names it, and no canonical link is
    given (the shop's page declares its own). A product without a url has only this service's
    page, `canonical_url`, which then stays its canonical.
    """
    context = _head_context(shop, product, summary, canonical_url, locale)
    if product_view(product).url:
        context["canonical_url"] = None
    return render("head.html", locale, **context)


def render_product_page(
    shop: Shop,
    product: Product,
    summary: Summary,
    reviews: Sequence[Review],
    page: PageInfo,
    canonical_url: str,
    locale: str,
    *,
    highlights: Sequence[Highlight] = (),
    questions: Sequence[Question] | None = None,
) -> str:
    """A whole indexable HTML page: head tags, the product and its reviews. No JavaScript.

    Its canonical is the product's `url` (the shop's page) when it has one, else
    `canonical_url` (this page).
    """
    context = _block_context(shop, product, summary, reviews, page, locale, highlights)
    title = gettext(
        locale,
        "%(product)s: customer reviews | %(shop)s",
        product=product_view(product).name,
        shop=shop.name,
    )
    return render(
        "product_page.html",
        locale,
        **context,
        **_head_context(shop, product, summary, canonical_url, locale),
        title=title,
        questions=_questions(shop, product, questions, locale, context),
        include_style=False,  # the page has the stylesheet in its <head>
    )


def render_shop_page(
    shop: Shop,
    reviews: Sequence[Review],
    page: PageInfo,
    locale: str,
    summary: Summary | None = None,
    *,
    products: Mapping[str, Product] | None = None,
    product_summaries: Mapping[str, Summary] | None = None,
) -> str:
    """Every published review of the shop, each naming (and linking to) its product.

    Each review is marked up inside its own Product with that product's real
    aggregate (`product_summaries`, by sku); a review whose product has no summary
    is shown without markup. The shop's own average is text only: Google treats a
    business rating itself on its own site as self-serving.
    """
    fmt = _formatter(shop, locale)
    catalogue = products or {}
    ratings = product_summaries or {}
    entries = [
        _shop_entry(review, fmt, catalogue.get(review.product_sku), ratings) for review in reviews
    ]
    title = gettext(locale, "Customer reviews of %(shop)s", shop=shop.name)
    canonical = links.canonical_url(page)
    image = _shop_image(shop, entries)
    description = _rating_sentence(summary, fmt) if summary else None
    return render(
        "shop_page.html",
        locale,
        shop=shop,
        title=title,
        entries=entries,
        summary=summary_view(summary, fmt) if summary else None,
        pager=pager_view(page),
        policy_url=links.policy_url(shop, fmt.locale),
        canonical_url=canonical,
        og_tags=open_graph_tags(
            title=title,
            url=canonical,
            og_type="website",
            image=image,
            description=description,
            site_name=shop.name,
            locale=fmt.locale,
        ),
        twitter_tags=twitter_card_tags(title=title, image=image, description=description),
    )


def render_policy_page(shop: Shop, policy: ReviewPolicy, locale: str) -> str:
    """How reviews are collected, checked, published, ranked, rewarded, answered, withdrawn
    and kept, with the shop's own figures (Code de la consommation L111-7-2 and D111-16 to
    D111-19; ISO 20488; EU Omnibus directive)."""
    fmt = _formatter(shop, locale)
    title = gettext(fmt.locale, "How reviews are collected and checked")
    draw_ends = None
    if policy.draw is not None:  # its last day, in the shop's timezone
        draw_ends = fmt.long_date(fmt.day(policy.draw.ends - timedelta(microseconds=1)))
    return render(
        "policy_page.html",
        fmt.locale,
        shop=shop,
        policy=policy,
        title=title,
        draw_ends=draw_ends,
        draw_url=safe_http_url(policy.draw.url) if policy.draw else None,
        canonical_url=links.policy_url(shop, fmt.locale),
    )


# ---- context builders ---------------------------------------------------------------


def _questions(
    shop: Shop,
    product: Product,
    questions: Sequence[Question] | None,
    locale: str,
    context: Mapping[str, object],
) -> QuestionsView | None:
    """The questions section under the reviews, its Questions inside the Product item
    when the block marks one up."""
    if questions is None:
        return None
    return questions_view(shop, product, questions, locale, nested=bool(context["md"]))


def _formatter(shop: Shop, locale: str) -> Formatter:
    return Formatter(locale=normalize_locale(locale), tz=shop_timezone(shop.timezone))


def _block_context(
    shop: Shop,
    product: Product,
    summary: Summary,
    reviews: Iterable[Review],
    page: PageInfo,
    locale: str,
    highlights: Sequence[Highlight] = (),
) -> dict[str, object]:
    fmt = _formatter(shop, locale)
    aggregate = summary_view(summary, fmt)
    back = links.host_page(page)
    return {
        "shop": shop,
        "product": product_view(product),
        "summary": aggregate,
        "reviews": [review_view(review, fmt, back) for review in reviews],
        "pager": pager_view(page),
        "highlights": highlight_views(highlights, fmt),
        "policy_url": links.policy_url(shop, fmt.locale),
        # No rating, no markup at all: an empty AggregateRating is an error for Google.
        "md": aggregate.marked,
    }


def _head_context(
    shop: Shop, product: Product, summary: Summary, service_url: str, locale: str
) -> dict[str, object]:
    """The product's own page (the shop's) is the canonical one; this service's page only
    stands in for a product without a url."""
    fmt = _formatter(shop, locale)
    shown = product_view(product)
    image = shown.image or safe_http_url(shop.logo_url)
    description = _product_description(shown, summary, fmt)
    canonical_url = shown.url or safe_http_url(service_url)
    return {
        "canonical_url": canonical_url,
        "description": description,
        "og_tags": open_graph_tags(
            title=shown.name,
            url=canonical_url or "",
            image=image,
            description=description,
            site_name=shop.name,
            locale=fmt.locale,
        ),
        "twitter_tags": twitter_card_tags(title=shown.name, image=image, description=description),
    }


def _rating_sentence(summary: Summary, fmt: Formatter) -> str:
    """'★ 4.3/5 — 27 reviews', or 'No reviews yet'."""
    if not summary.has_rating or summary.value is None:
        return gettext(fmt.locale, "No reviews yet")
    count = ngettext(
        fmt.locale,
        "%(num)s review",
        "%(num)s reviews",
        summary.count,
        num=fmt.number(summary.count),
    )
    return gettext(
        fmt.locale, "★ %(value)s/5 — %(reviews)s", value=fmt.rating(summary.value), reviews=count
    )


def _product_description(product: ProductView, summary: Summary, fmt: Formatter) -> str:
    sentence = _rating_sentence(summary, fmt)
    return f"{sentence}. {product.description}" if product.description else sentence


@dataclass(frozen=True)
class ShopEntry:
    """One review of the shop page, with the product it is about."""

    review: ReviewView
    product: ProductView
    summary: SummaryView | None  # the product's own aggregate, when known
    md: bool  # whether this entry carries microdata


def _shop_entry(
    review: Review,
    fmt: Formatter,
    product: Product | None,
    ratings: Mapping[str, Summary],
) -> ShopEntry:
    aggregate = ratings.get(review.product_sku)
    return ShopEntry(
        review=review_view(review, fmt),
        product=product_view(product) if product else _product_from_review(review),
        summary=summary_view(aggregate, fmt) if aggregate else None,
        # Google requires an aggregate on every Product: without one, no markup.
        md=aggregate is not None and aggregate.has_rating,
    )


def _product_from_review(review: Review) -> ProductView:
    return ProductView(
        name=clean_line(review.product_name),
        sku=clean_line(review.product_sku),
        url=None,
        image=None,
        brand=None,
        gtin=None,
        description=None,
    )


def _shop_image(shop: Shop, entries: Sequence[ShopEntry]) -> str | None:
    """og:image of the shop page: the logo, else the first product picture shown."""
    logo = safe_http_url(shop.logo_url)
    if logo:
        return logo
    return next((entry.product.image for entry in entries if entry.product.image), None)
