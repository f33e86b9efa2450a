"""Perceptual fingerprints of images, computed in worker processes and cached in the case.

For each image: a 256-bit pHash (``imagehash.phash`` with ``hash_size=16``: the signs of the
16×16 lowest DCT frequencies of a 64×64 grey image) to find candidates, and a 16×16 grey
*signature* (box-averaged, 256 bytes) whose correlation confirms them. Resizing and
re-encoding barely move either; different photos of the same setting can share a pHash
within a few bits, but not a signature correlation above 0.99. The EXIF thumbnail, where
there is one, gets the same pair, after any black letterbox bars are trimmed.
"""

from __future__ import annotations

import base64
import io
import logging
import warnings
from dataclasses import dataclass

import numpy as np

ALGO = "phash16+sig16/1"
SIG_SIZE = 16
HASH_SIZE = 16

logging.getLogger("exifread").setLevel(logging.ERROR)


@dataclass(frozen=True)
class HashTask:
    item_id: int
    path: str
    thumbnail: bool  # the item has an embedded EXIF thumbnail to fingerprint too
    max_pixels: int


@dataclass
class Fingerprint:
    """pHash (an int of 256 bits) and the normalised 16×16 signature of one picture."""

    phash: int
    signature: bytes

    @property
    def phash_hex(self) -> str:
        return f"{self.phash:064x}"

    @property
    def signature_b64(self) -> str:
        return base64.b64encode(self.signature).decode("ascii")


@dataclass
class HashResult:
    item_id: int
    main: Fingerprint | None = None
    thumb: Fingerprint | None = None
    error: str | None = None


def fingerprint(img: object) -> Fingerprint:
    import imagehash
    from PIL import Image

    assert isinstance(img, Image.Image)
    grey = img.convert("L")
    ph = imagehash.phash(grey, hash_size=HASH_SIZE)
    bits = np.packbits(ph.hash.flatten())
    small = grey.resize((SIG_SIZE, SIG_SIZE), Image.Resampling.BOX)
    return Fingerprint(int.from_bytes(bits.tobytes(), "big"), small.tobytes())


def correlation(a: bytes, b: bytes) -> float:
    """Pearson correlation of two signatures (1.0: the same picture, whatever its scale)."""
    x = np.frombuffer(a, dtype=np.uint8).astype(np.float64)
    y = np.frombuffer(b, dtype=np.uint8).astype(np.float64)
    x -= x.mean()
    y -= y.mean()
    den = float(np.sqrt((x * x).sum() * (y * y).sum()))
    if den == 0.0:
        return 1.0 if not x.any() and not y.any() else 0.0
    return float((x * y).sum() / den)


def decode_signature(text: str) -> bytes:
    return base64.b64decode(text)


def _trim_bars(img: object) -> object:
    """Cut uniform black (or white) bars a camera adds around a thumbnail of another shape."""
    from PIL import Image, ImageOps

    assert isinstance(img, Image.Image)
    grey = img.convert("L")
    for invert in (False, True):
        g = ImageOps.invert(grey) if invert else grey
        bbox = g.point(lambda v: 255 if v > 24 else 0).getbbox()
        if bbox is None or bbox == (0, 0, g.width, g.height):
            continue
        if (bbox[2] - bbox[0]) * (bbox[3] - bbox[1]) >= 0.5 * g.width * g.height:
            return img.crop(bbox)
    return img


def _thumbnail_bytes(path: str) -> bytes | None:
    import exifread

    with open(path, "rb") as fh:
        tags = exifread.process_file(fh, details=False, extract_thumbnail=True)
    data = tags.get("JPEGThumbnail")
    return bytes(data) if isinstance(data, bytes | bytearray) and data else None


def hash_task(task: HashTask) -> HashResult:
    """Fingerprint one image (and its thumbnail); runs in a worker process."""
    from PIL import Image

    out = HashResult(task.item_id)
    Image.MAX_IMAGE_PIXELS = task.max_pixels or None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(task.path) as img:
                if img.format in ("JPEG", "MPO"):
                    img.draft("L", (64, 64))  # decode at 1/2…1/8 scale: pHash needs 64×64
                out.main = fingerprint(img)
            if task.thumbnail:
                data = _thumbnail_bytes(task.path)
                if data:
                    with Image.open(io.BytesIO(data)) as thumb:
                        thumb.load()
                        out.thumb = fingerprint(_trim_bars(thumb))
    except Exception as exc:  # damaged files are expected in a leak: record, go on
        out.error = f"{type(exc).__name__}: {exc}"[:500]
    return out
