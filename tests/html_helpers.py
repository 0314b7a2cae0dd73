"""HTML checks of pages and emails: the HTML5 parser's errors, plus the rules it does not see."""

from __future__ import annotations

import html5lib
import lxml.html


def assert_valid_html(text: str) -> lxml.html.HtmlElement:
    """Fails on any HTML5 parse error (stray or misnested tags, bad attributes, a missing
    doctype...) and on what the parser accepts but the standard does not."""
    html5lib.HTMLParser(strict=True).parse(text)
    doc = lxml.html.document_fromstring(text)
    assert doc.find("head/title") is not None and doc.findtext("head/title").strip(), "no <title>"
    assert not doc.xpath("//body//style"), "<style> belongs in <head>"
    for th in doc.iter("th"):
        assert th.text_content().strip() or th.xpath(".//*[@aria-label]"), "empty <th>"
    for figure in doc.iter("figure"):
        children = [c.tag for c in figure if isinstance(c.tag, str)]
        if "figcaption" in children:  # first or last child only
            assert children.index("figcaption") in (0, len(children) - 1), children
    ids = [e.get("id") for e in doc.xpath("//*[@id]")]
    assert len(ids) == len(set(ids)), "duplicate id"
    return doc


def assert_valid_page(text: str, name: str = "") -> lxml.html.HtmlElement:
    """A web page: valid HTML, an icon, and headings that never skip a level (h1 then h3)."""
    doc = assert_valid_html(text)
    assert doc.xpath("//head/link[@rel='icon']"), "no icon declared"
    levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    for previous, level in zip([1, *levels], levels, strict=False):
        assert level <= previous + 1, f"{name}: h{previous} then h{level}"
    return doc
