"""Review photos: decoded with limits, re-encoded (no EXIF, no GPS), stored by content hash."""

from __future__ import annotations

import hashlib
import io
import re
import time
import warnings
from pathlib import Path

from PIL import Image, ImageOps

from feedback_service.errors import InvalidInput

MAX_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 5
MAX_PIXELS = 40_000_000  # beyond this an image is refused as a possible decompression bomb
MAX_SIDE = 2000
FORMATS = {"JPEG", "PNG", "WEBP"}
NAME = re.compile(r"^[0-9a-f]{64}\.jpg$")


def reencode(data: bytes) -> bytes:
    """A clean JPEG of the picture, or InvalidInput saying what is wrong with the file."""
    if len(data) > MAX_BYTES:
        raise InvalidInput("A photo is at most 8 MB.", fields={"photos": "too_large"})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in FORMATS:
                    raise InvalidInput("Photos are JPEG, PNG or WebP.", fields={"photos": "type"})
                if image.width * image.height > MAX_PIXELS:
                    raise InvalidInput("This photo is too large.", fields={"photos": "pixels"})
                image.load()
                upright = ImageOps.exif_transpose(image)
                rgb = upright.convert("RGB")
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput("This photo is too large.", fields={"photos": "pixels"}) from None
    except Exception:  # Pillow raises many kinds of errors for broken files
        raise InvalidInput(
            "This file is not a readable photo.", fields={"photos": "invalid"}
        ) from None
    rgb.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=85, optimize=True)  # a new file: no EXIF, no GPS
    return out.getvalue()


def directory(data_dir: Path | str) -> Path:
    return Path(data_dir) / "media" / "photos"


def save(clean: bytes, directory: Path) -> str:
    """Write a re-encoded photo under its content hash; returns its name."""
    name = hashlib.sha256(clean).hexdigest() + ".jpg"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    if path.exists():
        path.touch()  # the same photo again: young, so the sweep leaves it to its new review
    else:
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(clean)
        tmp.replace(path)
    return name


def files_older_than(directory: Path, seconds: float) -> list[Path]:
    """The photos (and interrupted writes) of the directory not touched for `seconds`."""
    cutoff = time.time() - seconds
    found = []
    for path in directory.glob("*"):
        try:
            if path.suffix in (".jpg", ".tmp") and path.stat().st_mtime < cutoff:
                found.append(path)
        except FileNotFoundError:  # removed meanwhile
            continue
    return found


def remove(names: set[str], directory: Path) -> None:
    for name in names:
        if NAME.fullmatch(name):
            (directory / name).unlink(missing_ok=True)
