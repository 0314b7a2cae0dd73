"""/admin/settings: admins only; keys shown once and revocable; rules, questions, staff."""

from __future__ import annotations

import re

import httpx
from admin_helpers import csrf_of, log_in

from feedback_service.reviews.models import ReviewQuestion
from feedback_service.shops.models import Shop, StaffUser
from feedback_service.shops.services import create_user


async def admin_client(client: httpx.AsyncClient, shop: Shop) -> str:
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(client, "boss@shop.fr", "correct horse battery")
    return csrf_of((await client.get("/admin/settings")).text)


async def test_agents_cannot_open_settings(client: httpx.AsyncClient, shop_and_key) -> None:  # type: ignore[no-untyped-def]
    await create_user(shop_and_key[0], "agent@shop.fr", "correct horse battery")
    await log_in(client, "agent@shop.fr", "correct horse battery")
    assert (await client.get("/admin/settings")).status_code == 403
    csrf = csrf_of((await client.get("/admin/inbox")).text)
    refused = await client.post("/admin/settings/create-key", data={"csrf": csrf, "name": "x"})
    assert refused.status_code == 403


async def test_new_key_works_once_shown_and_revoked_key_is_refused(
    client: httpx.AsyncClient, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    csrf = await admin_client(client, shop_and_key[0])
    await client.post("/admin/settings/create-key", data={"csrf": csrf, "name": "erp"})
    page = (await client.get("/admin/settings")).text
    key = re.search(r"<code>(fsk_[^<]+)</code>", page).group(1)  # type: ignore[union-attr]
    assert key not in (await client.get("/admin/settings")).text  # shown once
    headers = {"Authorization": f"Bearer {key}"}
    assert (await client.get("/api/v1/responses", headers=headers)).status_code == 200
    key_id = re.findall(r'name="id" value="(\d+)"><button type="submit">Revoke', page)[-1]
    await client.post("/admin/settings/revoke-key", data={"csrf": csrf, "id": key_id})
    assert (await client.get("/api/v1/responses", headers=headers)).status_code == 401


async def test_general_settings_rules_questions_staff(
    client: httpx.AsyncClient, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    shop = shop_and_key[0]
    csrf = await admin_client(client, shop)
    saved = await client.post(
        "/admin/settings/general",
        data={
            "csrf": csrf,
            "name": "Nouvelle Boutique",
            "brand_color": "#112233",
            "locale": "fr",
            "throttle_days": "45",
            "sla_hours": "8",
            "review_delay_days": "10",
            "sender_name": "Service client",
            "sender_email": "sc@shop.fr",
        },
    )
    assert saved.status_code == 303
    shop = await Shop.get(id=shop.id)
    assert (shop.name, shop.throttle_days, shop.sla_hours, shop.review_delay_days) == (
        "Nouvelle Boutique",
        45,
        8,
        10,
    )
    bad = await client.post(
        "/admin/settings/general",
        data={
            "csrf": csrf,
            "name": "X",
            "brand_color": "red",
            "throttle_days": "0",
            "sla_hours": "8",
            "review_delay_days": "1",
        },
    )
    assert bad.status_code == 422 and (await Shop.get(id=shop.id)).name == "Nouvelle Boutique"
    await client.post(
        "/admin/settings/alert-rules",
        data={
            "csrf": csrf,
            "thermometer": ["red"],
            "nps_max": "5",
            "csat_max": "1",
            "review_max_stars": "1",
            "comment_score_max": "-0.6",
        },
    )
    assert (await Shop.get(id=shop.id)).alert_rules["nps_max"] == 5
    await client.post(
        "/admin/settings/add-question",
        data={"csrf": csrf, "label": "Taille", "choices": "Petit / Juste / Grand"},
    )
    assert (await ReviewQuestion.get()).choices == ["Petit", "Juste", "Grand"]
    await client.post(
        "/admin/settings/add-staff",
        data={"csrf": csrf, "email": "new@shop.fr", "password": "long enough pw", "role": "agent"},
    )
    assert await StaffUser.filter(email="new@shop.fr", role="agent").exists()
    forged = await client.post("/admin/settings/add-staff", data={"csrf": "x", "email": "y@z.fr"})
    assert forged.status_code == 403


async def test_surveys_page_and_csv_export(api: httpx.AsyncClient, shop_and_key) -> None:  # type: ignore[no-untyped-def]
    created = await api.post(
        "/api/v1/invitations", json={"survey": "nps", "customer": {"email": "z@x.fr"}}
    )
    inv = created.json()
    await api.get(inv["links"]["3"], headers={"User-Agent": "Proofpoint"})
    await api.post(f"/s/{inv['token']}/comment", data={"comment": "=1+1", "score": "3"})
    other = (
        await api.post(
            "/api/v1/invitations", json={"survey": "nps", "customer": {"email": "w@x.fr"}}
        )
    ).json()
    await api.get(other["links"]["9"], headers={"User-Agent": "LinkChecker/2"})
    await admin_client(api, shop_and_key[0])
    page = await api.get("/admin/surveys")
    assert page.status_code == 200 and "z@x.fr" in page.text and "LinkChecker/2" in page.text
    export = await api.get("/admin/export/responses.csv")
    assert export.headers["content-type"].startswith("text/csv")
    assert "'=1+1" in export.text and "z@x.fr" in export.text
    assert (await api.get("/admin/export/secrets.csv")).status_code == 404


async def test_email_logo_and_neutral_nps_buttons_are_settings(
    client: httpx.AsyncClient, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    shop = shop_and_key[0]
    csrf = await admin_client(client, shop)
    form = {
        "csrf": csrf,
        "name": "Boutique",
        "brand_color": "#112233",
        "throttle_days": "30",
        "sla_hours": "24",
        "review_delay_days": "7",
        "logo_url": " https://shop.example/logo.png ",
    }
    assert (await client.post("/admin/settings/general", data=form)).status_code == 303
    saved = await Shop.get(id=shop.id)
    assert saved.logo_url == "https://shop.example/logo.png" and not saved.neutral_nps_buttons
    page = (await client.get("/admin/settings")).text
    assert 'name="logo_url" type="url"' in page and 'value="https://shop.example/logo.png"' in page
    for hostile in (
        "javascript:alert(1)",
        'https://x.example/a" onerror="x',
        "http://plain.example/l.png",
    ):
        refused = await client.post(
            "/admin/settings/general",
            data={**form, "logo_url": hostile, "neutral_nps_buttons": "yes"},
        )
        assert refused.status_code == 422 and "https:// address of an image" in refused.text
        assert (await Shop.get(id=shop.id)).logo_url == "https://shop.example/logo.png"
    await client.post(
        "/admin/settings/general", data={**form, "logo_url": "", "neutral_nps_buttons": "yes"}
    )
    saved = await Shop.get(id=shop.id)
    assert saved.logo_url == "" and saved.neutral_nps_buttons


async def test_surveys_page_goes_back_a_page_at_a_time(
    client: httpx.AsyncClient, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    from feedback_service.surveys.models import Invitation, Response
    from feedback_service.surveys.services import PAGE_SIZE

    shop = shop_and_key[0]
    for n in range(PAGE_SIZE + 5):
        invitation = await Invitation.create(shop=shop, kind="nps", locale="fr")
        await Response.create(
            shop=shop,
            invitation=invitation,
            kind="nps",
            score=n % 11,
            comment=f"answer {n}",
            dedupe_key=f"inv:{invitation.id}",
        )
    await admin_client(client, shop)
    first = await client.get("/admin/surveys?survey=nps")
    assert f"answer {PAGE_SIZE + 4}<" in first.text and "answer 4<" not in first.text
    assert "Clicks not confirmed" in first.text
    older = re.search(r'<a rel="next" href="\?([^"]+)"', first.text)[1]  # type: ignore[index]
    second = await client.get(f"/admin/surveys?{older.replace('&amp;', '&')}")
    assert second.status_code == 200 and "answer 4<" in second.text and "answer 0<" in second.text
    assert f"answer {PAGE_SIZE + 4}<" not in second.text and 'rel="next"' not in second.text
    assert "Clicks not confirmed" not in second.text  # the clicks are on the first page only
    bad = await client.get("/admin/surveys?cursor=%%%")
    assert bad.status_code in (400, 422)
