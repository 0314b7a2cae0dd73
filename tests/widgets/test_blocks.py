"""Every block kind passes Google's rules (the markup checker) and says what the data says."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from markup_helpers import (
    all_types,
    as_list,
    assert_markup_ok,
    check,
    microdata,
    products,
    visible_text,
)
from widget_samples import CANONICAL, DRAW, PAGE, POLICY, PRODUCT, REVIEWS, SHOP, SUMMARY

import widgets
from widgets import PageInfo, Summary

EMPTY = Summary(value=None, count=0, distribution={})


def squash(text: str) -> str:
    return " ".join(text.split())


def block(locale: str = "en", **changes: object) -> str:
    args: dict[str, object] = {
        "shop": SHOP,
        "product": PRODUCT,
        "summary": SUMMARY,
        "reviews": REVIEWS,
        "page": PAGE,
        "locale": locale,
    }
    args.update(changes)
    return widgets.render_reviews_block(**args)  # type: ignore[arg-type]


def product_page(locale: str = "en", **changes: object) -> str:
    args: dict[str, object] = {
        "shop": SHOP,
        "product": PRODUCT,
        "summary": SUMMARY,
        "reviews": REVIEWS,
        "page": PAGE,
        "canonical_url": CANONICAL,
        "locale": locale,
    }
    args.update(changes)
    return widgets.render_product_page(**args)  # type: ignore[arg-type]


def shop_page(locale: str = "en") -> str:
    return widgets.render_shop_page(
        SHOP,
        REVIEWS,
        PAGE,
        locale,
        SUMMARY,
        products={PRODUCT.sku: PRODUCT},
        product_summaries={PRODUCT.sku: SUMMARY},
    )


# ---- the markup checker -------------------------------------------------------------


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_reviews_block_passes_the_checker(locale: str, tmp_path: Path) -> None:
    report = assert_markup_ok(block(locale), "reviews", tmp_path)
    assert "4.3 from 27, 5 reviews" in report


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_head_passes_the_checker(locale: str, tmp_path: Path) -> None:
    html = widgets.render_head(SHOP, PRODUCT, SUMMARY, CANONICAL, locale)
    assert_markup_ok(html, "head", tmp_path)


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_product_page_passes_the_checker(locale: str, tmp_path: Path) -> None:
    assert_markup_ok(product_page(locale), "page", tmp_path)


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_shop_page_passes_the_checker(locale: str, tmp_path: Path) -> None:
    assert_markup_ok(shop_page(locale), "page", tmp_path)


def test_head_without_product_image_falls_back_to_the_shop_logo(tmp_path: Path) -> None:
    shop = replace(SHOP, logo_url="https://shop.example.com/logo.png")
    html = widgets.render_head(shop, replace(PRODUCT, image_url=None), SUMMARY, CANONICAL, "en")
    assert_markup_ok(html, "head", tmp_path)
    assert 'content="https://shop.example.com/logo.png"' in html


# ---- the markup says what the data says -----------------------------------------------


def test_aggregate_and_reviews_match_the_data() -> None:
    html = block("fr")
    [product] = products(html)
    assert product["name"] == PRODUCT.name
    assert product["sku"] == PRODUCT.sku
    assert product["gtin"] == PRODUCT.gtin
    assert product["brand"]["name"] == PRODUCT.brand
    aggregate = product["aggregateRating"]
    assert aggregate["ratingValue"] == "4.3"  # 4.25 rounds half up, dot decimal
    assert aggregate["reviewCount"] == str(SUMMARY.count)
    assert (aggregate["bestRating"], aggregate["worstRating"]) == ("5", "1")
    marked = as_list(product["review"])
    assert [r["reviewBody"] for r in marked] == [squash(r.body) for r in REVIEWS]
    assert [r["name"] for r in marked] == [r.title for r in REVIEWS]
    assert [r["author"]["name"] for r in marked] == [r.author_name for r in REVIEWS]
    assert [r["author"]["@type"] for r in marked] == ["Person"] * len(REVIEWS)
    assert [r["reviewRating"]["ratingValue"] for r in marked] == [str(r.rating) for r in REVIEWS]
    assert [r["datePublished"] for r in marked] == [
        r.published_at.date().isoformat() for r in REVIEWS
    ]


def test_visible_rating_is_the_marked_up_rating() -> None:
    doc = lxml.html.fromstring(block("fr"))
    [value] = doc.xpath('//*[@itemprop="ratingValue" and @content="4.3"]')
    assert value.text_content() == "4,3"  # French shows a comma; markup keeps the dot
    [count] = doc.xpath('//*[@itemprop="reviewCount"]')
    assert count.text_content() == "27" and count.get("content") == "27"
    english = lxml.html.fromstring(block("en"))
    [value] = english.xpath('//*[@itemprop="ratingValue" and @content="4.3"]')
    assert value.text_content() == "4.3"


def test_every_review_is_visible() -> None:
    text = visible_text(block())
    for review in REVIEWS:
        assert " ".join(review.body.split()) in text
        assert review.title in text


def test_zero_reviews_has_no_rating_markup_at_all() -> None:
    html = block(summary=EMPTY, reviews=(), page=replace(PAGE, page=1, pages=0))
    assert "AggregateRating" not in all_types(microdata(html))
    assert "Review" not in all_types(microdata(html))
    assert "itemprop" not in html and "itemscope" not in html
    assert "No reviews yet." in visible_text(html)
    assert "How reviews are collected and checked" in html
    # Google wants a rating, review or offer on a Product: with none, no Product either,
    # so the checker has nothing to validate (and says so) rather than an empty rating.
    report = check(html, "reviews").text()
    assert "no schema.org Product found" in report
    assert "aggregateRating" not in report


def test_zero_reviews_in_french_and_the_badge() -> None:
    assert "Pas encore d'avis." in visible_text(block("fr", summary=EMPTY, reviews=()))
    badge = widgets.render_badge(SHOP, PRODUCT, EMPTY, "fr")
    assert "Pas encore d'avis" in visible_text(badge)
    assert "itemscope" not in badge


def test_no_organization_rating_anywhere() -> None:
    for html in (block(), product_page(), shop_page()):
        types = all_types(microdata(html))
        assert not types & {"Organization", "LocalBusiness", "OnlineStore", "Store"}


def test_shop_page_nests_each_review_in_its_product() -> None:
    html = shop_page()
    items = products(html)
    assert len(items) == len(REVIEWS)
    for item, review in zip(items, REVIEWS, strict=True):
        assert item["name"] == review.product_name
        assert item["aggregateRating"]["reviewCount"] == "27"
        assert as_list(item["review"])[0]["reviewBody"] == squash(review.body)
    text = visible_text(html)
    assert "Average rating 4.3/5 from 27 reviews" in text  # the shop's, as text only
    assert text.count("Review of Stovetop kettle 1.5 L") == len(REVIEWS)
    assert f'href="{PRODUCT.url}"' in html
    canonical = lxml.html.fromstring(html).xpath('//link[@rel="canonical"]/@href')
    assert canonical == [f"{PAGE.base_url}?page=2"]


def test_shop_page_without_product_summaries_has_no_markup() -> None:
    html = widgets.render_shop_page(SHOP, REVIEWS, PAGE, "en", SUMMARY)
    assert microdata(html) == []
    assert "Review of Stovetop kettle 1.5 L" in visible_text(html)


def test_long_author_names_are_cut_below_100_characters_in_markup_and_text() -> None:
    long_name = "Bartholomew " * 20
    html = block(reviews=(replace(REVIEWS[0], author_name=long_name),))
    [product] = products(html)
    name = as_list(product["review"])[0]["author"]["name"]
    assert len(name) < 100 and name.endswith("…")
    assert name in visible_text(html)


# ---- what readers see ------------------------------------------------------------------


def test_english_review_details() -> None:
    text = visible_text(block("en"))
    assert "Rated 5 out of 5" in block("en")
    assert "Published on March 12, 2024" in text
    assert "Experience date: March 2, 2024" in text
    assert "Verified purchase" in text
    assert "Unverified" in text
    assert "Reviewer entered a prize draw" in text
    assert "Reply from Maison Dupont" in text
    assert "Helpful (3)" in text
    assert "Would you recommend it? Yes" in text
    assert "How reviews are collected and checked" in text


def test_french_review_details() -> None:
    html = block("fr")
    text = visible_text(html)
    assert 'aria-label="Noté 4 sur 5"' in html
    assert "Publié le 12 mars 2024" in text
    assert "Date de l'expérience 2 mars 2024" not in text
    assert "Date de l'expérience\u202f: <time" in html  # French spacing before the colon
    assert "Date de l'expérience : 2 mars 2024" in text
    assert "Achat vérifié" in text
    assert "Non vérifié" in text
    assert "L'auteur a participé à un tirage au sort" in text
    assert "Réponse de Maison Dupont" in text
    assert "Utile (3)" in text
    assert "Comment les avis sont collectés et contrôlés" in text
    assert 'lang="fr"' in html


def test_unknown_locale_falls_back_to_english() -> None:
    assert block("de") == block("en")
    assert "Achat vérifié" in block("fr-FR")


def test_photos_are_lazy_images_with_alt_text() -> None:
    doc = lxml.html.fromstring(block())
    images = doc.xpath('//ul[@class="fs-photos"]//img')
    assert [img.get("src") for img in images] == list(REVIEWS[0].photos)
    assert all(img.get("loading") == "lazy" and img.get("alt") for img in images)


def test_helpful_vote_is_a_post_form_without_javascript() -> None:
    doc = lxml.html.fromstring(block())
    forms = doc.xpath("//form")
    assert len(forms) == len(REVIEWS)
    assert forms[0].get("method") == "post"
    assert forms[0].get("action") == "https://reviews.example.com/w/demo-shop/reviews/101/helpful"
    assert forms[0].xpath("string(.//button)") == "Helpful (3)"
    assert "<script" not in product_page()


def test_pagination_sort_and_language_links() -> None:
    doc = lxml.html.fromstring(block())
    base = PAGE.base_url
    [prev] = doc.xpath('//a[@rel="prev"]')
    [next_] = doc.xpath('//a[@rel="next"]')
    assert prev.get("href") == f"{base}?page=1&sort=recent"
    assert next_.get("href") == f"{base}?page=3&sort=recent"
    sorts = [a.get("href") for a in doc.xpath('//nav[@class="fs-toolbar"]//a')][:4]
    assert sorts == [f"{base}?page=1&sort={s}" for s in widgets.SORTS]
    current = doc.xpath('//a[@aria-current="true"]/text()')
    assert current == ["Most recent", "All languages"]
    [french] = doc.xpath('//a[@hreflang="fr"]')
    assert french.get("href") == f"{base}?page=1&sort=recent&lang=fr"
    assert french.text_content() == "Français"


def test_first_and_last_pages_have_one_rel_link() -> None:
    first = lxml.html.fromstring(block(page=replace(PAGE, page=1)))
    assert not first.xpath('//a[@rel="prev"]') and first.xpath('//a[@rel="next"]')
    last = lxml.html.fromstring(block(page=replace(PAGE, page=3)))
    assert last.xpath('//a[@rel="prev"]') and not last.xpath('//a[@rel="next"]')
    single = lxml.html.fromstring(block(page=replace(PAGE, page=1, pages=1)))
    assert not single.xpath('//a[@rel="prev" or @rel="next"]')


def test_filter_and_sort_are_kept_across_pages() -> None:
    page = PageInfo(page=2, pages=4, sort="helpful", lang="fr", base_url=PAGE.base_url)
    doc = lxml.html.fromstring(block(page=page))
    [next_] = doc.xpath('//a[@rel="next"]')
    assert next_.get("href") == f"{PAGE.base_url}?page=3&sort=helpful&lang=fr"
    unknown = lxml.html.fromstring(block(page=replace(page, sort="random")))
    assert unknown.xpath('//a[@aria-current="true"]/text()') == ["Most recent", "Français"]


def test_badge_links_to_the_product_and_reads_well() -> None:
    html = widgets.render_badge(SHOP, PRODUCT, SUMMARY, "en")
    doc = lxml.html.fromstring(html)
    [link] = doc.xpath("//a")
    assert link.get("href") == PRODUCT.url
    assert "4.3 (27 reviews)" in visible_text(html)
    assert doc.xpath('//*[@role="img" and @aria-label="Rated 4.3 out of 5"]')
    assert "itemscope" not in html
    assert "4,3 (27 avis)" in visible_text(widgets.render_badge(SHOP, PRODUCT, SUMMARY, "fr"))


SERVICE_PAGE = "https://reviews.example.com/w/demo-shop/products/KETTLE-1"


def test_head_tags() -> None:
    """The fragment goes in the shop's product page: og:url is that page, no canonical."""
    html = widgets.render_head(SHOP, PRODUCT, SUMMARY, SERVICE_PAGE, "fr")
    doc = lxml.html.fromstring(f"<html><head>{html}</head></html>")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in doc.iter("meta")}
    assert doc.xpath('//link[@rel="canonical"]') == []
    assert "reviews.example.com" not in html
    assert meta["og:type"] == "product"
    assert meta["og:title"] == PRODUCT.name
    assert meta["og:url"] == PRODUCT.url == CANONICAL
    assert meta["og:image"] == PRODUCT.image_url
    assert meta["og:locale"] == "fr_FR"
    assert meta["og:site_name"] == SHOP.name
    assert meta["og:description"].startswith("★ 4,3/5 — 27 avis")
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["twitter:image"] == PRODUCT.image_url
    english = widgets.render_head(
        SHOP, replace(PRODUCT, image_url=None), SUMMARY, SERVICE_PAGE, "en"
    )
    assert 'content="summary"' in english and "★ 4.3/5 — 27 reviews" in english
    assert 'content="en_US"' in english


def test_product_page_is_a_whole_document() -> None:
    html = product_page("fr")
    doc = lxml.html.fromstring(html)
    assert html.startswith("<!doctype html>")
    assert doc.get("lang") == "fr"
    assert doc.xpath("//meta[@charset]")
    assert doc.xpath('//meta[@name="viewport"]')
    assert doc.findtext(".//title") == "Stovetop kettle 1.5 L\u202f: avis clients | Maison Dupont"
    assert html.count("<style>") == 1
    assert "<script" not in html


def test_stylesheet_is_inlined_once_and_scoped() -> None:
    html = block()
    assert html.count("<style>") == 1 and widgets.STYLESHEET in html
    css = widgets.STYLESHEET
    for variable in ("--fs-star-color", "--fs-text", "--fs-muted", "--fs-bg", "--fs-accent"):
        assert variable in css
    assert "--fs-font" in css and "prefers-color-scheme: dark" in css
    assert "overflow-wrap: anywhere" in css
    rules = [line for line in css.splitlines() if line.endswith("{") and not line.startswith("@")]
    assert all(rule.lstrip().startswith(".fs-reviews") for rule in rules), rules


# What L111-7-2, D111-17 to D111-19 and ISO 20488 ask the page to say, in each language,
# with the values of the policy it is given.
POLICY_STATEMENTS = {
    "en": (
        "Only customers can",
        "only the link in that email opens the review form",
        "Verified purchase",
        "Unverified",
        "A person reads every review before it is published.",
        "All ratings are published, good or bad",
        "A review is published or refused within 12 days of being written.",
        "A review is refused only for one of these reasons:",
        "It is advertising or spam.",
        "its author is told why by email",
        "By default the most recent reviews come first",
        "highest or lowest rating, or by how many people found them helpful",
        "the date it was published and the date of the purchase or delivery",
        "Nobody is paid to write a review",
        "Maison Dupont may reply publicly to any review",
        "never changes the rating or the text of a review",
        "carries a private link: with it you can withdraw your review at any time",
        "An edited review shows the date it was changed.",
        "Published reviews stay online for 3 years after their publication, then are deleted.",
    ),
    "fr": (
        "Seuls les clients le peuvent",
        "seul le lien de cet e-mail ouvre le formulaire d'avis",
        "Achat vérifié",
        "Non vérifié",
        "Une personne lit chaque avis avant sa publication.",
        "Toutes les notes sont publiées, bonnes ou mauvaises",
        "Un avis est publié ou refusé dans un délai de 12 jours après son dépôt.",
        "Un avis n'est refusé que pour l'une de ces raisons :",
        "It is advertising or spam.",  # given already in the page's language
        "son auteur en reçoit la raison par e-mail",
        "Par défaut, les avis les plus récents apparaissent en premier",
        "Chaque avis indique sa date de publication et la date de l'achat ou de la livraison",
        "Personne n'est payé pour écrire un avis",
        "Maison Dupont peut répondre publiquement à tout avis",
        "ne modifie jamais la note ni le texte d'un avis",
        "contient un lien privé : il vous permet de retirer votre avis à tout moment",
        "Un avis modifié indique la date de sa modification.",
        "Les avis publiés restent en ligne 3 ans après leur publication, puis sont supprimés.",
    ),
}


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_policy_page_states_what_the_law_asks_with_the_shops_values(locale: str) -> None:
    policy = replace(POLICY, publication_days=12, retention_years=3)
    html = widgets.render_policy_page(SHOP, policy, locale)
    text = visible_text(html)
    missing = [phrase for phrase in POLICY_STATEMENTS[locale] if phrase not in text]
    assert missing == []
    doc = lxml.html.fromstring(html)
    assert doc.get("lang") == locale
    assert [li.text_content() for li in doc.xpath('//*[@id="refused"]/following::ul[1]/li')] == [
        *POLICY.refusal_reasons
    ]
    no_reward = {
        "en": "No reward is given for writing a review at the moment.",
        "fr": "Aucune contrepartie n'est offerte pour un avis en ce moment.",
    }
    assert no_reward[locale] in text


def test_policy_page_names_the_open_draw_and_the_automatic_check() -> None:
    policy = replace(POLICY, moderated=False, draw=DRAW, publication_days=1, retention_years=1)
    shop = replace(SHOP, timezone="Europe/Paris")  # the draw's last day is June 30 there
    english = visible_text(widgets.render_policy_page(shop, policy, "en"))
    assert (
        "Until June 30, 2026, every customer who writes a review enters a prize draw, whatever "
        "their rating: Un panier garni. Reviews written during the draw say so." in english
    )
    assert "unless an automatic check of their text flags them" in english
    assert "A person reads every review before it is published." not in english
    assert "within 1 day of being written" in english and "online for 1 year after" in english
    assert "No reward" not in english
    html = widgets.render_policy_page(shop, policy, "fr")
    french = visible_text(html)
    assert "Jusqu'au 30 juin 2026, chaque client qui écrit un avis participe à un tirage" in french
    assert "sauf si un contrôle automatique de leur texte les signale" in french
    assert "dans un délai de 1 jour" in french and "en ligne 1 an après" in french
    [link] = lxml.html.fromstring(html).xpath('//*[@id="draw"]//a/@href')
    assert link == DRAW.url


@pytest.mark.parametrize("url", ["", "javascript:alert(1)", "/kettle"])
def test_a_product_without_a_url_keeps_the_service_page(url: str) -> None:
    """No shop page to name: the head and the full page name this service's page, and the
    block's links stay on the block."""
    product = replace(PRODUCT, url=url)
    head = lxml.html.fromstring(
        "<html><head>" + widgets.render_head(SHOP, product, SUMMARY, SERVICE_PAGE, "en")
    )
    assert head.xpath('//link[@rel="canonical"]/@href') == [SERVICE_PAGE]
    assert head.xpath('//meta[@property="og:url"]/@content') == [SERVICE_PAGE]
    page = lxml.html.fromstring(product_page("en", product=product, canonical_url=SERVICE_PAGE))
    assert page.xpath('//link[@rel="canonical"]/@href') == [SERVICE_PAGE]
    embedded = replace(PAGE, host_url=url)
    doc = lxml.html.fromstring(
        widgets.render_reviews_block(SHOP, product, SUMMARY, REVIEWS, embedded, "en")
    )
    hrefs = doc.xpath("//nav//a/@href")
    assert hrefs and all(href.startswith(PAGE.base_url + "?") for href in hrefs)


def test_the_full_page_declares_the_shops_page_canonical() -> None:
    doc = lxml.html.fromstring(product_page("en", canonical_url=SERVICE_PAGE))
    assert doc.xpath('//link[@rel="canonical"]/@href') == [PRODUCT.url]
    assert doc.xpath('//meta[@property="og:url"]/@content') == [PRODUCT.url]


HOST = "https://shop.example.com/index.php?id_product=3&controller=product&fs_sort=old#top"


def test_embedded_links_go_to_the_shops_page_with_fs_parameters() -> None:
    """Sort, language and page links keep the shop's own query string as written, replace
    any fs_ parameter it had, and land on the block."""
    embedded = replace(PAGE, host_url=HOST, lang="fr")
    html = widgets.render_reviews_block(SHOP, PRODUCT, SUMMARY, REVIEWS, embedded, "en")
    doc = lxml.html.fromstring(html)
    view_links = doc.xpath(
        '//nav[contains(@class, "fs-toolbar") or contains(@class, "fs-pages")]//a/@href'
    )
    assert len(view_links) == 4 + 3 + 2  # sorts, languages (all, en, fr), previous and next
    for href in view_links:
        parts = urlsplit(href)
        assert (parts.scheme, parts.netloc, parts.path) == (
            "https",
            "shop.example.com",
            "/index.php",
        )
        assert parts.query.startswith("id_product=3&controller=product&fs_page=")
        assert parts.fragment == "fs-reviews"
        assert "fs_sort=old" not in href and "reviews.example.com" not in href
    [helpful] = doc.xpath("//a[@aria-current][1]/@href")[:1]
    assert parse_qs(urlsplit(helpful).query)["fs_sort"] == ["recent"]
    assert parse_qs(urlsplit(view_links[-1]).query) == {
        "id_product": ["3"],
        "controller": ["product"],
        "fs_page": ["3"],
        "fs_sort": ["recent"],
        "fs_lang": ["fr"],
    }
    everything = doc.xpath('//a[text()="All languages"]/@href')[0]
    assert "fs_lang" not in everything
    # A vote comes back to the very view of the shop's page it was cast on.
    action = doc.xpath('//form[@class="fs-helpful"]/@action')[0]
    assert action.startswith("https://reviews.example.com/w/demo-shop/reviews/")
    back = parse_qs(urlsplit(action).query)["return_to"][0]
    assert back == (
        "https://shop.example.com/index.php?id_product=3&controller=product"
        "&fs_page=2&fs_sort=recent&fs_lang=fr#fs-reviews"
    )
