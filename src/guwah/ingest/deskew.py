"""The small skew of a scanned page, from the rows its ink falls on.

Tesseract reads a page tilted by two or three degrees badly (the synthetic skewed page of
``benchmarks/ocr.py``: 20.7 % of characters wrong at 2.4°, against 1.4 % upright), and
orientation detection only knows quarter turns. Lines of text put their ink on a few rows and
white between them; sheared by the right angle, the count of dark pixels per row is the most
uneven. :func:`skew_angle` searches that angle on a reduced copy, coarse then fine — a few
milliseconds of numpy, no rotation of the page until the angle is known.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from guwah.ingest.page_ink import ink, reduced_gray

MAX_SKEW = 6.0  # degrees searched either way
COARSE, FINE = 0.5, 0.05  # degrees per step


def skew_angle(img: Image.Image) -> float:
    """The page's tilt in degrees, counter-clockwise positive as ``Image.rotate`` takes it
    (``img.rotate(-angle)`` levels the lines); 0.0 for a page with too little ink to tell."""
    dark = ink(reduced_gray(img))
    ys, xs = np.nonzero(dark)
    if len(ys) < 200:
        return 0.0
    xs = xs - dark.shape[1] / 2

    def unevenness(angle: float) -> float:
        rows = ys + xs * np.tan(np.radians(angle))
        counts = np.bincount(np.round(rows - rows.min()).astype(np.int64))
        return float(np.sum(counts.astype(np.float64) ** 2))

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + COARSE / 2, COARSE), key=unevenness)
    fine = np.arange(best - COARSE, best + COARSE + FINE / 2, FINE)
    return round(float(max(fine, key=unevenness)), 2)
