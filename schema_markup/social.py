"""Open Graph and Twitter Card tags as (key, content) pairs, for templates to render.

Open Graph uses <meta property=...>, X (Twitter) documents <meta name=...>: keeping
the two lists apart lets the template use the right attribute for each.
"""

from __future__ import annotations

from schema_markup.text import clean_line, safe_http_url, truncate

OG_LOCALES = {"en": "en_US", "fr": "fr_FR"}
# Past these lengths the platforms cut the text themselves, mid-word.
MAX_TITLE = 90
MAX_DESCRIPTION = 200

Tag = tuple[str, str]


def open_graph_tags(
    *,
    title: str,
    url: str,
    og_type: str = "product",
    image: str | None = None,
    description: str | None = None,
    site_name: str | None = None,
    locale: str = "en",
) -> list[Tag]:
    """og:* tags; og:image and og:url only when they are absolute http(s) URLs."""
    tags: list[Tag] = [("og:type", og_type), ("og:title", truncate(clean_line(title), MAX_TITLE))]
    page_url = safe_http_url(url)
    if page_url:
        tags.append(("og:url", page_url))
    image_url = safe_http_url(image)
    if image_url:
        tags.append(("og:image", image_url))
    if description:
        tags.append(("og:description", truncate(clean_line(description), MAX_DESCRIPTION)))
    if site_name:
        tags.append(("og:site_name", clean_line(site_name)))
    tags.append(("og:locale", OG_LOCALES.get(locale, OG_LOCALES["en"])))
    return tags


def twitter_card_tags(
    *, title: str, image: str | None = None, description: str | None = None
) -> list[Tag]:
    """twitter:* tags; a large image card when there is an image to show."""
    image_url = safe_http_url(image)
    card = "summary_large_image" if image_url else "summary"
    tags: list[Tag] = [
        ("twitter:card", card),
        ("twitter:title", truncate(clean_line(title), MAX_TITLE)),
    ]
    if description:
        tags.append(("twitter:description", truncate(clean_line(description), MAX_DESCRIPTION)))
    if image_url:
        tags.append(("twitter:image", image_url))
    return tags
