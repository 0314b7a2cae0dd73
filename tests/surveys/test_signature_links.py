"""The signature and receipt link builder: HTML with one-click links that work, a QR code
that encodes the survey page, and links that outlive the 30 days of an email's."""

from __future__ import annotations

import io
import time
from unittest import mock

import httpx
import lxml.html
import segno
from admin_helpers import csrf_of, log_in
from itsdangerous import TimestampSigner
from PIL import Image

from feedback_service.settings import Settings
from feedback_service.shops.services import create_user
from feedback_service.surveys import signature
from feedback_service.surveys.models import Invitation

PASSWORD = "correct horse battery"


async def make_link(api: httpx.AsyncClient, shop, kind: str, locale: str) -> str:  # type: ignore[no-untyped-def]
    await create_user(shop, "boss@shop.fr", PASSWORD, role="admin")
    await log_in(api, "boss@shop.fr", PASSWORD)
    csrf = csrf_of((await api.get("/admin/survey-links")).text)
    made = await api.post(
        "/admin/survey-links", data={"csrf": csrf, "kind": kind, "locale": locale}
    )
    assert made.status_code == 303
    return made.headers["location"]


def qr_modules(png: bytes) -> list[list[bool]]:
    """The dark modules of a QR image made at signature.QR_SCALE, quiet zone removed."""
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    gray = image.convert("L")
    scale, border = signature.QR_SCALE, signature.QR_BORDER
    size = gray.width // scale - 2 * border
    return [
        [
            gray.getpixel(((border + x) * scale + scale // 2, (border + y) * scale + scale // 2))
            < 128
            for x in range(size)
        ]
        for y in range(size)
    ]


async def test_the_signature_snippet_has_one_click_links_that_answer(
    api: httpx.AsyncClient, shop_and_key, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    where = await make_link(api, shop_and_key[0], "thermometer", "en")
    page = await api.get(where)
    assert page.status_code == 200
    doc = lxml.html.fromstring(page.text)
    snippet = doc.xpath("//textarea[@id='signature-html']")[0].text
    pasted = lxml.html.fromstring(snippet)
    # Mail clients keep inline styles only: no <style>, no class, no image.
    assert not pasted.xpath("//style|//img|//script|//@class")
    links = pasted.xpath("//a/@href")
    assert len(links) == 4 and all(link.startswith(f"{settings.base_url}/s/") for link in links)
    assert all(a.get("style") for a in pasted.xpath("//a"))
    for link in links:
        answer = await api.get(link, headers={"Accept-Language": "fr"})
        assert answer.status_code == 200
        assert "Thank you for your answer!" in answer.text  # in the link's language, en
    invitation = await Invitation.get(reusable=True)
    assert invitation.kind == "thermometer" and invitation.locale == "en"
    # The same snippet is shown, ready to use, above the textarea.
    assert doc.xpath("//*[@id='signature-preview']//a/@href") == links


async def test_the_qr_code_is_a_png_of_the_survey_page(
    api: httpx.AsyncClient, shop_and_key, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    where = await make_link(api, shop_and_key[0], "nps", "fr")
    doc = lxml.html.fromstring((await api.get(where)).text)
    page_url = doc.xpath("//section[@id='receipt']//a[starts-with(@href, 'http')]/@href")[0]
    qr = await api.get(f"{where}/qr.png")
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/png"
    expected = segno.make(page_url, error="m")
    assert qr_modules(qr.content) == [[bool(m) for m in row] for row in expected.matrix]
    survey = await api.get(page_url)
    assert survey.status_code == 200
    choices = lxml.html.fromstring(survey.text).xpath("//a[contains(@class, 'chip')]/@href")
    assert [c.rsplit("/", 1)[1] for c in choices] == [str(n) for n in range(11)]
    assert "Quelle est la probabilité" in survey.text
    answered = await api.get(choices[9])
    assert "Merci pour votre réponse" in answered.text
    # Another shop's admin, or a made-up id, gets nothing.
    assert (await api.get(where.rsplit("/", 1)[0] + "/999999/qr.png")).status_code == 404


async def test_a_reusable_link_outlives_an_email_link(
    api: httpx.AsyncClient, shop_and_key, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    shop = shop_and_key[0]
    links = api._transport.app.state.links  # type: ignore[attr-defined]
    reusable = await Invitation.create(shop=shop, kind="csat", locale="en", reusable=True)
    personal = await Invitation.create(shop=shop, kind="csat", locale="en")
    a_year_ago = int(time.time()) - 365 * 24 * 3600
    with mock.patch.object(TimestampSigner, "get_timestamp", return_value=a_year_ago):
        old_link = links.survey_token(reusable.id, shop.id, reusable=True)
        old_email = links.survey_token(personal.id, shop.id)
    assert (await api.get(f"/s/{old_link}/5")).status_code == 200
    assert (await api.get(f"/s/{old_link}")).status_code == 200
    expired = await api.get(f"/s/{old_email}/5")
    assert expired.status_code in (400, 404) and "Thank you" not in expired.text
