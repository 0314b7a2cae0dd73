"""Shared steps of the review tests: a shop with products, an order and its request."""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
from PIL import Image

PRODUCTS = [
    {
        "sku": "KETTLE",
        "name": "Bouilloire 1,5 L",
        "url": "https://shop.example/kettle",
        "image_url": "https://shop.example/kettle.jpg",
        "brand": "Acme",
        "gtin": "3700000000017",
    },
    {"sku": "MUG", "name": "Mug émaillé", "url": "https://shop.example/mug"},
]


async def order_with_request(
    api: httpx.AsyncClient, order_id: str = "O-1", locale: str = "fr", **request: Any
) -> dict[str, Any]:
    for product in PRODUCTS:
        assert (await api.post("/api/v1/products", json=product)).status_code in (200, 201)
    order = {
        "id": order_id,
        "customer": {
            "email": f"{order_id.lower()}@example.fr",
            "name": "Marie Curie",
            "locale": locale,
        },
        "items": [{"sku": "KETTLE"}, {"sku": "MUG", "quantity": 2}],
        "ordered_at": "2026-11-01T10:00:00Z",
        "delivered_at": "2026-11-04T10:00:00Z",
    }
    assert (await api.post("/api/v1/orders", json=order)).status_code in (200, 201)
    created = await api.post("/api/v1/review-requests", json={"order_id": order_id, **request})
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


async def imported_review(
    api: httpx.AsyncClient, n: int, *, rating: int, published: bool = True, **extra: object
) -> dict[str, Any]:
    """Review number `n` of the kettle, imported through the API (written on October n+1)."""
    body = {
        "sku": "KETTLE",
        "rating": rating,
        "title": f"Avis {n}",
        "body": f"Texte {n}",
        "author_name": f"Client {n}",
        "source": "legacy",
        "source_id": str(n),
        "submitted_at": f"2026-10-{n + 1:02d}T10:00:00Z",
        "published": published,
        **extra,
    }
    answer = await api.post("/api/v1/reviews", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def imported_review_id(
    api: httpx.AsyncClient, n: int, *, rating: int = 4, published: bool = True, **fields: object
) -> int:
    """The id of review number `n`, by default with a text long enough for an excerpt,
    written on October 2."""
    defaults = {
        "body": f"Texte de l'avis {n}, assez long pour un extrait.",
        "submitted_at": "2026-10-02T10:00:00Z",
    }
    review = await imported_review(api, n, rating=rating, published=published, **defaults | fields)
    return int(review["id"])


def product_ids(form_html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'name="(p\d+)_rating"', form_html)))


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()
