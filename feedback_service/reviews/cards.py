"""Share cards of reviews, rendered off the event loop, a few at a time."""

from __future__ import annotations

import threading

import widgets
from widgets.card import render_review_card

# A card takes ~20 ms of CPU and ~2.3 MB of pixels: a burst of crawlers waits its turn
# in the thread pool instead of holding a hundred images in memory at once.
RENDERS_AT_ONCE = 2
_renders = threading.BoundedSemaphore(RENDERS_AT_ONCE)


def render(
    shop: widgets.Shop, product: widgets.Product, review: widgets.Review, locale: str
) -> bytes:
    """Blocking: call it through run_in_threadpool."""
    with _renders:
        return render_review_card(shop, product, review, locale)
