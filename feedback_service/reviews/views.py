"""Review form pages, embeddable blocks, helpful votes and photos."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response

import widgets
from feedback_service import ratelimit
from feedback_service.errors import InvalidInput, NotFound
from feedback_service.http import client_ip, no_store, page, row_id
from feedback_service.links import Links
from feedback_service.orders.models import Product
from feedback_service.reviews import blocks, photos, services
from feedback_service.reviews.block_cache import RenderedBlocks
from feedback_service.reviews.blocks import BlockQuery
from feedback_service.shops.models import Shop

VOTER_COOKIE = "fs_v"
BLOCK_CACHE = "public, max-age=300, stale-while-revalidate=3600"


def _links(request: Request) -> Links:
    links: Links = request.app.state.links
    return links


def photo_dir(request: Request) -> Path:
    return Path(request.app.state.settings.data_dir) / "media" / "photos"


# --- the form ----------------------------------------------------------------------------


def _form_page(
    request: Request,
    form: services.ReviewForm,
    *,
    values: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    values = values or {}
    if "display_name" not in values:
        values["display_name"] = [services.default_display_name(form.customer.name)]
    response = page(
        request,
        "reviews/form.html",
        form.customer.locale,
        status_code=status_code,
        shop=form.shop,
        form=form,
        values=values,
        errors=errors or {},
        action=f"{_links(request).base_url}{request.url.path}",
        max_photos=photos.MAX_PHOTOS,
    )
    return no_store(response)


async def review_form(request: Request) -> Response:
    token = request.path_params["token"]
    form = await services.load_form(token, _links(request))
    if request.method == "GET":
        if form.submitted:
            return RedirectResponse(f"{_links(request).base_url}/r/{token}/thanks", status_code=303)
        return _form_page(request, form)
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
    items, display_name, errors = services.read_submission(form, fields, files)
    if not errors:
        try:
            await services.submit(form, items, display_name, photo_dir(request))
        except InvalidInput as exc:
            errors = {f"p{item.product.id}_photos": exc.message for item in items if item.photos}
    if errors:
        return _form_page(request, form, values=fields, errors=errors, status_code=400)
    return RedirectResponse(f"{_links(request).base_url}/r/{token}/thanks", status_code=303)


async def review_thanks(request: Request) -> Response:
    form = await services.load_form(request.path_params["token"], _links(request))
    return no_store(page(request, "reviews/thanks.html", form.customer.locale, shop=form.shop))


# --- embeddable blocks -------------------------------------------------------------------


def _etag(product: Product, kind: str, query: BlockQuery) -> str:
    return f'W/"{blocks.content_version(product)}-{kind}-{query.key()}"'


def _cached(request: Request, etag: str) -> Response | None:
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": BLOCK_CACHE})
    return None


def _html(html: str, etag: str) -> HTMLResponse:
    return HTMLResponse(html, headers={"ETag": etag, "Cache-Control": BLOCK_CACHE})


async def product_block(request: Request) -> Response:
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
    etag = _etag(product, kind, query)
    if (not_modified := _cached(request, etag)) is not None:
        return not_modified
    rendered: RenderedBlocks = request.app.state.rendered_blocks
    html = rendered.get(product.id, etag)
    if html is None:
        html = await _render_block(product, kind, query, _links(request).base_url)
        rendered.put(product.id, etag, html)
    return _html(html, etag)


async def _render_block(product: Product, kind: str, query: BlockQuery, base: str) -> str:
    shop = blocks.shop_data(product.shop, base)
    locale = query.locale or product.shop.locale
    data = blocks.product_data(product)
    page_url = f"{base}/w/{shop.slug}/products/{product.sku}"
    if kind == "head":
        return widgets.render_head(shop, data, blocks.summary_of(product), page_url, locale)
    if kind == "badge":
        return widgets.render_badge(shop, data, blocks.summary_of(product), locale)
    block_url = page_url + ("/reviews" if kind == "reviews" else "")
    summary, reviews, info = await blocks.product_page_data(product, query, base, block_url)
    if kind == "reviews":
        return widgets.render_reviews_block(shop, data, summary, reviews, info, locale)
    return widgets.render_product_page(shop, data, summary, reviews, info, page_url, locale)


async def _shop(slug: str) -> Shop:
    shop = await Shop.filter(slug=slug).first()
    if shop is None:
        raise NotFound("No such shop.")
    return shop


async def shop_reviews(request: Request) -> Response:
    query = BlockQuery.parse(dict(request.query_params))
    shop = await _shop(request.path_params["shop"])
    request.state.frame_ancestors = shop.frame_ancestors
    base = _links(request).base_url
    page_url = f"{base}/w/{shop.slug}/reviews"
    reviews, info, products, summaries = await blocks.shop_page_data(shop, query, base, page_url)
    html = widgets.render_shop_page(
        blocks.shop_data(shop, base),
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
    html = widgets.render_policy_page(
        blocks.shop_data(shop, _links(request).base_url), query.lang or query.locale or shop.locale
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
    back = await _vote_came_from(request, request.path_params["shop"])  # a bad form: no vote
    review = await services.vote_helpful(request.path_params["shop"], review_id, voter)
    base = _links(request).base_url
    if back is None:
        back = f"/w/{quote(request.path_params['shop'], safe='')}/products/"
        back += quote(review.product.sku, safe="")
    response = RedirectResponse(f"{base}{back}#review-{review.id}", status_code=303)
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


async def _vote_came_from(request: Request, shop_slug: str) -> str | None:
    """The page to go back to after a vote: the form's `return_to` (the review page sets
    it), else the Referer when it is one of our pages; None means the product page."""
    form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
    candidates = [request.query_params.get("return_to"), form.get("return_to")]
    referer = urlsplit(request.headers.get("referer", ""))
    ours = urlsplit(_links(request).base_url)
    prefix = ours.path.rstrip("/")  # PUBLIC_BASE_URL may have a path
    if (referer.scheme, referer.netloc) == (ours.scheme, ours.netloc) and referer.path.startswith(
        f"{prefix}/"
    ):
        path = referer.path[len(prefix) :]
        candidates.append(path + (f"?{referer.query}" if referer.query else ""))
    for candidate in candidates:
        if isinstance(candidate, str) and (target := _own_page(shop_slug, candidate)):
            return target
    return None


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
