"""The small pure helpers behind the markup."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from schema_markup import (
    author_name,
    clean_line,
    clean_text,
    iso_date,
    open_graph_tags,
    rating_value,
    safe_http_url,
    twitter_card_tags,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(4.25, "4.3"), (4.24, "4.2"), (4.333, "4.3"), (5, "5.0"), (1.05, "1.1"), (0.0, "0.0")],
)
def test_rating_value_is_dot_decimal_rounded_half_up(value: float, expected: str) -> None:
    assert rating_value(value) == expected


def test_iso_dates_follow_the_given_timezone() -> None:
    late = datetime(2024, 3, 12, 23, 30, tzinfo=UTC)
    assert iso_date(late) == "2024-03-12"
    assert iso_date(late, ZoneInfo("Europe/Paris")) == "2024-03-13"
    assert iso_date(date(2024, 1, 2)) == "2024-01-02"
    assert iso_date(datetime(2024, 1, 2, 12, 0)) == "2024-01-02"


def test_author_names_stay_under_100_characters() -> None:
    assert author_name("  Alice \n M. ") == "Alice M."
    long = author_name("x" * 500)
    assert len(long) == 99 and long.endswith("…")


def test_clean_text_removes_controls_and_bidi_overrides_but_keeps_lines() -> None:
    assert clean_text("a\x00b\x07c\x1b[0m") == "abc[0m"
    assert clean_text("left\u202eright\u2066x\u2069") == "leftrightx"
    assert clean_text("one\r\ntwo\u2028three\u2029four") == "one\ntwo\nthree\nfour"
    assert clean_text("tab\tkept, é and 😀 too") == "tab\tkept, é and 😀 too"
    assert clean_line(" a \n\n b ") == "a b"
    assert clean_line("\u00a0a\u2003\t b\u3000\u2029c ") == "a b c"  # Unicode spaces too


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "java\nscript:alert(1)",
        "data:image/png;base64,xx",
        "vbscript:x",
        "//evil.example.com/a",
        "/relative/path",
        "https:evil",
        'https://ok.example.com/"><script>',
        "http://[::1",
        "",
        None,
    ],
)
def test_unsafe_urls_are_refused(url: str | None) -> None:
    assert safe_http_url(url) is None


def test_http_urls_are_kept() -> None:
    assert safe_http_url("https://shop.example.com/p?a=1&b=2#x") == (
        "https://shop.example.com/p?a=1&b=2#x"
    )
    assert safe_http_url(" http://shop.example.com/x ") == "http://shop.example.com/x"


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
