"""Resource bounds shared by the readers of untrusted files."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image


@contextmanager
def pixel_limit(max_pixels: int | None) -> Iterator[None]:
    """Pillow's decompression-bomb bound for one read, restored afterwards (it is global)."""
    previous = Image.MAX_IMAGE_PIXELS
    if max_pixels is not None:
        Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous
