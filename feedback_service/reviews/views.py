"""Review form pages, embeddable blocks, helpful votes and photos."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response

import widgets
from feedback_service import ratelimit
from feedback_service.errors import InvalidInput, NotFound
from feedback_service.http import client_ip, no_store, page, row_id
from feedback_service.links import (
    PRODUCT_BLOCK,
    PRODUCT_PAGE,
    PRODUCT_QUESTIONS,
    REVIEW_FORM,
    REVIEW_THANKS,
    SHOP_REVIEWS,
    Links,
)
from feedback_service.orders.models import Product
from feedback_service.reviews import blocks, photos, services, submission
from feedback_service.reviews.block_cache import RenderedBlocks
from feedback_service.reviews.blocks import BlockQuery
from feedback_service.shops.models import Shop
from schema_markup import safe_http_url

VOTER_COOKIE = "fs_v"
# For the proxies and CDNs in front of the shop's pages: fresh for 5 minutes, then served
# while refetched (an hour), and for a day while this service fails or is down.
BLOCK_CACHE = "public, max-age=300, stale-while-revalidate=3600, stale-if-error=86400"


def _links(request: Request) -> Links:
    links: Links = request.app.state.links
    return links


def photo_dir(request: Request) -> Path:
    return photos.directory(request.app.state.settings.data_dir)


# --- the form ----------------------------------------------------------------------------


def _form_page(
    request: Request,
    form: submission.ReviewForm,
    *,
    values: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    clicked: submission.StarClick | None = None,
) -> Response:
    values = values or {}
    if clicked is not None:
        values[f"p{clicked.product.id}_rating"] = [str(clicked.rating)]
    if "display_name" not in values:
        values["display_name"] = [submission.default_display_name(form.customer.name)]
    response = page(
        request,
        "reviews/form.html",
        form.customer.locale,
        status_code=status_code,
        shop=form.shop,
        form=form,
        values=values,
        errors=errors or {},
        action=_links(request).url(REVIEW_FORM, token=request.path_params["token"]),
        max_photos=photos.MAX_PHOTOS,
        clicked=clicked,
    )
    return no_store(response)


async def review_form(request: Request) -> Response:
    token = request.path_params["token"]
    form = await submission.load_form(token, _links(request))
    if request.method in ("GET", "HEAD"):
        if form.submitted:
            thanks = _links(request).url(REVIEW_THANKS, token=token)
            return RedirectResponse(thanks, status_code=303)
        # A star link of the email: the form with those stars chosen, nothing stored (a
        # mail scanner's GET or HEAD changes nothing; the customer sends the form).
        query = request.query_params
        try:
            clicked = submission.star_click(form, query.get("product"), query.get("stars"))
        except InvalidInput:
            return no_store(
                page(
                    request,
                    "reviews/bad_star_link.html",
                    form.customer.locale,
                    status_code=400,
                    shop=form.shop,
                    form_url=_links(request).url(REVIEW_FORM, token=token),
                )
            )
        return _form_page(request, form, clicked=clicked)
    if form.submitted:  # the back button, a second tab: refused before anything is read
        return no_store(
            page(
                request,
                "reviews/already_sent.html",
                form.customer.locale,
                status_code=409,
                shop=form.shop,
            )
        )
    await ratelimit.hit(ratelimit.REVIEW_FORMS, "review", token[:40], client_ip(request))
    limit = photos.MAX_PHOTOS + 1
    data = await request.form(
        max_files=limit * max(1, len(form.products)), max_fields=400, max_part_size=64 * 1024
    )
    fields: dict[str, list[str]] = {}
    files: dict[str, list[bytes]] = {}
    for name, value in data.multi_items():
        if isinstance(value, UploadFile):
            content = await value.read(photos.MAX_BYTES + 1)
            if content:
                files.setdefault(name, []).append(content)
        else:
            fields.setdefault(name, []).append(value)
    items, display_name, errors = submission.read_submission(form, fields, files)
    if not errors:
        try:
            await submission.submit(form, items, display_name, photo_dir(request), _links(request))
        except InvalidInput as exc:
            errors = {
                f"p{item.product.id}_photos": exc.message
                for item in items
                if item.photos and item.product
            }
    if errors:
        return _form_page(request, form, values=fields, errors=errors, status_code=400)
    return RedirectResponse(_links(request).url(REVIEW_THANKS, token=token), status_code=303)


async def review_thanks(request: Request) -> Response:
    form = await submission.load_form(request.path_params["token"], _links(request))
    return no_store(page(request, "reviews/thanks.html", form.customer.locale, shop=form.shop))


# --- embeddable blocks -------------------------------------------------------------------


def _etag(version: str, kind: str, query: BlockQuery) -> str:
    return f'W/"{version}-{kind}-{query.key()}"'


def _cached(request: Request, etag: str) -> Response | None:
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": BLOCK_CACHE})
    return None


def _html(html: str, etag: str) -> HTMLResponse:
    return HTMLResponse(html, headers={"ETag": etag, "Cache-Control": BLOCK_CACHE})


# What the product's questions domain shows under its reviews: the app's wiring (routes.py)
# hands the loader in, so reviews imports no other domain.
ProductQuestions = Callable[[Product], Awaitable[list[widgets.Question]]]


async def product_block(request: Request, questions: ProductQuestions | None = None) -> Response:
    """reviews, head, badge or the full page of one product, by the last path segment."""
    kind = request.path_params.get("kind", "page")
    if kind not in ("reviews", "head", "badge", "page"):
        raise NotFound("No such block.")
    query = BlockQuery.parse(dict(request.query_params))
    product = await blocks.product_for_block(
        request.path_params["shop"], request.path_params["sku"]
    )
    if kind == "page":  # a full page, not a fragment: the shop says who may frame it
        request.state.frame_ancestors = product.shop.frame_ancestors
    else:
        await blocks.note_embedded(product.shop)
    version = blocks.content_version(product)
    etag = _etag(version, kind, query)
    if (not_modified := _cached(request, etag)) is not None:
        return not_modified
    rendered: RenderedBlocks = request.app.state.rendered_blocks
    html = rendered.get(product.id, etag)
    if html is None:
        html = await _render_block(product, kind, query, _links(request), questions)
        rendered.put(product.id, version, etag, html)
    return _html(html, etag)


async def _render_block(
    product: Product,
    kind: str,
    query: BlockQuery,
    links: Links,
    questions: ProductQuestions | None = None,
) -> str:
    shop = blocks.shop_data(product.shop, links)
    locale = query.locale or product.shop.locale
    page_url = links.url(PRODUCT_PAGE, shop=shop.slug, sku=product.sku)
    asks = links.url(PRODUCT_QUESTIONS, shop=shop.slug, sku=product.sku)
    data = blocks.product_data(product, questions_url=asks)
    if kind == "head":
        return widgets.render_head(shop, data, blocks.summary_of(product), page_url, locale)
    if kind == "badge":
        return widgets.render_badge(shop, data, blocks.summary_of(product), locale)
    highlights = blocks.highlights_data(product.highlights, shop.slug, links)
    asked = await questions(product) if questions is not None else None
    if kind == "reviews":  # a fragment in the shop's page: its links go to that page
        block_url = links.url(PRODUCT_BLOCK, shop=shop.slug, sku=product.sku, kind="reviews")
        summary, reviews, info = await blocks.product_page_data(
            product, query, links, block_url, host_url=product.url
        )
        return widgets.render_reviews_block(
            shop, data, summary, reviews, info, locale, highlights=highlights, questions=asked
        )
    summary, reviews, info = await blocks.product_page_data(product, query, links, page_url)
    return widgets.render_product_page(
        shop, data, summary, reviews, info, page_url, locale, highlights=highlights, questions=asked
    )


async def _shop(slug: str) -> Shop:
    shop = await Shop.filter(slug=slug).first()
    if shop is None:
        raise NotFound("No such shop.")
    return shop


async def shop_reviews(request: Request) -> Response:
    query = BlockQuery.parse(dict(request.query_params))
    shop = await _shop(request.path_params["shop"])
    request.state.frame_ancestors = shop.frame_ancestors
    links = _links(request)
    page_url = links.url(SHOP_REVIEWS, shop=shop.slug)
    reviews, info, products, summaries = await blocks.shop_page_data(shop, query, links, page_url)
    html = widgets.render_shop_page(
        blocks.shop_data(shop, links),
        reviews,
        info,
        query.locale or shop.locale,
        products=products,
        product_summaries=summaries,
    )
    etag = 'W/"' + hashlib.sha256(html.encode()).hexdigest()[:32] + '"'
    return _cached(request, etag) or _html(html, etag)


async def review_policy(request: Request) -> Response:
    shop = await _shop(request.path_params["shop"])
    request.state.frame_ancestors = shop.frame_ancestors
    query = BlockQuery.parse(dict(request.query_params))
    locale = query.lang or query.locale or shop.locale
    links = _links(request)
    html = widgets.render_policy_page(
        blocks.shop_data(shop, links),
        await blocks.policy_data(shop, links, locale),
        locale,
    )
    return HTMLResponse(html, headers={"Cache-Control": BLOCK_CACHE})


async def helpful(request: Request) -> Response:
    """A "helpful" vote from the block's plain form: one per browser, rate-limited."""
    await ratelimit.hit(ratelimit.HELPFUL, "helpful", client_ip(request))
    review_id = row_id(request.path_params["id"])
    if review_id is None:
        raise NotFound("No such review.")
    voter = request.cookies.get(VOTER_COOKIE) or ""
    new_voter = not re.fullmatch(r"[0-9a-f]{32}", voter)
    if new_voter:
        # A first vote, or a browser that refuses cookies: the address and agent stand in.
        seen = f"{client_ip(request)}|{request.headers.get('user-agent', '')}"
        voter = hashlib.sha256(seen.encode()).hexdigest()[:32]
    candidates = await _vote_return_candidates(request)  # a bad form: no vote
    review = await services.vote_helpful(request.path_params["shop"], review_id, voter)
    product = review.product
    assert product is not None  # votes are for product reviews only
    back = _vote_came_from(request, request.path_params["shop"], product.url, candidates)
    if back is None:
        back = _links(request).url(PRODUCT_PAGE, shop=request.path_params["shop"], sku=product.sku)
    response = RedirectResponse(f"{back}#review-{review.id}", status_code=303)
    if new_voter:
        https = request.app.state.settings.https
        response.set_cookie(
            VOTER_COOKIE,
            voter,
            max_age=365 * 24 * 3600,
            httponly=True,
            secure=https,
            samesite="none" if https else "lax",
        )
    return response


# A path and query of our own pages: no scheme, host, backslash, space or control character.
_RETURN_PATH = re.compile(r"/w/[a-z0-9-]{1,64}/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,1000}")


def _own_page(shop_slug: str, target: str) -> str | None:
    """`target` when it is one of this shop's pages (/w/{shop}/...) as a path: never
    another site (https://, //host), never another shop, never a climb out with "..".
    """
    if not _RETURN_PATH.fullmatch(target) or not target.startswith(f"/w/{shop_slug}/"):
        return None
    path = target.split("?", 1)[0]
    if "//" in path or any(part in (".", "..") for part in unquote(path).split("/")):
        return None
    return target


async def _vote_return_candidates(request: Request) -> list[str]:
    """Where the vote may say it came from: the form's `return_to` (the review page and the
    embedded block set it), then the Referer."""
    form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
    found = [
        request.query_params.get("return_to"),
        form.get("return_to"),
        request.headers.get("referer"),
    ]
    return [candidate for candidate in found if isinstance(candidate, str)]


def _vote_came_from(
    request: Request, shop_slug: str, product_url: str, candidates: list[str]
) -> str | None:
    """The absolute URL to go back to after a vote: one of this shop's pages here, or a
    page on the origin of the product's url (the shop's site, where the block is embedded);
    None means the product's page here."""
    base = _links(request).base_url
    ours = urlsplit(base)
    prefix = ours.path.rstrip("/")  # PUBLIC_BASE_URL may have a path
    for candidate in candidates:
        if target := _own_page(shop_slug, candidate):
            return f"{base}{target}"
        target = candidate.split("#", 1)[0]
        if not _ABSOLUTE_PAGE.fullmatch(target):
            continue
        parts = urlsplit(target)
        if (parts.scheme, parts.netloc) == (ours.scheme, ours.netloc) and parts.path.startswith(
            f"{prefix}/"
        ):
            path = parts.path[len(prefix) :] + (f"?{parts.query}" if parts.query else "")
            if own := _own_page(shop_slug, path):
                return f"{base}{own}"
        elif (shop_page := _on_product_origin(parts, product_url)) is not None:
            return shop_page
    return None


# An absolute http(s) URL without user info, backslash, space or control character.
_ABSOLUTE_PAGE = re.compile(
    r"https?://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?(/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,2000})?"
)


def _origin(parts: SplitResult) -> tuple[str, str, int | None] | None:
    """(scheme, host, port), or None for a port out of range."""
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        return None
    return parts.scheme.lower(), (parts.hostname or ""), port


def _on_product_origin(parts: SplitResult, product_url: str) -> str | None:
    """The page when it is on the origin of the product's url. A bare origin is what a
    browser sends as the Referer of a page on another site: then the product's url."""
    home = safe_http_url(product_url)
    origin = _origin(parts)
    if home is None or origin is None or origin != _origin(urlsplit(home)):
        return None
    if parts.path in ("", "/") and not parts.query:
        return home.split("#", 1)[0]
    return urlunsplit(parts)


async def photo(request: Request) -> Response:
    name = request.path_params["name"]
    path = photo_dir(request) / name
    if not photos.NAME.fullmatch(name) or not path.is_file():
        raise NotFound("No such photo.")
    return FileResponse(
        path,
        media_type="image/jpeg",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )
