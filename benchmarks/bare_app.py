"""The floor for `benchmarks/http_bench.py`: plain Starlette + the raw driver, same schema.

    DATABASE_URL=sqlite://... SECRET_KEY=... PUBLIC_BASE_URL=http://127.0.0.1:8001 \
        .venv/bin/uvicorn benchmarks.bare_app:app --port 8001

Does the minimum of the work the real app does for the two measured requests, on the
tables `feedback_service` migrated (never imports `feedback_service`):

- `GET /s/{token}/{score}`: verify the itsdangerous token, look the invitation (and its
  shop) up, insert a click, render a small HTML page with the confirm script.
- `POST /s/{token}/{score}`: verify the token, look the invitation up, insert (or update)
  the response row by its unique `dedupe_key`, answer `{"status": "confirmed"}`.
- `GET /w/{shop}/products/{sku}/reviews`: one product lookup, one query of 20 published
  reviews, one Jinja2 template (compiled once) with the same schema.org microdata shape.

SQLite: one aiosqlite connection with the pragmas Tortoise and `feedback_service.db` set
(WAL, synchronous=FULL). PostgreSQL: an asyncpg pool of 1 to 5 connections, as Tortoise's.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
from itsdangerous import BadData, URLSafeTimedSerializer
from jinja2 import Environment
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

SURVEY_SALT = "survey-answer"
MAX_AGE = 30 * 24 * 3600
PAGE_SIZE = 20
BLOCK_CACHE = "public, max-age=300, stale-while-revalidate=3600"
STYLESHEET_PATH = Path(__file__).resolve().parent.parent / "widgets" / "static" / "reviews.css"
STYLESHEET = STYLESHEET_PATH.read_text("utf-8") if STYLESHEET_PATH.is_file() else ""

# Link key -> (score, label, colour) of the three survey kinds.
NPS = {
    str(n): (n, str(n), "#15803d" if n >= 9 else "#a16207" if n >= 7 else "#b91c1c")
    for n in range(11)
}
CHOICES: dict[str, dict[str, tuple[int, str, str]]] = {
    "nps": NPS,
    "thermometer": {
        "gold": (4, "Gold: excellent", "#f5c542"),
        "green": (3, "Green: good", "#16a34a"),
        "yellow": (2, "Yellow: could be better", "#fde047"),
        "red": (1, "Red: not good", "#dc2626"),
    },
    "csat": {str(n): (n, str(n), "#16a34a") for n in range(1, 6)},
}
QUESTIONS = {
    "nps": "How likely are you to recommend {shop} to a friend or colleague?",
    "thermometer": "How would you rate our service?",
    "csat": "How satisfied are you with your recent experience with {shop}?",
}

ENV = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, auto_reload=False)
ANSWER = ENV.from_string(
    """<!DOCTYPE html>
<html lang="{{ locale }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Thank you · {{ shop }}</title>
<style>:root { --accent: {{ brand }}; } body { margin:0; font:17px/1.5 system-ui, sans-serif; }
main { max-width: 34rem; margin: 0 auto; padding: 1rem; }
.chip { display:inline-block; padding:.35rem .8rem; border-radius:999px; font-weight:700; }
textarea { width:100%; min-height:8rem; } button { background:var(--accent); color:#fff; }</style>
</head><body><main><div class="card">
<p class="shop">{{ shop }}</p>
<h1>Thank you for your answer!</h1>
<p>{{ question }}</p>
<p>Your answer: <span class="chip" style="background:{{ color }}">{{ label }}</span></p>
<form id="confirm-form" method="post" action="{{ confirm_url }}">
<p class="status" id="confirm-status" role="status" data-done="Your answer is recorded.">Recording…</p>
<noscript><button type="submit">Confirm my answer</button></noscript>
</form>
<script nonce="{{ nonce }}">
(function () {
  var form = document.getElementById("confirm-form");
  window.setTimeout(function () {
    fetch(form.action, {method: "POST", headers: {"Accept": "application/json"}});
  }, 700);
})();
</script>
<form method="post" action="{{ comment_url }}">
<input type="hidden" name="score" value="{{ key }}">
<label for="comment">Would you like to tell us more? (optional)</label>
<textarea id="comment" name="comment" maxlength="5000"></textarea>
<button type="submit">Send my comment</button>
</form>
</div></main></body></html>
"""  # noqa: E501
)
BLOCK = ENV.from_string(
    """<style>{{ stylesheet }}</style>
<section class="fs-reviews fs-block" id="fs-reviews" lang="{{ locale }}" itemscope itemtype="https://schema.org/Product">
<meta itemprop="sku" content="{{ p.sku }}">
<link itemprop="url" href="{{ p.url }}">
{% if p.image_url %}<link itemprop="image" href="{{ p.image_url }}">{% endif %}
{% if p.gtin %}<meta itemprop="gtin" content="{{ p.gtin }}">{% endif %}
{% if p.brand %}<span itemprop="brand" itemscope itemtype="https://schema.org/Brand"><meta itemprop="name" content="{{ p.brand }}"></span>{% endif %}
<h2 class="fs-title">Reviews of <bdi itemprop="name">{{ p.name }}</bdi></h2>
<div class="fs-score" itemprop="aggregateRating" itemscope itemtype="https://schema.org/AggregateRating">
<meta itemprop="worstRating" content="1"><meta itemprop="bestRating" content="5">
<p><span itemprop="ratingValue" content="{{ value }}">{{ value }}</span>/5 <span class="fs-stars">{{ "★" * stars }}{{ "☆" * (5 - stars) }}</span></p>
<p class="fs-count"><span itemprop="reviewCount" content="{{ count }}">{{ count }}</span> reviews</p>
</div>
<ul class="fs-dist">
{% for n, c, w in distribution %}<li>{{ n }} stars <span class="fs-bar"><span style="width: {{ w }}"></span></span> {{ c }}</li>
{% endfor %}
</ul>
<div class="fs-list">
{% for r in reviews %}
<article class="fs-review" id="review-{{ r.id }}" lang="{{ r.language }}" itemprop="review" itemscope itemtype="https://schema.org/Review">
<span class="fs-rating" itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating"><meta itemprop="worstRating" content="1"><meta itemprop="ratingValue" content="{{ r.rating }}"><meta itemprop="bestRating" content="5">{{ "★" * r.rating }}{{ "☆" * (5 - r.rating) }}</span>
{% if r.title %}<h3 class="fs-review-title" itemprop="name">{{ r.title }}</h3>{% endif %}
<p class="fs-byline"><span class="fs-author" itemprop="author" itemscope itemtype="https://schema.org/Person"><bdi itemprop="name">{{ r.author_name }}</bdi></span>
{% if r.verified %}<span class="fs-verified">Verified purchase</span>{% endif %}</p>
<p class="fs-dates"><time datetime="{{ r.published }}" itemprop="datePublished">{{ r.published }}</time></p>
<div class="fs-body" itemprop="reviewBody">{{ r.body }}</div>
{% if r.answers %}<dl class="fs-answers">{% for q, a in r.answers %}<div><dt>{{ q }}</dt> <dd>{{ a }}</dd></div>{% endfor %}</dl>{% endif %}
{% if r.reply_body %}<div class="fs-reply"><div class="fs-body">{{ r.reply_body }}</div></div>{% endif %}
<form class="fs-helpful" method="post" action="{{ base }}/w/{{ shop }}/reviews/{{ r.id }}/helpful"><button type="submit">Helpful ({{ r.helpful_count }})</button></form>
</article>
{% endfor %}
</div>
<nav class="fs-pages"><span>Page 1 of {{ pages }}</span> <a rel="next" href="{{ block_url }}?page=2">Next →</a></nav>
</section>
"""  # noqa: E501
)

PRODUCT_SQL = (
    "SELECT p.id, p.sku, p.name, p.url, p.image_url, p.brand, p.gtin, p.rating_counts,"
    " p.reviews_version, s.slug, s.locale FROM product p JOIN shop s ON s.id = p.shop_id"
    " WHERE s.slug = {0} AND p.sku = {1}"
)
REVIEWS_SQL = (
    "SELECT id, rating, title, body, author_name, language, published_at, verified,"
    " helpful_count, reply_body, answers FROM review WHERE product_id = {0}"
    " AND status = 'published' ORDER BY published_at DESC, id DESC LIMIT {1}"
)
INVITATION_SQL = (
    "SELECT i.kind, i.locale, i.customer_id, s.name, s.brand_color FROM invitation i"
    " JOIN shop s ON s.id = i.shop_id WHERE i.id = {0} AND i.shop_id = {1}"
)
CLICK_SQL = (
    "INSERT INTO click (invitation_id, score, outcome, user_agent, created_at)"
    " VALUES ({0}, {1}, 'pending', {2}, {3})"
)
RESPONSE_SQL = (
    "INSERT INTO response (shop_id, invitation_id, customer_id, kind, score, aspects,"
    " dedupe_key, created_at, updated_at) VALUES ({0}, {1}, {2}, {3}, {4}, '[]', {5}, {6}, {6})"
    " ON CONFLICT (dedupe_key) DO UPDATE SET score = excluded.score,"
    " updated_at = excluded.updated_at"
)


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Nothing to reset: no LISTEN, cursor, session setting or advisory lock is left."""


class Database:
    """The three calls the handlers need, over either driver."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith(("postgres://", "postgresql://"))
        self.sqlite: aiosqlite.Connection | None = None
        self.pool: asyncpg.Pool | None = None

    def sql(self, template: str) -> str:
        """{0}, {1}... become $1, $2... (asyncpg) or ?1, ?2... (SQLite's numbered form)."""
        return re.sub(
            r"\{(\d+)\}", lambda m: f"{'$' if self.postgres else '?'}{int(m[1]) + 1}", template
        )

    async def open(self) -> None:
        if self.postgres:
            self.pool = await asyncpg.create_pool(
                self.url.replace("postgres://", "postgresql://", 1),
                min_size=1,
                max_size=5,
                reset=_keep_session,  # as feedback_service.db: no reset query on release
            )
            return
        path = self.url.removeprefix("sqlite://").split("?", 1)[0]
        self.sqlite = await aiosqlite.connect(path, isolation_level=None)
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "busy_timeout=5000",
            "foreign_keys=ON",
        ):
            await self.sqlite.execute(f"PRAGMA {pragma}")

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
        if self.sqlite is not None:
            await self.sqlite.close()

    async def fetchrow(self, sql: str, *args: Any) -> Sequence[Any] | None:
        if self.pool is not None:
            return await self.pool.fetchrow(sql, *args)
        assert self.sqlite is not None
        async with self.sqlite.execute(sql, args) as cursor:
            return await cursor.fetchone()

    async def fetch(self, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
        if self.pool is not None:
            return await self.pool.fetch(sql, *args)
        assert self.sqlite is not None
        return list(await self.sqlite.execute_fetchall(sql, args))

    async def execute(self, sql: str, *args: Any) -> None:
        if self.pool is not None:
            await self.pool.execute(sql, *args)
            return
        assert self.sqlite is not None
        # One trip to the thread; the cursor is dropped (execute_insert would add a query).
        await self.sqlite.execute(sql, args)


DB = Database(os.environ.get("DATABASE_URL", "sqlite://data/feedback.sqlite3"))
SERIALIZER = URLSafeTimedSerializer(os.environ.get("SECRET_KEY", "bench"), salt=SURVEY_SALT)
BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
SQL = {
    name: DB.sql(template)
    for name, template in {
        "product": PRODUCT_SQL,
        "reviews": REVIEWS_SQL,
        "invitation": INVITATION_SQL,
        "click": CLICK_SQL,
        "response": RESPONSE_SQL,
    }.items()
}


def _now() -> datetime | str:
    now = datetime.now(UTC)
    # Tortoise's SQLite adapter stores datetimes as isoformat(" ") text.
    return now if DB.postgres else now.isoformat(" ")


def _not_found() -> Response:
    return HTMLResponse("<h1>This link is not valid</h1>", status_code=404)


async def _invitation(request: Request) -> tuple[int, int, Sequence[Any]] | None:
    token = request.path_params["token"]
    if len(token) > 200:
        return None
    try:
        value = SERIALIZER.loads(token, max_age=MAX_AGE)
    except (BadData, ValueError, TypeError):
        return None
    if not isinstance(value, list) or len(value) != 2:
        return None
    invitation_id, shop_id = int(value[0]), int(value[1])
    row = await DB.fetchrow(SQL["invitation"], invitation_id, shop_id)
    return None if row is None else (invitation_id, shop_id, row)


async def answer(request: Request) -> Response:
    found = await _invitation(request)
    if found is None:
        return _not_found()
    invitation_id, _, (kind, locale, _customer, shop_name, brand) = found
    key = request.path_params["score"]
    choice = CHOICES[kind].get(key)
    if choice is None:
        return _not_found()
    score, label, color = choice
    user_agent = request.headers.get("user-agent", "")[:300]
    await DB.execute(SQL["click"], invitation_id, score, user_agent, _now())
    token = request.path_params["token"]
    html = ANSWER.render(
        locale=locale,
        shop=shop_name,
        brand=brand,
        question=QUESTIONS[kind].format(shop=shop_name),
        label=label,
        color=color,
        key=key,
        confirm_url=f"{BASE_URL}/s/{token}/{key}",
        comment_url=f"{BASE_URL}/s/{token}/comment",
        nonce=secrets.token_urlsafe(16),
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


async def confirm(request: Request) -> Response:
    found = await _invitation(request)
    if found is None:
        return JSONResponse({"status": "invalid"}, status_code=404)
    invitation_id, shop_id, (kind, _locale, customer_id, _name, _brand) = found
    choice = CHOICES[kind].get(request.path_params["score"])
    if choice is None:
        return JSONResponse({"status": "invalid"}, status_code=404)
    now = _now()
    dedupe_key = f"inv:{invitation_id}"
    await DB.execute(
        SQL["response"], shop_id, invitation_id, customer_id, kind, choice[0], dedupe_key, now
    )
    return JSONResponse({"status": "confirmed"}, headers={"Cache-Control": "no-store"})


def _date_text(value: datetime | str) -> str:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return when.date().isoformat()


async def reviews_block(request: Request) -> Response:
    shop, sku = request.path_params["shop"], request.path_params["sku"]
    product = await DB.fetchrow(SQL["product"], shop, sku)
    if product is None:
        return HTMLResponse("Not found", status_code=404)
    (product_id, sku, name, url, image_url, brand, gtin, raw_counts, version, slug, locale) = (
        product
    )
    counts = {int(k): v for k, v in json.loads(raw_counts or "{}").items()}
    count = sum(counts.values())
    value = sum(k * v for k, v in counts.items()) / count if count else 0.0
    rows = await DB.fetch(SQL["reviews"], product_id, PAGE_SIZE)
    reviews = [
        {
            "id": r[0],
            "rating": r[1],
            "title": r[2],
            "body": r[3],
            "author_name": r[4],
            "language": r[5],
            "published": _date_text(r[6]),
            "verified": bool(r[7]),
            "helpful_count": r[8],
            "reply_body": r[9],
            "answers": json.loads(r[10]) if isinstance(r[10], str) else r[10],
        }
        for r in rows
    ]
    block_url = f"{BASE_URL}/w/{slug}/products/{sku}/reviews"
    html = BLOCK.render(
        stylesheet=STYLESHEET,
        locale=locale,
        p={
            "sku": sku,
            "name": name,
            "url": url,
            "image_url": image_url,
            "brand": brand,
            "gtin": gtin,
        },
        value=f"{value:.1f}",
        stars=round(value),
        count=count,
        distribution=[
            (n, counts.get(n, 0), f"{round(100 * counts.get(n, 0) / (count or 1))}%")
            for n in range(5, 0, -1)
        ],
        reviews=reviews,
        pages=max(1, -(-count // PAGE_SIZE)),
        base=BASE_URL,
        shop=slug,
        block_url=block_url,
    )
    etag = f'W/"{version}-reviews-1-recent--"'
    return HTMLResponse(html, headers={"ETag": etag, "Cache-Control": BLOCK_CACHE})


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    await DB.open()
    try:
        yield
    finally:
        await DB.close()


app = Starlette(
    routes=[
        Route("/healthz", health, methods=["GET"]),
        Route("/s/{token}/{score}", answer, methods=["GET"]),
        Route("/s/{token}/{score}", confirm, methods=["POST"]),
        Route("/w/{shop}/products/{sku}/reviews", reviews_block, methods=["GET"]),
    ],
    lifespan=lifespan,
)
