"""The blocks' links: the service's URLs come with the data (Shop, Review, PageInfo); here
they only get their query (?lang=, ?return_to=, ?page=) or go to the shop's own page."""

from __future__ import annotations

from urllib.parse import quote, unquote_plus, urlencode, urlsplit, urlunsplit

from schema_markup import safe_http_url
from widgets.data import DEFAULT_SORT, SORTS, PageInfo, Review, Shop

# The block's own parameters on the shop's page, apart from the shop's: ?fs_sort=...
EMBED_PREFIX = "fs_"
EMBED_ANCHOR = "fs-reviews"  # the block's id: the shopper lands on the reviews


def policy_url(shop: Shop, locale: str) -> str:
    return f"{shop.policy_url}?{urlencode({'lang': locale})}"


def certificate_url(shop: Shop, locale: str, page: int = 1) -> str:
    """The shop's certificate (its reviews of itself) in a language, at a page."""
    query: dict[str, str | int] = {"lang": locale}
    if page > 1:
        query["page"] = page
    return f"{shop.certificate_url}?{urlencode(query)}"


def helpful_url(review: Review, back: str | None = None) -> str:
    """The vote's form action; `back`, the page to come back to, goes along as return_to."""
    return f"{review.helpful_url}?{urlencode({'return_to': back})}" if back else review.helpful_url


def share_links(url: str, text: str) -> tuple[tuple[str, str], ...]:
    """(network, href) pairs: plain links to each network's own share page, no scripts."""
    query = {"url": url, "text": text}
    return (
        ("facebook", "https://www.facebook.com/sharer/sharer.php?" + _query({"u": url})),
        ("x", "https://x.com/intent/tweet?" + _query(query)),
        ("linkedin", "https://www.linkedin.com/sharing/share-offsite/?" + _query({"url": url})),
        ("whatsapp", "https://wa.me/?" + _query({"text": f"{text} {url}"})),
        ("email", "mailto:?" + _query({"subject": text, "body": f"{text}\n\n{url}"})),
    )


def _query(values: dict[str, str]) -> str:
    # %20 rather than +: mail clients read a mailto: query literally.
    return urlencode(values, quote_via=quote)


def current_sort(page: PageInfo) -> str:
    return page.sort if page.sort in SORTS else DEFAULT_SORT


def page_count(page: PageInfo) -> int:
    return max(page.pages, 1)


def current_page(page: PageInfo) -> int:
    return min(max(page.page, 1), page_count(page))


def listing_url(
    page: PageInfo, *, number: int = 1, sort: str | None = None, lang: str | None = ""
) -> str:
    """The block's URL with ?page=&sort=&lang=; lang="" keeps the current filter, None drops it."""
    language = page.lang if lang == "" else lang
    query: dict[str, str | int] = {"page": number, "sort": sort or current_sort(page)}
    if language:
        query["lang"] = language
    host = safe_http_url(page.host_url)
    if host:
        return embedded_url(host, query)
    return f"{page.base_url}?{urlencode(query)}"


def host_page(page: PageInfo) -> str | None:
    """The shop's page showing this very view of the block, when the block is embedded."""
    if not safe_http_url(page.host_url):
        return None
    return listing_url(page, number=current_page(page))


def embedded_url(host_url: str, query: dict[str, str | int]) -> str:
    """The shop's page with the block's parameters (prefixed fs_) in place of any it had;
    the shop's own parameters are kept as written, its fragment becomes the block's."""
    parts = urlsplit(host_url)
    kept = [
        piece
        for piece in parts.query.split("&")
        if piece and not unquote_plus(piece.split("=", 1)[0]).startswith(EMBED_PREFIX)
    ]
    ours = urlencode({f"{EMBED_PREFIX}{key}": value for key, value in query.items()})
    return urlunsplit(
        (parts.scheme, parts.netloc, parts.path, "&".join([*kept, ours]), EMBED_ANCHOR)
    )


def canonical_url(page: PageInfo) -> str:
    """One URL per page of the default listing: sorts and filters are the same reviews."""
    number = current_page(page)
    return page.base_url if number == 1 else f"{page.base_url}?{urlencode({'page': number})}"
