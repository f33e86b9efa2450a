"""Faces found and blurred in photos, for pseudonymised views and exports.

The detector is OpenCV's Haar cascades, whose models ship inside ``opencv-python-headless``
(no download): the frontal-face cascades (default and alt2) and the profile cascade, run on
the image and on its mirror (the profile model knows one side only). A face counts when any
of them finds it; a false alarm only blurs a little more.

What it misses (measured in ``benchmarks/faces.py``, figures in docs/benchmarks.md): faces
turned further than a profile, strongly tilted or cut by the frame, faces under
:data:`MIN_FACE` pixels at the working size, and drawn or abstract faces (the synthetic
leak's portraits have no eyes, nose or mouth, so nothing is found in them). Therefore the
blur **fails closed**: unless two models agree on a face (:func:`confirmed`), the image is
blurred as a whole — a single model's find is as likely a false alarm on hair or a pattern,
which would leave the real, missed face shown. A face in an image where another face was
confirmed can still be missed; that is the residual risk, said in every pseudonymised
export's README.

Blurring is irreversible in the output: each face region (enlarged by :data:`MARGIN`) is
pixelated to :data:`BLOCKS` blocks across and then smoothed; the output is a new
JPEG without the original's metadata (EXIF can name the camera, place and operator).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from functools import cache
from typing import Any

from PIL import Image, ImageFilter, ImageOps

from guwah.ingest.bounds import pixel_limit

VERSION = 3  # of the method: a cached blurred copy of another version is made again
WORK_SIZE = 640  # the longer side the detector sees (Haar is slow and no better above it)
MIN_FACE = 20  # pixels at the working size
MARGIN = 0.25  # each side of a found face, as a share of its size: hair, ears, chin
BLOCKS = 8  # a face region is pixelated to this many blocks across (~6 over the face)
WHOLE_BLOCKS = 10  # an image with no face found: this many blocks along its longer side
CASCADES = ("frontalface_default", "frontalface_alt2", "profileface")
MAX_PIXELS = 50_000_000  # a bigger "photo" is refused, not decoded (a decompression bomb)


class FaceError(ValueError):
    """The picture cannot be read (corrupt, not an image, too large): nothing is shown."""


@dataclass(frozen=True)
class Face:
    """A found face in the original's pixels: left, top, width, height; which model found it."""

    x: int
    y: int
    w: int
    h: int
    model: str


@dataclass(frozen=True)
class Blurred:
    """A blurred copy: its JPEG bytes, the faces found, and whether the whole image was."""

    data: bytes
    faces: tuple[Face, ...]
    whole: bool

    def summary(self) -> dict[str, Any]:
        return {
            "faces_found": len(self.faces),
            "whole_image_blurred": self.whole,
            "method": "OpenCV Haar cascades "
            + ", ".join(CASCADES)
            + "; unless two agree on a face, the whole picture is blurred",
        }


@cache
def _classifiers() -> tuple[tuple[str, Any], ...]:
    import cv2

    out = []
    for name in CASCADES:
        models = cv2.data.haarcascades  # type: ignore[attr-defined]  # not in its stubs
        clf = cv2.CascadeClassifier(models + f"haarcascade_{name}.xml")
        if clf.empty():  # pragma: no cover - a broken OpenCV install
            raise RuntimeError(f"OpenCV's cascade {name} did not load: reinstall the environment")
        out.append((name, clf))
    return tuple(out)


def detect(img: Image.Image) -> list[Face]:
    """The faces in ``img`` (any mode), in its own pixel coordinates."""
    import cv2
    import numpy as np

    grey = ImageOps.exif_transpose(img).convert("L")
    scale = min(1.0, WORK_SIZE / max(grey.size))
    if scale < 1.0:
        grey = grey.resize(
            (max(1, round(grey.width * scale)), max(1, round(grey.height * scale))),
            Image.Resampling.LANCZOS,
        )
    arr = cv2.equalizeHist(np.asarray(grey, dtype=np.uint8))
    width = arr.shape[1]
    found: list[Face] = []
    for name, clf in _classifiers():
        views = [(arr, False)] + ([(arr[:, ::-1].copy(), True)] if name == "profileface" else [])
        for view, mirrored in views:
            hits = clf.detectMultiScale(
                view, scaleFactor=1.1, minNeighbors=5, minSize=(MIN_FACE, MIN_FACE)
            )
            for x, y, w, h in hits if len(hits) else []:
                left = width - x - w if mirrored else x
                found.append(
                    Face(
                        int(left / scale),
                        int(y / scale),
                        int(w / scale),
                        int(h / scale),
                        name + (" (mirrored)" if mirrored else ""),
                    )
                )
    return found


def _overlap(a: Face, b: Face) -> float:
    w = max(0, min(a.x + a.w, b.x + b.w) - max(a.x, b.x))
    h = max(0, min(a.y + a.h, b.y + b.h) - max(a.y, b.y))
    inter = w * h
    return inter / (a.w * a.h + b.w * b.h - inter) if inter else 0.0


def confirmed(faces: tuple[Face, ...]) -> bool:
    """Whether two models agree on some face (boxes overlapping by IoU >= 0.3). A face only
    one model sees is as likely a false alarm — hair, a pattern — that would leave the real,
    missed face shown; then the whole picture is blurred."""
    return any(
        _family(a) != _family(b) and _overlap(a, b) >= 0.3
        for i, a in enumerate(faces)
        for b in faces[i + 1 :]
    )


def _family(face: Face) -> str:
    """The cascade that found a face; its run on the mirror image is the same model."""
    return face.model.split(" ", 1)[0]


def _pixelate(region: Image.Image, blocks: int) -> Image.Image:
    side = max(region.size)
    small = region.resize(
        (max(1, region.width * blocks // side), max(1, region.height * blocks // side)),
        Image.Resampling.BOX,
    )
    big = small.resize(region.size, Image.Resampling.NEAREST)
    return big.filter(ImageFilter.GaussianBlur(max(1, max(region.size) // (blocks * 2))))


def blur_faces(data: bytes, quality: int = 85) -> Blurred:
    """A JPEG of the photo ``data`` with every found face blurred, or all of it if none is."""
    try:
        with pixel_limit(MAX_PIXELS), warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as src:
                src.seek(0)
                img = ImageOps.exif_transpose(src).convert("RGB")
    except Exception as exc:  # a hostile picture can make a decoder raise anything
        raise FaceError(f"the picture cannot be read ({type(exc).__name__}: {exc})") from exc
    faces = tuple(detect(img))
    whole = not confirmed(faces)
    if whole:
        img = _pixelate(img, WHOLE_BLOCKS)
    else:
        for f in faces:
            mx, my = int(f.w * MARGIN), int(f.h * MARGIN)
            box = (
                max(0, f.x - mx),
                max(0, f.y - my),
                min(img.width, f.x + f.w + mx),
                min(img.height, f.y + f.h + my),
            )
            if box[2] > box[0] and box[3] > box[1]:
                img.paste(_pixelate(img.crop(box), BLOCKS), box[:2])
    clean = Image.new("RGB", img.size)  # pixels only: Pillow would carry comments and ICC over
    clean.paste(img)
    buf = io.BytesIO()
    clean.save(buf, "JPEG", quality=quality)
    return Blurred(buf.getvalue(), faces, whole)
