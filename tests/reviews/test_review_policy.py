"""The review policy page states what French law (L111-7-2, D111-17 to D111-19) and ISO 20488
ask, with the shop's own settings, in English and French; the settings are edited in
/admin/settings; pending reviews older than the stated maximum are flagged in /admin/reviews."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import lxml.html
import pytest
from admin_helpers import csrf_of, log_in
from markup_helpers import visible_text
from peers import SmtpSink
from review_helpers import order_with_request, product_ids

from feedback_service.i18n import gettext
from feedback_service.orders.models import Product
from feedback_service.reviews import draws
from feedback_service.reviews.models import Review
from feedback_service.reviews.moderation import REASON_LABELS
from feedback_service.reviews.schemas import REJECTION_REASONS
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user
from feedback_service.worker import Worker

# Each statement the law asks for, with the shop's values (publication within 10 days,
# kept 3 years) filled in.
STATEMENTS = {
    "en": {
        "verified purchase": "only the link in that email opens the review form",
        "checked by a person": "A person reads every review before it is published.",
        "every rating": "All ratings are published, good or bad",
        "maximum time": "A review is published or refused within 10 days of being written.",
        "refusal told": "When a review is refused, its author is told why by email.",
        "ranking": "By default the most recent reviews come first.",
        "dates": "the date it was published and the date of the purchase or delivery",
        "no payment": "Nobody is paid to write a review",
        "no reward": "No reward is given for writing a review at the moment.",
        "reply": "Boutique Test may reply publicly to any review",
        "never edited": "Boutique Test never changes the rating or the text of a review.",
        "withdraw and edit": "The email that confirms your review carries a private link",
        "retention": "Published reviews stay online for 3 years after their publication",
    },
    "fr": {
        "verified purchase": "seul le lien de cet e-mail ouvre le formulaire d'avis",
        "checked by a person": "Une personne lit chaque avis avant sa publication.",
        "every rating": "Toutes les notes sont publiées, bonnes ou mauvaises",
        "maximum time": "Un avis est publié ou refusé dans un délai de 10 jours après son dépôt.",
        "refusal told": "Quand un avis est refusé, son auteur en reçoit la raison par e-mail.",
        "ranking": "Par défaut, les avis les plus récents apparaissent en premier",
        "dates": "sa date de publication et la date de l'achat ou de la livraison",
        "no payment": "Personne n'est payé pour écrire un avis",
        "no reward": "Aucune contrepartie n'est offerte pour un avis en ce moment.",
        "reply": "Boutique Test peut répondre publiquement à tout avis",
        "never edited": "Boutique Test ne modifie jamais la note ni le texte d'un avis.",
        "withdraw and edit": "L'e-mail qui confirme votre avis contient un lien privé",
        "retention": "Les avis publiés restent en ligne 3 ans après leur publication",
    },
}
DRAW_STATEMENT = {
    "en": "every customer who writes a review enters a prize draw, whatever their rating: "
    "Un panier garni.",
    "fr": "chaque client qui écrit un avis participe à un tirage au sort, quelle que soit sa "
    "note : Un panier garni.",
}
AUTOMATIC_CHECK = {
    "en": "Reviews are published as soon as they are written, unless an automatic check",
    "fr": "Les avis sont publiés dès qu'ils sont écrits, sauf si un contrôle automatique",
}


async def submit_form(client: httpx.AsyncClient, url: str, title: str) -> None:
    """The customer rates the kettle (1 star) with a title, as in the form."""
    form = await client.get(url)
    first = product_ids(form.text)[0]
    data = {
        f"{first}_rating": "1",
        f"{first}_title": title,
        "display_name": "M. C.",
        "consent": "yes",
    }
    assert (await client.post(url, data=data)).status_code == 303


async def admin(client: httpx.AsyncClient, shop: Shop) -> str:
    await create_user(shop, "boss@shop.fr", "correct horse battery", role="admin")
    await log_in(client, "boss@shop.fr", "correct horse battery")
    return csrf_of((await client.get("/admin/settings")).text)


def general_form(csrf: str, **changes: str) -> dict[str, str]:
    return {
        "csrf": csrf,
        "name": "Boutique Test",
        "brand_color": "#2563eb",
        "locale": "fr",
        "throttle_days": "30",
        "sla_hours": "24",
        "review_delay_days": "7",
        **changes,
    }


async def policy_text(client: httpx.AsyncClient, locale: str) -> tuple[str, lxml.html.HtmlElement]:
    answer = await client.get("/w/test-shop/review-policy", params={"lang": locale})
    assert answer.status_code == 200
    return visible_text(answer.text), lxml.html.fromstring(answer.text)


async def test_defaults_are_seven_days_and_five_years(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    text, _ = await policy_text(client, "en")
    assert "published or refused within 7 days of being written" in text
    assert "stay online for 5 years after their publication" in text


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_policy_page_states_each_promise_with_the_shops_settings(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str], locale: str
) -> None:
    shop = shop_and_key[0]
    csrf = await admin(client, shop)
    saved = await client.post(
        "/admin/settings/general",
        data=general_form(csrf, review_publication_days="10", review_retention_years="3"),
    )
    assert saved.status_code == 303
    settings_page = (await client.get("/admin/settings")).text
    assert 'name="review_publication_days" inputmode="numeric" value="10"' in settings_page
    assert 'name="review_retention_years" inputmode="numeric" value="3"' in settings_page

    text, doc = await policy_text(client, locale)
    missing = {name: s for name, s in STATEMENTS[locale].items() if s not in text}
    assert missing == {}
    assert doc.get("lang") == locale
    # The reasons are the moderation's own, every one of them, in the page's language.
    reasons = [li.text_content() for li in doc.xpath('//*[@id="refused"]/following::ul[1]/li')]
    assert reasons == [gettext(locale, REASON_LABELS[key]) for key in REJECTION_REASONS]
    assert len(reasons) == 6 and (locale == "en" or reasons[0] != REASON_LABELS["abusive"])

    # A prize draw open now: the reward is named, with the page that lets anyone check it.
    draw = await draws.create_draw(
        shop,
        period_start=datetime.now(UTC) - timedelta(days=1),
        period_end=datetime(2099, 7, 1, 0, 0, tzinfo=UTC) - timedelta(hours=2),
        prize="Un panier garni",
        rules_url="",
    )
    text, doc = await policy_text(client, locale)
    assert DRAW_STATEMENT[locale] in text and STATEMENTS[locale]["no reward"] not in text
    assert ("June 30, 2099" if locale == "en" else "30 juin 2099") in text
    [link] = doc.xpath('//*[@id="draw"]//a/@href')
    assert link.endswith(f"/w/test-shop/draws/{draw.id}")

    # Published without a person unless the text check flags them: the page says that.
    await Shop.filter(id=shop.id).update(reviews_auto_publish=True)
    text, _ = await policy_text(client, locale)
    assert AUTOMATIC_CHECK[locale] in text
    assert STATEMENTS[locale]["checked by a person"] not in text


async def test_bad_settings_are_refused_and_nothing_changes(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    csrf = await admin(client, shop)
    for name, value in (
        ("review_publication_days", "0"),
        ("review_publication_days", "91"),
        ("review_publication_days", "7.5"),
        ("review_publication_days", "٣"),
        ("review_retention_years", "0"),
        ("review_retention_years", "21"),
        ("review_retention_years", "-1"),
        ("review_retention_years", "9" * 50),
    ):
        refused = await client.post(
            "/admin/settings/general", data=general_form(csrf, name="Autre nom", **{name: value})
        )
        assert refused.status_code == 422, (name, value)
    kept = await Shop.get(id=shop.id)
    assert (kept.name, kept.review_publication_days, kept.review_retention_years) == (
        "Boutique Test",
        7,
        5,
    )


async def test_pending_reviews_older_than_the_promise_are_flagged(
    client: httpx.AsyncClient, shop_and_key: tuple[Shop, str]
) -> None:
    shop = shop_and_key[0]
    product = await Product.create(shop=shop, sku="K", name="Bouilloire", url="https://x.fr/k")
    now = datetime.now(UTC)
    for title, days, status in (
        ("Vieux en attente", 9, "pending"),
        ("Très vieux en attente", 30, "pending"),
        ("Récent en attente", 2, "pending"),
        ("Vieux publié", 40, "published"),
    ):
        await Review.create(
            shop=shop,
            product=product,
            rating=4,
            title=title,
            author_name="Client",
            status=status,
            submitted_at=now - timedelta(days=days),
            published_at=now if status == "published" else None,
        )
    await admin(client, shop)
    page = await client.get("/admin/reviews", headers={"Accept-Language": "fr"})
    doc = lxml.html.fromstring(page.text)
    [banner] = doc.xpath('//*[@id="late-reviews"]')
    assert " ".join(banner.text_content().split()) == (
        "En attente depuis plus longtemps que ne le promet votre politique d'avis (7 jour(s)) : 2"
    )
    late = {
        a.xpath(".//p/strong[not(contains(., '★'))]")[0].text_content()
        for a in doc.xpath('//article[contains(@class, "late")]')
    }
    assert late == {"Vieux en attente", "Très vieux en attente"}
    marks = [
        " ".join(mark.split())
        for mark in doc.xpath('//article[contains(@class, "late")]/p[@class="error"]/text()')
    ]
    assert marks == ["En retard : en attente depuis plus de 7 jour(s)"] * 2
    # The oldest first, so the late ones lead the queue.
    titles = [t.strip() for t in doc.xpath("//article/p/strong[not(contains(., '★'))]/text()")]
    assert titles == ["Très vieux en attente", "Vieux en attente", "Récent en attente"]

    await Shop.filter(id=shop.id).update(review_publication_days=1)
    english = lxml.html.fromstring((await client.get("/admin/reviews")).text)
    [banner] = english.xpath('//*[@id="late-reviews"]')
    assert banner.text_content().endswith("(1 day(s)): 3")
    # Published reviews are never flagged, nor is a queue that is on time.
    assert not lxml.html.fromstring(
        (await client.get("/admin/reviews?status=published")).text
    ).xpath('//*[@id="late-reviews"] | //article[contains(@class, "late")]')
    await Shop.filter(id=shop.id).update(review_publication_days=90)
    on_time = lxml.html.fromstring((await client.get("/admin/reviews")).text)
    assert not on_time.xpath('//*[@id="late-reviews"] | //article[contains(@class, "late")]')


async def test_the_confirmation_email_states_the_promise(
    api: httpx.AsyncClient, settings: Settings, smtp: SmtpSink
) -> None:
    """English customer, no draw: what they reviewed, the shop's maximum delay, no receipt;
    published at once (auto-publish): it says so."""
    await Shop.filter(slug="test-shop").update(review_publication_days=4)
    request = await order_with_request(api, "O-EN", locale="en")
    await submit_form(api, request["url"], "Solid kettle")
    await Shop.filter(slug="test-shop").update(reviews_auto_publish=True)
    published = await order_with_request(api, "O-AUTO", locale="en")
    await submit_form(api, published["url"], "Nice mug")
    worker = Worker(settings.model_copy(update={"smtp_url": smtp.url}))
    while await worker.run_once():
        pass
    sent = {
        m["To"]: m.get_body(("plain",)).get_content()
        for m in smtp.parsed()
        if m["Subject"] == "Your review for Boutique Test: thank you"
    }
    assert set(sent) == {"o-en@example.fr", "o-auto@example.fr"}
    pending = sent["o-en@example.fr"]
    assert "A person reads every review before it is published, within 4 days." in pending
    assert "prize draw" not in pending and "receipt" not in pending
    assert "Already online on Boutique Test's website." in sent["o-auto@example.fr"]
    assert "A person reads every review" not in sent["o-auto@example.fr"]
    assert f"{settings.base_url}/w/test-shop/review-policy?lang=en" in pending
