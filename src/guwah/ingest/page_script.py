"""The script of a page's lines from the shape of their ink, in a few milliseconds.

Tesseract's orientation and script detection costs about 0.4 of a read on every page (a
process start and a classifier; measured in docs/benchmarks.md, issue 19). Most pages can be
told without it. Han characters fill their line's height evenly, so the count of dark
pixels per pixel row across a line of Chinese is flat; Arabic script (Uyghur) joins its
letters along a thick baseline, so the same count peaks sharply there; Latin lies between
(x-height band, ascenders, descenders). On the synthetic pages of ``benchmarks/ocr.py`` the
peak over the mean of a line was 1.18–1.66 for Chinese (simplified and traditional, blurred,
at 100 dpi, upside down), 2.77–3.98 for Uyghur, 1.83–2.69 for English.

The guess only picks the first model; it never decides the text. A wrong guess costs a read:
a page read badly with the guessed model goes to orientation and script detection as before
(``ocr.choose_and_read``).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from guwah.ingest.page_ink import ink, reduced_gray

HAN_BELOW = 1.75  # peak / mean of a line's dark pixels per row: Han under this
ARABIC_ABOVE = 2.7  # Arabic script over this
MIN_LINES = 3  # fewer lines of text than this: no guess
SHARE = 0.8  # of the lines, for one script or for the two of a mixed page


def line_scripts(img: Image.Image) -> list[str]:
    """Per band of text rows, top to bottom: ``Han``, ``Arabic`` or ``?``; bands much taller
    than a line (a table's rules, a photograph, a tilted page) are left out."""
    dark = ink(reduced_gray(img))
    rows = dark.sum(axis=1)
    on = rows > max(2, dark.shape[1] // 1000)
    bands: list[np.ndarray] = []
    start = None
    for y, lit in enumerate([*on.tolist(), False]):
        if lit and start is None:
            start = y
        elif not lit and start is not None:
            if y - start >= 4:
                bands.append(rows[start:y].astype(np.float64))
            start = None
    if not bands:
        return []
    usual = float(np.median([len(b) for b in bands]))
    out = []
    for band in bands:
        if len(band) > 2 * usual:
            continue
        peak = float(band.max() / band.mean())
        out.append("Han" if peak < HAN_BELOW else "Arabic" if peak > ARABIC_ABOVE else "?")
    return out


def guess_script(img: Image.Image) -> str | None:
    """``Han`` (a :data:`SHARE` of the lines, none Arabic), ``Arabic`` (half the lines, none
    Han), ``mixed`` (lines of both), or None (no guess)."""
    lines = line_scripts(img)
    if len(lines) < MIN_LINES:
        return None
    han, arabic = lines.count("Han") / len(lines), lines.count("Arabic") / len(lines)
    if han >= SHARE and not arabic:
        return "Han"
    if arabic >= 0.5 and not han:  # bold sans faces leave some lines less peaked ("?")
        return "Arabic"
    if han + arabic >= SHARE and han and arabic:
        return "mixed"
    return None
