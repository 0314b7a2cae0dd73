"""Contributor prize draws: who enters (never by rating), a commitment to the seed first and
the seed after, each entrant's receipt in their confirmation email and on the public page,
the winner recomputed from the page alone, incentivised reviews marked in the block and the
feed, the winner's email."""

from __future__ import annotations

import hashlib
import itertools
import re
from datetime import UTC, datetime, timedelta

import httpx
import lxml.etree
import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peers import SmtpSink
from review_helpers import order_with_request, product_ids

from feedback_service.errors import InvalidInput
from feedback_service.links import Links
from feedback_service.orders.models import Customer, Product
from feedback_service.outbox.models import OutboxMessage
from feedback_service.reviews import draws
from feedback_service.reviews.models import PrizeDraw, Review
from feedback_service.reviews.schemas import REJECTION_REASONS
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.worker import Worker

NOW = datetime.now(UTC)
PERIOD_START = NOW - timedelta(days=40)
PERIOD_END = NOW - timedelta(days=10)

_SOURCE_IDS = itertools.count()


def recompute(seed: str, entries: list[str]) -> tuple[str, str | None]:
    """The published derivation, written out again independently of the service."""
    digest = hashlib.sha256(",".join(entries).encode()).hexdigest()
    if not entries:
        return digest, None
    index = int(hashlib.sha256(f"{seed}:{digest}".encode()).hexdigest(), 16) % len(entries)
    return digest, entries[index]


def page_data(html: str) -> dict[str, object]:
    """What the public page shows, read as a visitor would: no JSON, no database."""
    doc = lxml.html.fromstring(html)

    def code(name: str) -> str | None:
        found = doc.xpath(f'//code[@id="{name}"]/text()')
        return found[0] if found else None

    return {
        "commitment": code("seed-sha256"),
        "seed": code("seed"),
        "entries_sha256": code("entries-sha256"),
        "entries": [li.text_content().strip() for li in doc.xpath('//ol[@class="entries"]/li')],
        "winner": (doc.xpath('//ol[@class="entries"]/li[@class="winner"]/text()') or [None])[0],
    }


async def past_draw(shop: Shop, **changes: object) -> PrizeDraw:
    """A draw announced before its period, whose period is now over."""
    draw = await PrizeDraw.create(
        shop=shop,
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        prize="Un panier garni",
        rules_url="https://shop.example/reglement",
        seed="ab" * 32,
        **changes,
    )
    await PrizeDraw.filter(id=draw.id).update(created_at=PERIOD_START - timedelta(days=1))
    return await PrizeDraw.get(id=draw.id)


async def shop_with_customers(shop: Shop, n: int) -> tuple[Product, list[Customer]]:
    product = await Product.create(shop=shop, sku="KETTLE", name="Bouilloire", url="https://x.fr")
    customers = [
        await Customer.create(
            shop=shop, email=f"c{i}@example.fr", name=f"Client {i}", locale="fr" if i % 2 else "en"
        )
        for i in range(n)
    ]
    return product, customers


def review_row(
    shop: Shop,
    product: Product,
    customer: Customer | None,
    *,
    minute: int,
    rating: int = 5,
    status: str = "published",
    reason: str | None = None,
    source: str = "request",
    score: float | None = None,
) -> Review:
    at = PERIOD_START + timedelta(minutes=minute)
    return Review(
        shop=shop,
        product=product,
        customer=customer,
        rating=rating,
        title="Avis",
        body="Texte",
        author_name=customer.name if customer else "Anonyme",
        author_email=customer.email if customer else None,
        status=status,
        rejection_reason=reason if status == "rejected" else None,
        source=source,
        source_id=None if source == "request" else f"legacy-{next(_SOURCE_IDS)}",
        sentiment_score=score,
        sentiment_label=None if score is None else ("positive" if score > 0 else "negative"),
        submitted_at=at,
        published_at=at if status == "published" else None,
    )


# --- entry never depends on the rating or the sentiment ---------------------------------

REVIEW = st.fixed_dictionaries(
    {
        "customer": st.integers(0, 5),
        "minute": st.integers(0, 30 * 24 * 60 - 1),
        "status": st.sampled_from(["pending", "published", "rejected"]),
        "reason": st.sampled_from(REJECTION_REASONS),
        "source": st.sampled_from(["request", "request", "request", "legacy"]),
    }
)
OPINION = st.tuples(st.integers(1, 5), st.none() | st.floats(-1, 1))


@pytest.fixture
async def population(shop_and_key: tuple[Shop, str]) -> tuple[Shop, Product, list[Customer]]:
    shop = shop_and_key[0]
    product, customers = await shop_with_customers(shop, 6)
    return shop, product, customers


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    specs=st.lists(REVIEW, max_size=12),
    before=st.lists(OPINION, min_size=12, max_size=12),
    after=st.lists(OPINION, min_size=12, max_size=12),
)
async def test_entries_and_winner_ignore_ratings_and_sentiment(
    population: tuple[Shop, Product, list[Customer]],
    specs: list[dict],  # type: ignore[type-arg]
    before: list[tuple[int, float | None]],
    after: list[tuple[int, float | None]],
) -> None:
    shop, product, customers = population
    await PrizeDraw.filter(shop=shop).delete()
    await Review.filter(shop=shop).delete()
    rows = [
        review_row(
            shop,
            product,
            customers[spec["customer"]],
            minute=spec["minute"],
            rating=rating,
            status=spec["status"],
            reason=spec["reason"],
            source=spec["source"],
            score=score,
        )
        for spec, (rating, score) in zip(specs, before, strict=False)
    ]
    await Review.bulk_create(rows)
    draw = await past_draw(shop)

    entries = draws.select_entries(await draws.entrants(draw))
    # What the rules say, computed here from the rows themselves.
    stored = await Review.filter(shop=shop).order_by("id")
    first: dict[int, int] = {}
    for review in stored:
        abusive = review.status == "rejected" and review.rejection_reason == "abusive"
        if review.source == "request" and not abusive and review.customer_id is not None:
            first.setdefault(review.customer_id, review.id)
    assert entries == sorted(first.values())

    # Other ratings and sentiments, same reviews: the same entries and the same winner.
    for review, (rating, score) in zip(stored, after, strict=False):
        await Review.filter(id=review.id).update(
            rating=rating,
            sentiment_score=score,
            sentiment_label=None if score is None else "negative",
        )
    assert draws.select_entries(await draws.entrants(draw)) == entries
    ballot = draws.ballot(draw.id, await draws.entrants(draw))
    receipts = [receipt for receipt, _ in ballot]
    assert sorted(review_id for _, review_id in ballot) == entries and receipts == sorted(receipts)
    digest, winner = recompute(draw.seed, receipts)
    assert draws.entries_digest(receipts) == digest
    index = draws.winner_index(draw.seed, digest, len(receipts))
    assert (receipts[index] if index is not None else None) == winner


# --- who enters ----------------------------------------------------------------------------


async def test_abusive_reviews_do_not_enter_other_rejections_do(
    population: tuple[Shop, Product, list[Customer]], settings: Settings
) -> None:
    shop, product, (abusive, spam, pending, twice, outside, _) = population
    made = {}
    for name, row in {
        "abusive": review_row(
            shop, product, abusive, minute=1, status="rejected", reason="abusive"
        ),
        "spam": review_row(
            shop, product, spam, minute=2, rating=1, status="rejected", reason="spam"
        ),
        "pending": review_row(shop, product, pending, minute=3, rating=1, status="pending"),
        "twice_first": review_row(shop, product, twice, minute=4, rating=2),
        "twice_again": review_row(shop, product, twice, minute=5, rating=5),
        "before": review_row(shop, product, outside, minute=-5),
        "after": review_row(shop, product, outside, minute=31 * 24 * 60),
        "imported": review_row(shop, product, None, minute=6, source="legacy"),
    }.items():
        await row.save()
        made[name] = row.id
    draw = await past_draw(shop)
    ran = await draws.run_draw(shop, draw.id, Links(settings))
    # One entry per customer (their first review), whatever the rating; abuse is out.
    assert sorted(ran.entries) == sorted([made["spam"], made["pending"], made["twice_first"]])
    reviews = {r.id: r for r in await Review.filter(id__in=ran.entries)}
    assert ran.receipts == sorted(
        draws.receipt(draw.id, e, reviews[e].draw_nonce) for e in ran.entries
    )
    assert ran.receipts == [draws.receipt(draw.id, e, reviews[e].draw_nonce) for e in ran.entries]


# --- a commitment first, the seed after; reproducible, once, from the page ------------------


async def test_seed_is_committed_first_revealed_after_and_the_winner_recomputed_from_the_page(
    client: httpx.AsyncClient,
    population: tuple[Shop, Product, list[Customer]],
    settings: Settings,
) -> None:
    shop, product, customers = population
    await Review.bulk_create(
        [review_row(shop, product, c, minute=10 * i) for i, c in enumerate(customers)]
    )
    draw = await past_draw(shop)
    commitment = hashlib.sha256(draw.seed.encode()).hexdigest()
    url = f"/w/test-shop/draws/{draw.id}"
    before_json = (await client.get(f"{url}.json")).json()
    before_page = await client.get(url, headers={"Accept-Language": "fr"})
    admin_json = draws.public_result(draw)  # what the shop's export shows, too
    for text in (before_page.text, str(before_json), str(await admin_json)):
        assert draw.seed not in text  # the seed stays secret until the run
    assert before_json["seed"] is None and before_json["seed_sha256"] == commitment
    before = page_data(before_page.text)
    assert before["commitment"] == commitment and before["seed"] is None
    assert len(before["entries"]) == 6 and before["winner"] is None  # receipts so far
    assert "Pas encore tiré" in before_page.text and "La graine sera publiée" in before_page.text

    links = Links(settings)
    await draws.run_draw(shop, draw.id, links)
    again = await draws.run_draw(shop, draw.id, links)  # a second run changes nothing
    page = await client.get(url, headers={"Accept-Language": "fr"})
    assert page.status_code == 200 and "Vérifiez par vous-même" in page.text
    shown = page_data(page.text)
    # The commitment did not move, and the revealed seed is the one it committed to.
    assert shown["commitment"] == before["commitment"] == commitment
    assert isinstance(shown["seed"], str)
    assert hashlib.sha256(shown["seed"].encode()).hexdigest() == shown["commitment"]
    entries = shown["entries"]
    assert isinstance(entries, list) and entries == before["entries"] == sorted(entries)
    digest, winner = recompute(shown["seed"], entries)
    assert shown["entries_sha256"] == digest and shown["winner"] == winner
    review = await Review.get(id=again.winner_review_id)
    assert winner == draws.receipt(draw.id, review.id, review.draw_nonce)
    published = (await client.get(f"{url}.json")).json()
    assert published["seed"] == shown["seed"] and published["entries"] == entries
    assert published["winner_entry"] == winner and published["seed_sha256"] == commitment
    # No review id on the public side: only receipts.
    for review_id in again.entries:
        assert f">{review_id}<" not in page.text
    assert await OutboxMessage.filter(kind="email").count() == 1
    assert (await client.get(f"/w/other/draws/{draw.id}")).status_code == 404
    assert (await client.get("/w/test-shop/draws/999999.json")).status_code == 404


async def test_a_draw_run_before_receipts_keeps_its_published_ids(
    client: httpx.AsyncClient, population: tuple[Shop, Product, list[Customer]]
) -> None:
    """Ran before 0019: its entries were review ids, hashed and drawn the same way."""
    shop = population[0]
    ids = [12, 15, 40]
    digest = draws.entries_digest(ids)
    index = draws.winner_index("ab" * 32, digest, 3)
    assert index is not None
    draw = await past_draw(
        shop, entries=ids, entries_sha256=digest, winner_review_id=None, ran_at=NOW
    )
    shown = page_data((await client.get(f"/w/test-shop/draws/{draw.id}")).text)
    assert shown["entries"] == ["12", "15", "40"] and shown["seed"] == draw.seed
    assert recompute(draw.seed, ["12", "15", "40"]) == (digest, str(ids[index]))


async def test_winner_gets_an_email_in_their_language(
    population: tuple[Shop, Product, list[Customer]], settings: Settings, smtp: SmtpSink
) -> None:
    shop, product, customers = population
    french = customers[1]  # locale fr
    await Review.bulk_create([review_row(shop, product, french, minute=1)])
    draw = await past_draw(shop)
    links = Links(settings)
    ran = await draws.run_draw(shop, draw.id, links)
    assert ran.winner_review_id is not None
    assert await Worker(settings.model_copy(update={"smtp_url": smtp.url})).run_once() == 1
    [message] = smtp.parsed()
    assert message["To"] == french.email
    assert message["Subject"] == "Vous avez gagné le tirage au sort de Boutique Test"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    won = await Review.get(id=ran.winner_review_id)
    entry = draws.receipt(draw.id, won.id, won.draw_nonce)
    assert ran.receipts == [entry]
    for body in (text, html):
        assert "Un panier garni" in body
        assert f"Votre reçu de participation est {entry}" in body
        assert f"{settings.base_url}/w/test-shop/draws/{draw.id}#entry-{entry}" in body


# --- the entrant's receipt: in their confirmation email, on the public page -------------------


async def test_the_receipt_in_the_confirmation_email_is_on_the_public_page(
    api: httpx.AsyncClient, settings: Settings, smtp: SmtpSink
) -> None:
    shop = await Shop.get(slug="test-shop")
    draw = await draws.create_draw(
        shop,
        period_start=NOW - timedelta(days=1),
        period_end=NOW + timedelta(days=30),
        prize="Un panier garni",
        rules_url="",
    )
    commitment = hashlib.sha256(draw.seed.encode()).hexdigest()
    first = await order_with_request(api, "O-1")
    await submit_form(api, first["url"], "Premier avis")
    other = await order_with_request(api, "O-2")  # another customer (o-2@example.fr)
    await submit_form(api, other["url"], "Autre avis")
    worker = Worker(settings.model_copy(update={"smtp_url": smtp.url}))
    while await worker.run_once():
        pass
    confirmations = {
        m["To"]: m for m in smtp.parsed() if m["Subject"].startswith("Votre avis pour")
    }
    assert set(confirmations) == {"o-1@example.fr", "o-2@example.fr"}
    message = confirmations["o-1@example.fr"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    [receipt] = set(re.findall(r"\b[0-9a-f]{64}\b", text))  # its line and its link
    [in_html] = lxml.html.fromstring(html).xpath('//*[@id="draw-receipt"]/text()')
    assert in_html == receipt
    assert "Vous participez au tirage au sort : Un panier garni" in text.replace("\u202f", " ")
    assert f"{settings.base_url}/w/test-shop/draws/{draw.id}#entry-{receipt}" in text
    assert "dans un délai de 7 jours" not in text and "sous 7 jours" in text
    assert f"{settings.base_url}/w/test-shop/review-policy?lang=fr" in text

    url = f"/w/test-shop/draws/{draw.id}"
    before = page_data((await api.get(url)).text)
    assert receipt in before["entries"] and len(before["entries"]) == 2  # listed already
    assert before["seed"] is None and draw.seed not in (await api.get(url)).text
    for review in await Review.filter(shop=shop):  # the receipts name no review
        assert str(review.id) not in before["entries"]

    await PrizeDraw.filter(id=draw.id).update(period_end=draws.utcnow())
    ran = await draws.run_draw(shop, draw.id, Links(settings))
    after = page_data((await api.get(url)).text)
    assert receipt in after["entries"] and after["entries"] == before["entries"]
    assert after["commitment"] == before["commitment"] == commitment
    assert isinstance(after["seed"], str)
    assert hashlib.sha256(after["seed"].encode()).hexdigest() == commitment
    entries = after["entries"]
    assert isinstance(entries, list)
    assert recompute(after["seed"], entries) == (after["entries_sha256"], after["winner"])
    assert ran.receipts == entries
    # The customer's data export names their receipt too.
    exported = (await api.get("/api/v1/customers/o-1@example.fr/export")).json()
    assert [(d["id"], d["receipt"]) for d in exported["prize_draws"]] == [(draw.id, receipt)]


async def test_no_entries_no_winner_and_not_before_the_end(
    population: tuple[Shop, Product, list[Customer]], settings: Settings
) -> None:
    shop = population[0]
    links = Links(settings)
    empty = await draws.run_draw(shop, (await past_draw(shop)).id, links)
    assert empty.entries == [] and empty.winner_review_id is None and empty.ran_at is not None
    open_draw = await draws.create_draw(
        shop,
        period_start=NOW,
        period_end=NOW + timedelta(days=3),
        prize="Bon d'achat",
        rules_url="",
    )
    with pytest.raises(InvalidInput):
        await draws.run_draw(shop, open_draw.id, links)
    for bad in ("javascript:alert(1)", "ftp://x.fr/r", "//x.fr/r"):
        with pytest.raises(InvalidInput):
            await draws.create_draw(
                shop, period_start=NOW, period_end=NOW + timedelta(days=1), prize="x", rules_url=bad
            )
    with pytest.raises(InvalidInput):  # a period already over: entries would be known
        await draws.create_draw(
            shop, period_start=PERIOD_START, period_end=PERIOD_END, prize="x", rules_url=""
        )


# --- incentivised reviews: marked at submission, shown in the block and the feed -----------


async def test_reviews_written_during_a_draw_are_marked_in_block_and_feed(
    api: httpx.AsyncClient,
) -> None:
    shop = await Shop.get(slug="test-shop")
    before = await order_with_request(api, "O-1")
    assert "Tirage au sort" not in await submit_form(api, before["url"], "Avant le tirage")
    await draws.create_draw(
        shop,
        period_start=NOW - timedelta(days=1),
        period_end=NOW + timedelta(days=30),
        prize="Un panier garni",
        rules_url="https://shop.example/reglement",
    )
    during = await order_with_request(api, "O-2")
    form = await submit_form(api, during["url"], "Pendant le tirage")
    assert "Tirage au sort" in form and "Un panier garni" in form  # the reviewer is told
    marked = {r.title: r.incentivised for r in await Review.filter(shop=shop)}
    assert marked == {"Avant le tirage": False, "Pendant le tirage": True}
    for review in await Review.filter(shop=shop):
        moderated = await api.post(
            f"/api/v1/reviews/{review.id}/moderation", json={"action": "publish"}
        )
        assert moderated.status_code == 200

    block = (await api.get("/w/test-shop/products/KETTLE/reviews")).text
    doc = lxml.html.fromstring(block)
    [during_article] = doc.xpath('//article[.//*[contains(text(), "Pendant le tirage")]]')
    [before_article] = doc.xpath('//article[.//*[contains(text(), "Avant le tirage")]]')
    assert "participé à un tirage au sort" in during_article.text_content()
    assert "tirage au sort" not in before_article.text_content()

    feed = lxml.etree.fromstring(
        (await api.get("/api/v1/feeds/google-product-reviews.xml")).content
    )
    flags = {r.findtext("title"): r.findtext("is_incentivized_review") for r in feed.iter("review")}
    assert flags == {"Avant le tirage": "false", "Pendant le tirage": "true"}


async def submit_form(client: httpx.AsyncClient, url: str, title: str) -> str:
    """Fills the form like the customer; returns the form page they saw."""
    form = await client.get(url)
    first = product_ids(form.text)[0]
    sent = await client.post(
        url,
        data={
            f"{first}_rating": "1",
            f"{first}_title": title,
            f"{first}_body": "Arrivée cassée.",
            "display_name": "Marie C.",
            "consent": "yes",
        },
    )
    assert sent.status_code == 303, sent.text
    return form.text
