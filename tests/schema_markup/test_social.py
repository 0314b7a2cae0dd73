"""Open Graph and Twitter Card tags: absolute http(s) URLs only, text cut where the
platforms would cut it."""

from __future__ import annotations

from schema_markup.social import MAX_DESCRIPTION, MAX_TITLE, open_graph_tags, twitter_card_tags


def test_social_tags() -> None:
    og = dict(
        open_graph_tags(
            title="Kettle",
            url="https://shop.example.com/k",
            image="javascript:x",
            description="★ 4.3/5",
            site_name="Shop",
            locale="fr",
        )
    )
    assert og == {
        "og:type": "product",
        "og:title": "Kettle",
        "og:url": "https://shop.example.com/k",
        "og:description": "★ 4.3/5",
        "og:site_name": "Shop",
        "og:locale": "fr_FR",
    }
    assert dict(twitter_card_tags(title="Kettle"))["twitter:card"] == "summary"
    card = dict(twitter_card_tags(title="K", image="https://cdn.example.com/k.jpg"))
    assert card["twitter:card"] == "summary_large_image"
    assert card["twitter:image"] == "https://cdn.example.com/k.jpg"


def test_open_graph_keeps_the_documented_order_and_drops_what_is_missing() -> None:
    tags = open_graph_tags(
        title="Kettle",
        url="https://shop.example.com/k",
        og_type="article",
        image="https://cdn.example.com/k.jpg",
    )
    assert [key for key, _ in tags] == ["og:type", "og:title", "og:url", "og:image", "og:locale"]
    assert tags[0] == ("og:type", "article")
    bare = dict(open_graph_tags(title="Kettle", url="/relative", locale="de"))
    assert "og:url" not in bare
    assert bare["og:locale"] == "en_US"  # a locale without its own tag reads as English


def test_long_text_is_cut_and_kept_on_one_line() -> None:
    og = dict(open_graph_tags(title="T" * 300, url="", description="line\none " + "d" * 300))
    assert len(og["og:title"]) == MAX_TITLE and og["og:title"].endswith("…")
    assert len(og["og:description"]) == MAX_DESCRIPTION
    assert og["og:description"].startswith("line one ")
    twitter = dict(twitter_card_tags(title="\u202eT" * 100, description="d" * 300))
    assert len(twitter["twitter:title"]) == MAX_TITLE and "\u202e" not in twitter["twitter:title"]
    assert len(twitter["twitter:description"]) == MAX_DESCRIPTION
    assert "twitter:image" not in twitter
