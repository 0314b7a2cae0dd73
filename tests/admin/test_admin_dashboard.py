"""/admin: the figures of a small hand-made shop (worked out in dashboard_helpers) in HTML;
charts with text alternatives; the shop's segment settings; one shop's figures only; a
bounded number of queries whatever the shop's size."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from admin_helpers import log_in
from dashboard_helpers import NOW, answer, known_shop, orders

from feedback_service.admin import dashboard
from feedback_service.alerts.models import Alert
from feedback_service.orders.models import Customer, Product
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_shop, create_user
from feedback_service.surveys.models import Response

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}


async def admin_of(client: httpx.AsyncClient, shop: Shop, email: str = "boss@shop.fr") -> None:
    await create_user(shop, email, "correct horse battery", role="admin")
    await log_in(client, email, "correct horse battery")


def text(html: str) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".")


def card(html: str, card_id: str) -> str:
    match = re.search(
        rf'<div class="card" id="{card_id}">(.*?)</div>\s*(?=<div|</section)', html, re.S
    )
    assert match, f"no card {card_id}"
    return text(match.group(1)).strip()


def row(html: str, table_id: str, key: str) -> list[str]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert table, f"no table {table_id}"
    found = re.search(rf'<tr data-group="{key}">(.*?)</tr>', table.group(1), re.S)
    assert found, f"no row {key} in {table_id}"
    return [text(cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", found.group(1))]


async def test_dashboard_shows_the_figures_of_a_known_shop(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    await known_shop(shop)
    await admin_of(client, shop)

    nps_only = await client.get("/admin", params={"days": "30", "survey": "nps"}, headers=EN)
    assert nps_only.status_code == 200, nps_only.text
    nps = card(nps_only.text, "nps")
    assert "+20 " in nps and "95% interval: −34 – +74" in nps
    assert "10 answers: 5 promoters, 2 passives, 3 detractors" in nps
    assert "+53.3 points on the previous period: within noise." in nps

    page = await client.get("/admin", params={"days": "30"}, headers=EN)
    html = page.text
    assert card(html, "nps").startswith("Net Promoter Score +6.7 ")
    happiness = card(html, "happiness")
    assert "60%" in happiness and "95% interval: 23.1 – 88.2" in happiness
    assert "3 gold or green of 5 thermometer answers" in happiness
    csat = card(html, "csat")
    assert "75%" in csat and "95% interval: 30.1 – 95.4" in csat
    assert "Not enough answers in one of the two periods to compare." in csat
    rate = card(html, "response-rate")
    assert "76%" in rate and "19 answered of 25 invitations sent" in rate
    alerts = card(html, "alerts")
    assert "Open alerts 2" in alerts and 'href="/admin/inbox?status=open"' in html

    # Loyalty: customers, repurchase, upsell, churn, retention, AOV, sales/customer, CLV.
    segments = "loyalty-segments"
    assert row(html, segments, "new") == [
        "New customers", "2", "50%", "0", "0%", "100%", "30.00", "45.00", "450.00 (cap)"
    ]  # fmt: skip
    assert row(html, segments, "occasional")[1:3] == ["0", "—"]
    assert row(html, segments, "regular") == [
        "Regular customers", "1", "100%", "0", "100%", "0%", "30.00", "150.00", "1,500.00 (cap)"
    ]  # fmt: skip
    assert row(html, segments, "all") == [
        "All customers", "3", "66.7%", "0", "33.3%", "66.7%", "30.00", "80.00", "800.00 (cap)"
    ]  # fmt: skip
    groups = "loyalty-groups"
    assert row(html, groups, "promoter") == [
        "Promoters", "1", "0%", "0", "0%", "100%", "50.00", "50.00", "500.00 (cap)"
    ]  # fmt: skip
    assert row(html, groups, "passive")[1:3] == ["1", "100%"]
    assert row(html, groups, "passive")[-1] == "400.00 (cap)"
    assert row(html, groups, "detractor")[4] == "100%"
    assert "occasional: 3 or more; regular: 5 or more. Churned: no order for 60 days." in text(html)

    aspects = re.search(r'<table id="negative-aspects">(.*?)</table>', html, re.S)
    assert aspects is not None
    assert re.findall(r'<th scope="row">([^<]+)</th>', aspects.group(1)) == ["Delivery", "Price"]
    assert "Delivery 2 2 100%" in text(aspects.group(1))

    french = await client.get("/admin", params={"days": "30"}, headers=FR)
    assert "Facteur de bonheur" in french.text and "60\u202f%" in french.text
    assert "Clients réguliers" in french.text and "1\u202f500,00" in french.text


async def test_charts_have_text_alternatives(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    await known_shop(shop)
    await admin_of(client, shop)
    html = (await client.get("/admin", params={"days": "90", "every": "month"}, headers=EN)).text
    svgs = re.findall(r"<svg [^>]*>.*?</svg>", html, re.S)
    assert len(svgs) == 4  # the trend, and scores of NPS, thermometer and CSAT
    for svg in svgs:
        chart_id = re.search(r'id="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in svg
        assert re.search(rf'<title id="{chart_id}-title">[^<]+</title>', svg)
        assert re.search(rf'<desc id="{chart_id}-desc">[^<]+</desc>', svg)
        assert 'role="img"' in svg and "<script" not in svg
    assert "NPS per month" in svgs[0] and 'class="band"' in svgs[0] or "whisker" in svgs[0]
    assert "0: 3, 1: 0, 2: 0, 3: 1" in svgs[1]  # the NPS bars in words (90 days)
    # The numbers behind the charts, for screen readers.
    hidden = re.findall(r'<div class="sr-only"><table>(.*?)</table></div>', html, re.S)
    assert len(hidden) == 4
    assert "+6.7" in text(hidden[0]) and "Red 1 Yellow 1 Green 2 Gold 1" in text(hidden[2])


async def test_filters_and_bad_filters(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    await answer(shop, "csat", 5, days_ago=200)
    await admin_of(client, shop)
    year = await client.get("/admin", params={"days": "365", "survey": "csat"}, headers=EN)
    assert "CSAT per month" in year.text and "1 satisfied (4 or 5) of 1 CSAT answers" in year.text
    last = (NOW - timedelta(days=190)).date().isoformat()
    dated = await client.get(
        "/admin", params={"from": "2020-01-01", "to": last, "every": "week"}, headers=EN
    )
    assert dated.status_code == 200 and "CSAT per month" not in dated.text
    assert "1 satisfied" in dated.text  # weekly points over six years go by month
    for bad, why in (
        ({"days": "7"}, "Pick the last 30, 90 or 365 days."),
        ({"survey": "stars"}, "Pick a survey kind from the list."),
        ({"from": "yesterday"}, "Use dates like 2024-03-31"),
        ({"from": "2024-05-02", "to": "2024-05-01"}, "Use dates like 2024-03-31, the first"),
        ({"every": "day"}, "The trend is by week or by month."),
    ):
        answer_page = await client.get("/admin", params=bad, headers=EN)
        assert answer_page.status_code == 200
        shown = "These filters could not be used, so the last 90 days are shown: " + why
        assert shown in answer_page.text
    french = await client.get("/admin", params={"days": "7"}, headers=FR)
    assert "les 90 derniers jours sont affichés\u202f: Choisissez" in french.text


async def test_shop_sees_only_its_own_figures_and_agents_go_to_the_inbox(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    await known_shop(shop)
    other, _ = await create_shop("Other Shop", "other")
    who = await Customer.create(shop=other, email="theirs@x.fr")
    item = await Product.create(shop=other, sku="tee", name="Tee", url="https://o.test/t")
    for _ in range(7):
        await answer(other, "nps", 0, days_ago=2)
        await answer(other, "thermometer", 1, days_ago=2)
    await orders(other, who, item, [3, 4, 5, 6], "999.00")
    await Alert.create(shop=other, subject="response:other", status="open", opened_at=NOW)

    await admin_of(client, shop)
    html = (await client.get("/admin", params={"days": "30"}, headers=EN)).text
    assert "3 gold or green of 5 thermometer answers" in card(html, "happiness")
    assert "Open alerts 2" in card(html, "alerts")
    assert row(html, "loyalty-segments", "all")[1] == "3" and "999.00" not in html

    await admin_of(client, other, "boss@other.fr")
    theirs = (await client.get("/admin", params={"days": "30"}, headers=EN)).text
    assert "0 gold or green of 7 thermometer answers" in card(theirs, "happiness")
    assert row(theirs, "loyalty-segments", "all")[1] == "1"

    await create_user(shop, "agent@shop.fr", "correct horse battery", role="agent")
    await log_in(client, "agent@shop.fr", "correct horse battery")
    refused = await client.get("/admin")
    assert refused.status_code == 303 and refused.headers["location"] == "/admin/inbox"
    assert 'href="/admin"' not in (await client.get("/admin/inbox")).text


async def test_dashboard_makes_a_fixed_number_of_queries(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str], queries: list[str]
) -> None:
    shop = shop_and_key[0]
    await known_shop(shop)
    await admin_of(client, shop)
    queries.clear()
    assert (await client.get("/admin", params={"days": "90"})).status_code == 200
    small = len(queries)
    item = await Product.get(shop=shop)
    for i in range(15):
        who = await Customer.create(shop=shop, email=f"more{i}@x.fr")
        await orders(shop, who, item, [5, 15], "12.00")
        await answer(shop, "nps", i % 11, who=who, aspects=[("quality", "negative")])
    queries.clear()
    assert (await client.get("/admin", params={"days": "90"})).status_code == 200
    # Eleven reads (the recovery panel's one) and one for the next steps (whether the shop
    # has an order, an invitation); the answers stored since the worker last ran are read as
    # they are, not chained first.
    assert len(queries) == small <= 12, queries


async def test_the_dashboard_writes_nothing(
    shop_and_key: tuple[Shop, str], queries: list[str]
) -> None:
    shop = shop_and_key[0]
    await known_shop(shop)  # answers the worker has not chained yet
    filters, error = dashboard.parse_filters({"days": "30", "survey": "nps"}, shop)
    assert error is None
    queries.clear()
    board = await dashboard.load(shop, filters)
    assert board.current.nps().score == 20.0  # as worked out by hand in known_shop
    assert queries, "no statement recorded"
    assert [sql for sql in queries if re.search(r"\b(INSERT|UPDATE|DELETE)\b", sql, re.I)] == []
    assert await Response.filter(shop=shop, chained=True).count() == 0


async def test_latest_answers_read_in_the_staffs_words(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    await answer(shop, "thermometer", 4, days_ago=1)
    await answer(shop, "nps", 6, days_ago=1)
    await answer(shop, "csat", 1, days_ago=1)
    await admin_of(client, shop)
    html = (await client.get("/admin", params={"days": "30"}, headers=FR)).text
    latest = html[html.index('id="latest"') :].split("</section>")[0]
    assert "Or\u202f: excellent" in latest and "NPS 6/10" in latest and "CSAT 1/5" in latest
    assert "Thermomètre" in latest and "<td>thermometer</td>" not in latest


async def test_the_dashboard_says_what_its_figures_count(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    item = await Product.create(shop=shop, sku="mug", name="Mug", url="https://s.test/m")
    for i in range(3):  # recent buyers, none lapsed: the lifetime reaches its cap
        who = await Customer.create(shop=shop, email=f"c{i}@x.fr")
        await orders(shop, who, item, [5, 40], "10.00")
    for score in (1, 2, 3, 4):
        await answer(shop, "thermometer", score, days_ago=1)
    await admin_of(client, shop)
    html = (await client.get("/admin", params={"days": "90"}, headers=EN)).text
    bars = re.findall(r'class="bar ([\w-]+)"', html[html.index('id="scores-thermometer"') :])
    assert bars[:4] == ["thermo-red", "thermo-yellow", "thermo-green", "thermo-gold"]
    assert "gold as a promoter, green as a passive" in card(html, "nps")
    assert "Upsell ratio: customers who bought from more than one category" in html
    loyalty = html[html.index('id="loyalty-segments"') :].split("</table>")[0]
    assert 'title="Reached the 10-year cap">(cap)</abbr>' in loyalty
    nps_only = await client.get("/admin", params={"days": "90", "survey": "nps"}, headers=EN)
    assert 'id="nps-counts"' not in nps_only.text
