"""Rendered review blocks kept in memory: a repeated fetch costs one indexed lookup.

Keyed by the product and the block's ETag, which names everything a block shows (see
`blocks.content_version`), so an entry is never stale, only unused; the least recently
used go first once the entries pass the size bound. One per web process.
"""

from __future__ import annotations

from collections import OrderedDict


class RenderedBlocks:
    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.size = 0
        self._entries: OrderedDict[tuple[int, str], str] = OrderedDict()

    def get(self, product_id: int, etag: str) -> str | None:
        html = self._entries.get((product_id, etag))
        if html is not None:
            self._entries.move_to_end((product_id, etag))
        return html

    def put(self, product_id: int, etag: str, html: str) -> None:
        if len(html) > self.max_chars:
            return
        key = (product_id, etag)
        if key in self._entries:
            self.size -= len(self._entries.pop(key))
        self._entries[key] = html
        self.size += len(html)
        while self.size > self.max_chars:
            _, dropped = self._entries.popitem(last=False)
            self.size -= len(dropped)

    def __len__(self) -> int:
        return len(self._entries)
