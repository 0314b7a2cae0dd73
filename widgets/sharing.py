"""A single review's own page, made to be shared: its card tags and plain share links.

No third-party script or pixel: each share link is an ordinary link to the network's
own share page, which reads the card (Open Graph / Twitter tags) from this page.
"""

from __future__ import annotations

from schema_markup import clean_line, open_graph_tags, safe_http_url, truncate, twitter_card_tags
from widgets import links
from widgets.blocks import _formatter
from widgets.card import HEIGHT as CARD_HEIGHT
from widgets.card import WIDTH as CARD_WIDTH
from widgets.data import Product, Review, Shop, Summary
from widgets.i18n import gettext
from widgets.rendering import render
from widgets.views import product_view, review_view, summary_view

SHARE_EXCERPT = 140
CARD_ALT = 420  # X's limit for image descriptions
NETWORKS = {"facebook": "Facebook", "x": "X", "linkedin": "LinkedIn", "whatsapp": "WhatsApp"}


def render_review_page(
    shop: Shop,
    product: Product,
    summary: Summary,
    review: Review,
    canonical_url: str,
    locale: str,
    *,
    card_url: str | None = None,
) -> str:
    """A whole indexable page for one published review: Product > AggregateRating +
    Review microdata, the card tags of this review, and share links.

    `card_url` is the review's own 1200×630 card image: when given it is the og:image
    and twitter:image (a shared review shows the review, not the product photo that
    every review of the product would share); without it, the product image or logo."""
    fmt = _formatter(shop, locale)
    shown = product_view(product)
    # A "helpful" vote on this page comes back to this page, not to the product's.
    view = review_view(review, fmt, back=review.url)
    aggregate = summary_view(summary, fmt)
    stars = "★" * view.rating + "☆" * (5 - view.rating)
    author = view.author or gettext(fmt.locale, "Anonymous")
    headline = view.title or gettext(fmt.locale, "Review of %(product)s", product=shown.name)
    card_title = f"{headline} — {shown.name}" if view.title else headline
    excerpt = truncate(" ".join(view.body.split()), SHARE_EXCERPT)
    rated = {"stars": stars, "rating": view.rating, "author": author}
    if excerpt:
        description = gettext(
            fmt.locale,
            "%(stars)s %(rating)s/5 by %(author)s: “%(excerpt)s”",
            excerpt=excerpt,
            **rated,
        )
    else:
        description = gettext(fmt.locale, "%(stars)s %(rating)s/5 by %(author)s", **rated)
    card = safe_http_url(card_url)
    image = card or shown.image or safe_http_url(shop.logo_url)
    og_tags = open_graph_tags(
        title=card_title,
        url=canonical_url,
        og_type="article",
        image=image,
        description=description,
        site_name=shop.name,
        locale=fmt.locale,
    )
    twitter_tags = twitter_card_tags(title=card_title, image=image, description=description)
    if card:
        alt = truncate(clean_line(f"{card_title}. {description}"), CARD_ALT)
        after = [key for key, _ in og_tags].index("og:image") + 1
        og_tags[after:after] = [
            ("og:image:type", "image/png"),
            ("og:image:width", str(CARD_WIDTH)),
            ("og:image:height", str(CARD_HEIGHT)),
            ("og:image:alt", alt),
        ]
        twitter_tags.append(("twitter:image:alt", alt))
    share_text = f"{stars} {card_title}"
    return render(
        "review_page.html",
        locale,
        shop=shop,
        product=shown,
        summary=aggregate,
        review=view,
        md=aggregate.marked,
        title=gettext(
            fmt.locale, "%(headline)s | Reviews of %(shop)s", headline=card_title, shop=shop.name
        ),
        description=description,
        canonical_url=safe_http_url(canonical_url),
        og_tags=og_tags,
        twitter_tags=twitter_tags,
        share_links=links.share_links(canonical_url, share_text),
        share_labels={**NETWORKS, "email": gettext(fmt.locale, "Email")},
        product_page_url=product.page_url,
        policy_url=links.policy_url(shop, fmt.locale),
    )
