"""The rendered blocks a web process keeps: bounded, and nothing of an older version kept."""

from __future__ import annotations

from feedback_service.reviews.block_cache import RenderedBlocks


def test_a_new_version_of_a_product_drops_its_older_blocks() -> None:
    rendered = RenderedBlocks(max_chars=1000)
    rendered.put(1, "v1", "v1-reviews", "<p>Zénobie wrote this</p>")
    rendered.put(1, "v1", "v1-badge", "<p>4.5</p>")
    rendered.put(2, "v1", "v1-reviews", "<p>other product</p>")
    rendered.put(1, "v2", "v2-reviews", "<p>—</p>")
    assert rendered.get(1, "v1-reviews") is None and rendered.get(1, "v1-badge") is None
    assert rendered.get(1, "v2-reviews") == "<p>—</p>"
    assert rendered.get(2, "v1-reviews") == "<p>other product</p>"
    assert rendered.size == len("<p>—</p>") + len("<p>other product</p>") and len(rendered) == 2
    rendered.forget(2)
    assert rendered.get(2, "v1-reviews") is None and len(rendered) == 1


def test_the_least_recently_used_products_go_first_past_the_bound() -> None:
    rendered = RenderedBlocks(max_chars=30)
    rendered.put(1, "v", "a", "x" * 10)
    rendered.put(2, "v", "a", "y" * 10)
    assert rendered.get(1, "a") == "x" * 10  # product 1 is now the most recent
    rendered.put(3, "v", "a", "z" * 15)
    assert rendered.get(2, "a") is None and rendered.get(1, "a") and rendered.get(3, "a")
    assert rendered.size == 25
    rendered.put(4, "v", "a", "w" * 31)  # larger than the whole cache: not kept
    assert rendered.get(4, "a") is None and rendered.size == 25
