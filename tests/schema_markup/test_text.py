"""Text and URL hygiene: what every output (HTML, meta tags, XML feed) lets through."""

from __future__ import annotations

import pytest

from schema_markup.text import clean_line, clean_text, safe_http_url, truncate


def test_clean_text_removes_controls_and_bidi_overrides_but_keeps_lines() -> None:
    assert clean_text("a\x00b\x07c\x1b[0m") == "abc[0m"
    assert clean_text("left\u202eright\u2066x\u2069") == "leftrightx"
    assert clean_text("one\r\ntwo\u2028three\u2029four") == "one\ntwo\nthree\nfour"
    assert clean_text("tab\tkept, é and 😀 too") == "tab\tkept, é and 😀 too"
    assert clean_line(" a \n\n b ") == "a b"
    assert clean_line("\u00a0a\u2003\t b\u3000\u2029c ") == "a b c"  # Unicode spaces too


def test_clean_text_drops_what_xml_cannot_carry_and_takes_any_value() -> None:
    # U+FFFE/U+FFFF and lone surrogates are not XML characters; NEL is a line break.
    assert clean_text("a\ufffeb\uffffc\ud800d\x85e") == "abcd\ne"
    assert clean_text("\u200ename\u200f\u061c") == "name"  # invisible direction marks
    assert clean_text(42) == "42" and clean_line(None) == "None"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("abcde", 5, "abcde"),  # exactly the limit: nothing cut
        ("abcdef", 5, "abcd…"),
        ("abc def", 5, "abc…"),  # no space left before the ellipsis
        ("", 3, ""),
    ],
)
def test_truncate_cuts_to_the_limit_with_an_ellipsis(text: str, limit: int, expected: str) -> None:
    assert truncate(text, limit) == expected
    assert len(truncate(text, limit)) <= limit


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
    assert safe_http_url("HTTPS://Shop.Example.com/") == "HTTPS://Shop.Example.com/"
