"""Campaigns from the admin: a preview with the emails and the held count, then the worker
fans the campaign out; an uploaded list's bad lines are reported one by one."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import lxml.html
from admin_helpers import csrf_of, log_in

from feedback_service.orders.models import Customer, HeldInvitation
from feedback_service.outbox.models import OutboxMessage
from feedback_service.settings import Settings
from feedback_service.shops.services import create_user
from feedback_service.surveys.models import Campaign, CampaignRecipient, Invitation
from feedback_service.worker import Worker

PASSWORD = "correct horse battery"


async def emails() -> list[dict]:  # type: ignore[type-arg]
    return await OutboxMessage.filter(kind="email").order_by("id").values_list("payload", flat=True)  # type: ignore[return-value]


def count_by_address(payloads: list[dict]) -> Counter[str]:  # type: ignore[type-arg]
    return Counter(payload["to"] for payload in payloads)


async def admin(api: httpx.AsyncClient, shop) -> None:  # type: ignore[no-untyped-def]
    await create_user(shop, "boss@shop.fr", PASSWORD, role="admin")
    await log_in(api, "boss@shop.fr", PASSWORD)


async def prepare(
    api: httpx.AsyncClient, kind: str, audience: str, csv: bytes | None = None
) -> httpx.Response:
    csrf = csrf_of((await api.get("/admin/campaigns")).text)
    files = {"file": ("list.csv", csv or b"", "text/csv")}
    return await api.post(
        "/admin/campaigns", data={"csrf": csrf, "kind": kind, "audience": audience}, files=files
    )


def figures(html: str) -> dict[str, str]:
    doc = lxml.html.fromstring(html)
    found = {}
    for name in ("recipients", "to-send", "held", "sent", "pending"):
        for element in doc.xpath(f"//*[@data-{name}]"):
            found[name] = element.get(f"data-{name}")
    for element in doc.xpath("//*[@data-reason]"):
        found[element.get("data-reason")] = element.get("data-n")
    return found


async def test_segment_campaign_preview_counts_the_held_then_the_worker_sends_the_others(
    api: httpx.AsyncClient, shop_and_key, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    shop = shop_and_key[0]

    async def invite(email: str, locale: str = "en") -> dict:  # type: ignore[type-arg]
        answer = await api.post(
            "/api/v1/invitations",
            json={"survey": "csat", "customer": {"email": email, "locale": locale}},
        )
        return answer.json()  # type: ignore[no-any-return]

    await invite("asked@x.fr")  # asked today: the shop's window holds them
    gone = await invite("gone@x.fr")
    await api.post(gone["unsubscribe_url"], content="List-Unsubscribe=One-Click")
    rare = await invite("rare@x.fr")
    await api.post(rare["unsubscribe_url"], data={"form": "preferences", "preference": "3m"})
    await Customer.filter(email="rare@x.fr").update(
        last_invited_at=datetime.now(UTC) - timedelta(days=40)
    )  # past the shop's 30 days, within their own 90
    await invite("fresh@x.fr")
    await invite("frais@x.fr", "fr")
    await Customer.filter(email__in=["fresh@x.fr", "frais@x.fr"]).update(last_invited_at=None)
    before = await emails()

    await admin(api, shop)
    prepared = await prepare(api, "nps", "segment:all")
    assert prepared.status_code == 303
    page = await api.get(prepared.headers["location"])
    assert figures(page.text) == {
        "recipients": "5",
        "to-send": "2",
        "held": "3",
        "throttle": "1",
        "preference": "1",
        "unsubscribed": "1",
    }
    doc = lxml.html.fromstring(page.text)
    previews = {s.get("data-preview-locale"): s for s in doc.xpath("//*[@data-preview-locale]")}
    assert sorted(previews) == ["en", "fr"]
    assert "would like your opinion" in previews["en"].xpath(".//*[@class='subject']")[0].text
    assert "aimerait avoir votre avis" in previews["fr"].xpath(".//*[@class='subject']")[0].text
    framed = lxml.html.fromstring(previews["fr"].xpath(".//iframe")[0].get("srcdoc"))
    assert "Quelle est la probabilité" in framed.text_content()  # the French NPS question, as sent
    assert await emails() == before  # a preview sends nothing

    campaign = await Campaign.get(shop=shop)
    csrf = csrf_of(page.text)
    sent = await api.post(f"/admin/campaigns/{campaign.id}", data={"csrf": csrf, "action": "send"})
    assert sent.status_code == 303
    again = await api.post(f"/admin/campaigns/{campaign.id}", data={"csrf": csrf, "action": "send"})
    assert again.status_code == 303
    await Worker(settings).run_once()

    new = count_by_address(await emails()) - count_by_address(before)
    assert new == Counter({"fresh@x.fr": 1, "frais@x.fr": 1})
    invited = await Invitation.filter(shop=shop, kind="nps").select_related("customer")
    assert sorted(i.customer.email for i in invited) == ["frais@x.fr", "fresh@x.fr"]
    assert await HeldInvitation.filter(kind="nps").count() == 3
    progress = figures((await api.get(f"/admin/campaigns/{campaign.id}")).text)
    assert progress["sent"] == "2" and progress["held"] == "3" and progress["pending"] == "0"
    listing = lxml.html.fromstring((await api.get("/admin/campaigns")).text)
    assert listing.xpath("//tr[@data-campaign]/td[@data-sent]")[0].get("data-sent") == "2"
    assert (await Campaign.get(id=campaign.id)).state == "done"


HOSTILE = (
    "email,name,locale\r\n"
    "ann@x.fr,Ann,fr\r\n"  # 2 good
    "not-an-email,Bob,en\r\n"  # 3
    'carl@x.fr,"=HYPERLINK(""http://evil.example"",""x"")",en\r\n'  # 4 formula
    "dan@x.fr,Dan\x07,en\r\n"  # 5 control character
    "eve@x.fr,<script>alert(1)</script>,en\r\n"  # 6 markup
    "fay@x.fr,Fay,de\r\n"  # 7 unknown locale
    "ANN@x.fr,Ann again,fr\r\n"  # 8 duplicate
    "\r\n"  # 9 blank: skipped
    "gus@x.fr,Gus,\r\n"  # 10 good, the shop's locale
    f"hal@x.fr,{'H' * 300},en\r\n"  # 11 name too long
    "i\x00n@x.fr,Ian,en\r\n"  # 12 NUL
    "@x.fr,Nobody,en\r\n"  # 13
)


async def test_an_uploaded_list_reports_each_bad_line_and_sends_to_the_good_ones(
    api: httpx.AsyncClient, shop_and_key, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    shop = shop_and_key[0]
    await admin(api, shop)
    prepared = await prepare(api, "thermometer", "list", HOSTILE.encode())
    assert prepared.status_code == 303
    page = await api.get(prepared.headers["location"])
    doc = lxml.html.fromstring(page.text)
    refused = {int(row.get("data-line")) for row in doc.xpath("//tr[@data-line]")}
    assert refused == {3, 4, 5, 6, 7, 8, 11, 12, 13}
    assert "<script>" not in page.text.split('id="line-errors"')[0]
    assert figures(page.text)["recipients"] == "2"
    assert figures(page.text)["to-send"] == "2"
    assert sorted(doc.xpath("//@data-preview-locale")) == ["fr"]  # the shop's and Ann's

    campaign = await Campaign.get(shop=shop)
    csrf = csrf_of(page.text)
    await api.post(f"/admin/campaigns/{campaign.id}", data={"csrf": csrf, "action": "send"})
    await Worker(settings).run_once()
    sent = {payload["to"]: payload for payload in await emails()}
    assert sorted(sent) == ["ann@x.fr", "gus@x.fr"]
    assert "aimerait" in sent["ann@x.fr"]["subject"]
    ann = await Customer.get(shop=shop, email="ann@x.fr")
    assert (ann.name, ann.locale) == ("Ann", "fr")
    # Erasing a customer (GDPR) takes them out of the shop's campaign lists too.
    assert (await api.delete("/api/v1/customers/ann@x.fr")).status_code in (200, 204)
    kept = await CampaignRecipient.filter(campaign=campaign).order_by("id").values("email", "name")
    assert kept == [
        {"email": f"erased-{ann.id}@invalid", "name": ""},
        {"email": "gus@x.fr", "name": "Gus"},
    ]


async def test_unreadable_lists_and_forged_forms_store_nothing(
    api: httpx.AsyncClient, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    shop = shop_and_key[0]
    await admin(api, shop)
    for csv in (b"", b"name,locale\nAnn,fr\n", "email\nann@x.fr\n".encode("utf-16")):
        answer = await prepare(api, "nps", "list", csv)
        assert answer.status_code == 422
        assert 'role="alert"' in answer.text
    too_long = "email\n" + "".join(f"c{n}@x.fr\n" for n in range(20_001))
    assert (await prepare(api, "nps", "list", too_long.encode())).status_code == 422
    assert (await prepare(api, "poll", "segment:all")).status_code == 422
    assert (await prepare(api, "nps", "segment:vip")).status_code == 422
    forged = await api.post(
        "/admin/campaigns",
        data={"kind": "nps", "audience": "list"},
        files={"file": ("l.csv", b"email\nann@x.fr\n", "text/csv")},
    )
    assert forged.status_code == 403
    assert await Campaign.all().count() == await CampaignRecipient.all().count() == 0
    # A semicolon list (French spreadsheets) is read as well.
    ok = await prepare(api, "nps", "list", b"email;name;locale\nann@x.fr;Ann;fr\n")
    assert ok.status_code == 303
    assert await CampaignRecipient.filter(email="ann@x.fr", name="Ann", locale="fr").exists()
    draft = await Campaign.get()
    csrf = csrf_of((await api.get(ok.headers["location"])).text)
    await api.post(ok.headers["location"], data={"csrf": csrf, "action": "resend"})
    assert (await Campaign.get(id=draft.id)).state == "draft"
    assert await OutboxMessage.all().count() == 0
    await api.post(ok.headers["location"], data={"csrf": csrf, "action": "discard"})
    assert await Campaign.all().count() == await CampaignRecipient.all().count() == 0


async def test_agents_and_other_shops_cannot_reach_campaigns(
    api: httpx.AsyncClient, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    from feedback_service.shops.services import create_shop

    other, _ = await create_shop("Other", "other-shop")
    foreign = await Campaign.create(shop=other, kind="nps", audience="segment:all")
    shop = shop_and_key[0]
    await admin(api, shop)
    assert (await api.get(f"/admin/campaigns/{foreign.id}")).status_code == 404
    await api.post("/admin/logout", data={"csrf": csrf_of((await api.get("/admin")).text)})
    await create_user(shop, "agent@shop.fr", PASSWORD)
    await log_in(api, "agent@shop.fr", PASSWORD)
    assert (await api.get("/admin/campaigns")).status_code == 403
    assert "/admin/campaigns" not in (await api.get("/admin/inbox")).text
