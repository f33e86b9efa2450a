"""A page's ink on a reduced grayscale copy: what the tilt and the script tests look at."""

from __future__ import annotations

import numpy as np
from PIL import Image

LONG_SIDE = 1000  # the copy the tests measure is no larger than this


def reduced_gray(img: Image.Image, long_side: int = LONG_SIDE) -> Image.Image:
    """A grayscale copy no larger than ``long_side`` (box-filtered); a page already that
    small is only converted, so a copy made once can be handed to every test."""
    gray = img.convert("L")
    scale = min(1.0, long_side / max(gray.size))
    if scale < 1:
        gray = gray.resize(
            (max(1, int(gray.width * scale)), max(1, int(gray.height * scale))),
            Image.Resampling.BOX,
        )
    return gray


def ink(gray: Image.Image) -> np.ndarray:
    """The dark pixels: 60 levels under the median (the paper), and under 160."""
    a = np.asarray(gray)
    return a < min(int(np.median(a)) - 60, 160)
