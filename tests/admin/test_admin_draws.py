"""/admin/draws: admins only, CSRF on every form, create, run once, export."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import UTC, datetime, timedelta

import httpx
from admin_helpers import csrf_of, log_in

from feedback_service.orders.models import Customer, Product
from feedback_service.reviews.models import PrizeDraw, Review
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user

PASSWORD = "correct horse battery"


def period(days_from_now: int, length: int) -> dict[str, str]:
    start = datetime.now(UTC).date() + timedelta(days=days_from_now)
    return {
        "period_start": start.isoformat(),
        "period_end": (start + timedelta(length)).isoformat(),
    }


async def test_draw_pages_need_an_admin_and_a_csrf_token(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    draw = await PrizeDraw.create(
        shop=shop,
        period_start=datetime.now(UTC),
        period_end=datetime.now(UTC) + timedelta(days=1),
        prize="x",
        seed="0" * 64,
    )
    for path in ("/admin/draws", f"/admin/draws/{draw.id}", f"/admin/draws/{draw.id}/result.json"):
        answer = await client.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/admin/login", path
    await create_user(shop, "agent@shop.fr", PASSWORD)
    await log_in(client, "agent@shop.fr", PASSWORD)
    csrf = csrf_of((await client.get("/admin/inbox")).text)
    assert "/admin/draws" not in (await client.get("/admin/inbox")).text  # not in the agent's nav
    assert (await client.get("/admin/draws")).status_code == 403
    assert (await client.get(f"/admin/draws/{draw.id}/result.csv")).status_code == 403
    refused = await client.post("/admin/draws", data={"csrf": csrf, "prize": "x", **period(0, 7)})
    assert refused.status_code == 403
    assert (await client.post(f"/admin/draws/{draw.id}", data={"csrf": csrf})).status_code == 403

    await client.post("/admin/logout", data={"csrf": csrf})
    await create_user(shop, "boss@shop.fr", PASSWORD, role="admin")
    await log_in(client, "boss@shop.fr", PASSWORD)
    no_token = await client.post("/admin/draws", data={"prize": "x", **period(0, 7)})
    wrong = await client.post("/admin/draws", data={"csrf": "nope", "prize": "x", **period(0, 7)})
    assert no_token.status_code == wrong.status_code == 403
    assert await PrizeDraw.filter(shop=shop).count() == 1
    # Another shop's draw is not found, not shown.
    other = await Shop.create(slug="other", name="Other")
    theirs = await PrizeDraw.create(
        shop=other, period_start=draw.period_start, period_end=draw.period_end, prize="y", seed="1"
    )
    assert (await client.get(f"/admin/draws/{theirs.id}")).status_code == 404


async def test_admin_creates_runs_once_and_exports_a_draw(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    await create_user(shop, "boss@shop.fr", PASSWORD, role="admin")
    await log_in(client, "boss@shop.fr", PASSWORD)
    listing = await client.get("/admin/draws", headers={"Accept-Language": "fr"})
    assert listing.status_code == 200 and "Nouveau tirage au sort" in listing.text
    csrf = csrf_of(listing.text)

    bad = await client.post(
        "/admin/draws",
        data={"csrf": csrf, "prize": "Un vélo", "rules_url": "javascript:alert(1)", **period(0, 7)},
    )
    assert bad.status_code == 422 and 'value="Un vélo"' in bad.text  # the form is kept
    past = await client.post("/admin/draws", data={"csrf": csrf, "prize": "x", **period(-9, 3)})
    assert past.status_code == 422
    assert await PrizeDraw.filter(shop=shop).count() == 0

    created = await client.post(
        "/admin/draws",
        data={
            "csrf": csrf,
            "prize": "Un vélo <b>électrique</b>",
            "rules_url": "https://shop.example/reglement",
            **period(0, 7),
        },
    )
    assert created.status_code == 303
    draw = await PrizeDraw.get(shop=shop)
    page = await client.get(created.headers["location"])
    assert re.fullmatch(r"[0-9a-f]{64}", draw.seed)
    # The shop's page shows the commitment; the seed stays secret until the run.
    assert hashlib.sha256(draw.seed.encode()).hexdigest() in page.text
    assert draw.seed not in page.text
    assert "Un vélo &lt;b&gt;électrique&lt;/b&gt;" in page.text
    too_soon = await client.post(f"/admin/draws/{draw.id}", data={"csrf": csrf})
    assert too_soon.status_code == 422 and (await PrizeDraw.get(id=draw.id)).ran_at is None

    # Three customers review during the period; then the period ends.
    product = await Product.create(shop=shop, sku="K", name="Kettle", url="https://x.fr/k")
    for n in range(3):
        customer = await Customer.create(shop=shop, email=f"c{n}@x.fr", name=f"C {n}")
        await Review.create(
            shop=shop,
            product=product,
            customer=customer,
            rating=n + 1,
            author_name=f"C {n}",
            author_email=customer.email,
            submitted_at=datetime.now(UTC),
        )
    assert ">3</p>" in (await client.get(f"/admin/draws/{draw.id}")).text  # entries so far
    await PrizeDraw.filter(id=draw.id).update(period_end=datetime.now(UTC))

    ran = await client.post(f"/admin/draws/{draw.id}", data={"csrf": csrf})
    assert ran.status_code == 303
    first = await PrizeDraw.get(id=draw.id)
    assert first.ran_at is not None and first.winner_review_id in first.entries
    assert draw.seed in (await client.get(f"/admin/draws/{draw.id}")).text  # revealed now
    await client.post(f"/admin/draws/{draw.id}", data={"csrf": csrf})  # again: nothing changes
    again = await PrizeDraw.get(id=draw.id)
    assert (again.winner_review_id, again.ran_at, again.entries) == (
        first.winner_review_id,
        first.ran_at,
        first.entries,
    )

    exported = (await client.get(f"/admin/draws/{draw.id}/result.json")).json()
    assert exported["entries"] == first.receipts and exported["seed"] == draw.seed
    assert exported["entry_reviews"] == first.entries  # the shop's copy names the reviews
    winner_at = first.entries.index(first.winner_review_id)
    assert exported["winner_entry"] == first.receipts[winner_at]
    rows = list(
        csv.DictReader(io.StringIO((await client.get(f"/admin/draws/{draw.id}/result.csv")).text))
    )
    assert [int(r["review_id"]) for r in rows] == first.entries
    assert [r["entry"] for r in rows] == first.receipts
    assert [int(r["review_id"]) for r in rows if r["winner"] == "yes"] == [first.winner_review_id]
    assert (await client.get(f"/admin/draws/{draw.id}/result.xml")).status_code == 404
