"""Photo files: none written for a form that is refused, and the worker sweeps the files
that no review shows once they are an hour old."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import httpx
from PIL import Image
from review_helpers import order_with_request, product_ids

from feedback_service.orders.models import Product
from feedback_service.reviews.models import Review
from feedback_service.settings import Settings
from feedback_service.worker import Worker


def photo(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(out, format="JPEG")
    return out.getvalue()


def files(settings: Settings) -> set[str]:
    directory = settings.data_dir / "media" / "photos"
    return {p.name for p in directory.iterdir()} if directory.exists() else set()


def age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


async def send(api: httpx.AsyncClient, url: str, photos: list[bytes]) -> httpx.Response:
    kettle, mug = product_ids((await api.get(url)).text)
    return await api.post(
        url,
        data={f"{kettle}_rating": "5", f"{mug}_rating": "4", "display_name": "M", "consent": "yes"},
        files=[
            (f"{product}_photos", (f"{i}.jpg", content, "image/jpeg"))
            for i, (product, content) in enumerate(zip([kettle, mug], photos, strict=False))
        ],
    )


async def test_photos_sent_to_an_already_submitted_form_are_refused_unwritten(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    created = await order_with_request(api, "PH-1")
    assert (await send(api, created["url"], [photo((10, 200, 10))])).status_code == 303
    kept = files(settings)
    kettle = await Product.get(sku="KETTLE")
    again = await api.post(  # the back button, then a new photo
        created["url"],
        data={f"p{kettle.id}_rating": "4", "display_name": "M", "consent": "yes"},
        files=[(f"p{kettle.id}_photos", ("late.jpg", photo((250, 250, 0)), "image/jpeg"))],
    )
    assert again.status_code == 409
    assert "Vous avez déjà envoyé votre avis" in again.text
    assert again.headers["cache-control"] == "no-store"
    assert files(settings) == kept
    assert await Review.all().count() == 2


async def test_a_refused_form_writes_no_photo(api: httpx.AsyncClient, settings: Settings) -> None:
    created = await order_with_request(api, "PH-2")
    before = files(settings)
    # The first product's photo is fine, the second's is not: the form comes back, no file.
    answer = await send(api, created["url"], [photo((1, 2, 250)), b"not a photo at all"])
    assert answer.status_code == 400
    assert files(settings) == before and await Review.all().count() == 0


async def test_the_worker_sweeps_photo_files_no_review_shows(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    created = await order_with_request(api, "PH-3")
    assert (await send(api, created["url"], [photo((90, 10, 90))])).status_code == 303
    [review] = [r for r in await Review.all() if r.photos]
    directory = settings.data_dir / "media" / "photos"
    shown = directory / review.photos[0]
    old_orphan = directory / ("0a" * 32 + ".jpg")
    old_orphan.write_bytes(photo((3, 3, 3)))
    interrupted = directory / ("0b" * 32 + ".tmp")
    interrupted.write_bytes(b"half a photo")
    young_orphan = directory / ("0c" * 32 + ".jpg")  # its review may be committing now
    young_orphan.write_bytes(photo((4, 4, 4)))
    for path in (shown, old_orphan, interrupted):
        age(path, 2)
    await Worker(settings).run_once()
    assert shown.exists() and young_orphan.exists()
    assert not old_orphan.exists() and not interrupted.exists()
    assert (await api.get(f"/media/photos/{shown.name}")).status_code == 200
