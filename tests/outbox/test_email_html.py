"""What the emails look like in any mail client: valid HTML, readable buttons that Outlook
keeps, the shop's logo and colour, a preheader, a title, French spacing."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import lxml.html
import pytest
from babel.messages.pofile import read_po
from html_helpers import assert_valid_html

from feedback_service.colors import contrast
from feedback_service.shops.models import Shop
from feedback_service.surveys.kinds import KINDS
from feedback_service.templating import render

ROOT = Path(__file__).resolve().parents[2]
FRENCH_CATALOGUES = [
    ROOT / package / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
    for package in ("feedback_service", "widgets")
]
BRANDS = ("#2563eb", "#fde047", "#ffffff", "#111827", "#16a34a")


def _shop(**fields: object) -> Shop:
    return Shop(name="Maison Dupont", slug="dupont", **fields)


def _emails(shop: Shop, locale: str) -> dict[str, str]:
    review = SimpleNamespace(author_name="Zoé", title="", body="Trop petit.")
    draw = SimpleNamespace(prize="Un bon de 50 €", rules_url="https://shop.example/rules")
    product = SimpleNamespace(name="Mug")
    emails = {
        "review_request": render(
            "emails/review_request.html",
            locale,
            shop=shop,
            customer_name="Zoé",
            products=[product],
            url="https://x.example/r",
            unsubscribe_url="https://x.example/u",
            reminder=False,
        ),
        "contact": render(
            "emails/contact.html", locale, shop=shop, subject="Votre colis", body="Bonjour\nZoé"
        ),
        "review_rejected": render(
            "emails/review_rejected.html", locale, shop=shop, review=review, reason="spam"
        ),
        "draw_winner": render(
            "emails/draw_winner.html",
            locale,
            shop=shop,
            draw=draw,
            name="Zoé",
            entry=7,
            verify_url="https://x.example/d",
        ),
    }
    for kind in KINDS.values():
        emails[f"invitation_{kind.name}"] = _invitation(shop, kind.name, locale)
    return emails


def _invitation(shop: Shop, kind: str, locale: str, template: str = "html") -> str:
    choices = [(c, f"https://x.example/s/t/{c.key}") for c in KINDS[kind].choices]
    return render(
        f"emails/invitation.{template}",
        locale,
        shop=shop,
        customer_name="Zoé",
        question="Recommanderiez-vous Maison Dupont ?",
        kind=KINDS[kind],
        choices=choices,
        unsubscribe_url="https://x.example/u",
    )


def _buttons(html: str) -> list[tuple[lxml.html.HtmlElement, lxml.html.HtmlElement]]:
    doc = lxml.html.document_fromstring(html)
    return [(td, td.find("a")) for td in doc.xpath("//td[@bgcolor][a]")]


def _style(element: lxml.html.HtmlElement, name: str) -> str:
    found = re.search(rf"(?:^|;)\s*{name}\s*:\s*([^;]+)", element.get("style", ""))
    return found[1].strip() if found else ""


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_every_email_is_valid_html_with_title_preheader_logo_and_colour(locale: str) -> None:
    shop = _shop(brand_color="#7c3aed", logo_url="https://shop.example/logo.png")
    for name, html in _emails(shop, locale).items():
        doc = assert_valid_html(html)
        assert doc.findtext("head/title").strip(), name
        assert 'name="color-scheme"' not in html, name  # no dark-mode claim without dark styles
        preheader = doc.xpath("//body/div[contains(@style, 'display:none')]")[0]
        assert preheader.text_content().strip(), name
        assert "border-top:4px solid #7c3aed" in html, name
        logo = doc.xpath("//img[@src='https://shop.example/logo.png']")[0]
        assert logo.get("alt") == "Maison Dupont", name
        # Outlook: a fixed 600 px table around the card.
        assert '<!--[if mso]><table role="presentation" width="600"' in html, name
    without_logo = _emails(_shop(), locale)["contact"]
    assert "<img" not in without_logo and "Maison Dupont" in without_logo


@pytest.mark.parametrize("brand", BRANDS)
@pytest.mark.parametrize("neutral", [True, False])
def test_buttons_are_bulletproof_and_their_text_reads_at_4_5_to_1(
    brand: str, neutral: bool
) -> None:
    shop = _shop(brand_color=brand, neutral_nps_buttons=neutral)
    emails = _emails(shop, "en")
    buttons = [
        b
        for name in ("review_request", *[f"invitation_{k}" for k in KINDS])
        for b in _buttons(emails[name])
    ]
    assert len(buttons) == 1 + 4 + 11 + 5
    for td, link in buttons:
        background = td.get("bgcolor")
        assert _style(td, "background-color") == background  # on the cell, not the link
        assert _style(td, "mso-padding-alt"), "Outlook ignores padding on links"
        text = _style(link, "color")
        assert contrast(text, background) >= 4.5, (link.text, text, background)


def test_nps_buttons_are_neutral_by_default() -> None:
    assert _shop().neutral_nps_buttons is True
    neutral = {td.get("bgcolor") for td, _ in _buttons(_invitation(_shop(), "nps", "en"))}
    assert neutral == {"#2563eb"}
    coloured = _buttons(_invitation(_shop(neutral_nps_buttons=False), "nps", "en"))
    assert {td.get("bgcolor") for td, _ in coloured} == {"#b91c1c", "#a16207", "#15803d"}


def test_french_text_has_a_narrow_no_break_space_before_double_punctuation() -> None:
    text = _invitation(_shop(), "nps", "fr", template="txt")
    assert "ou se désabonner\u202f: https://x.example/u" in text
    assert "10\u202f: https://x.example/s/t/10" in text
    for po in FRENCH_CATALOGUES:
        with po.open("rb") as f:
            catalogue = read_po(f, locale="fr")
        for message in catalogue:
            if message.id and isinstance(message.string, str):
                plain = re.sub(r"%\(\w+\)[sd]|https?://", "", message.string)
                for found in re.finditer(r"[:;?!]", plain):
                    before = plain[found.start() - 1] if found.start() else ""
                    assert before == "\u202f", (message.id, message.string)


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_the_rejection_email_shows_no_empty_title(locale: str) -> None:
    review = SimpleNamespace(author_name="Zoé", title="", body="Trop petit.")
    for template in ("html", "txt"):
        text = render(
            f"emails/review_rejected.{template}", locale, shop=_shop(), review=review, reason="spam"
        )
        assert '""' not in text and "«\u00a0\u00a0»" not in text and "“”" not in text
        assert "Trop petit." in text
    review.title = "Déçue"
    french = render("emails/review_rejected.txt", "fr", shop=_shop(), review=review, reason="spam")
    assert "Votre avis\u202f: «\u00a0Déçue\u00a0» — Trop petit." in french


def test_csat_says_dissatisfied() -> None:
    english = _invitation(_shop(), "csat", "en")
    assert "Very dissatisfied" in english and "nsatisfied" not in english
