"""Rendered review blocks kept in memory: a repeated fetch costs one indexed lookup.

Keyed by the product and the block's ETag, which names everything a block shows (see
`blocks.content_version`), so an entry is never stale, only unused. A product's blocks are
kept together with the content version they show: keeping a block of a newer version drops
the older ones (an erased review's text does not linger in memory), and the least recently
used products go first once the entries pass the size bound. One per web process.
"""

from __future__ import annotations

from collections import OrderedDict


class RenderedBlocks:
    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.size = 0
        # product id -> (content version, {etag: html})
        self._products: OrderedDict[int, tuple[str, dict[str, str]]] = OrderedDict()

    def get(self, product_id: int, etag: str) -> str | None:
        entry = self._products.get(product_id)
        html = entry[1].get(etag) if entry is not None else None
        if html is not None:
            self._products.move_to_end(product_id)
        return html

    def put(self, product_id: int, version: str, etag: str, html: str) -> None:
        if len(html) > self.max_chars:
            return
        entry = self._products.get(product_id)
        if entry is None or entry[0] != version:
            self.forget(product_id)
            entry = self._products[product_id] = (version, {})
        blocks = entry[1]
        self.size += len(html) - len(blocks.get(etag, ""))
        blocks[etag] = html
        self._products.move_to_end(product_id)
        while self.size > self.max_chars:
            _, (_, dropped) = self._products.popitem(last=False)
            self.size -= sum(len(block) for block in dropped.values())

    def forget(self, product_id: int) -> None:
        """Drop every block of a product now (its reviews were erased)."""
        entry = self._products.pop(product_id, None)
        if entry is not None:
            self.size -= sum(len(block) for block in entry[1].values())

    def __len__(self) -> int:
        return sum(len(blocks) for _, blocks in self._products.values())
