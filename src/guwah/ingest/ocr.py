"""OCR with Tesseract, and the cheap test that decides which images deserve it.

OCR dominates the cost of a leak (about a second per page per core), and most images in a
police leak are photographs of people that hold no text. :func:`looks_like_text` looks at a
small grayscale copy: a document scan is mostly flat, bright paper with a small share of
dark ink in thin strokes (so most dark pixels sit on a sharp edge), while a photograph is
continuous-tone. Tesseract runs single-threaded: with its default OpenMP threads it is about
four times slower on two cores (DESIGN.md).
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from guwah.ingest.bounds import pixel_limit
from guwah.ingest.deskew import skew_angle
from guwah.ingest.ocr_layout import (
    Row,
    Segment,
    rows_confidence,
    rows_of,
    rows_text,
    segments_of,
)
from guwah.ingest.page_ink import reduced_gray
from guwah.ingest.page_script import guess_script
from guwah.ingest.registry import ExtractionError, PageText

TEST_SIZE = 320  # long side of the copy the text test looks at
EDGE_STEP = 50  # a jump in gray level that counts as the edge of a stroke
_PDF_MAX_RENDER_PIXELS = 60_000_000  # about A2 at 300 dpi; larger pages render at lower dpi
_TESS_PACKAGES = {
    "chi_sim": "tesseract-ocr-chi-sim",
    "chi_tra": "tesseract-ocr-chi-tra",
    "uig": "tesseract-ocr-uig",
    "eng": "tesseract-ocr-eng",
}
# -- the cheap test -------------------------------------------------------------------------


def looks_like_text(img: Image.Image) -> tuple[bool, dict[str, Any]]:
    """Whether an image looks like a document (print or writing on paper), not a photo.

    Works on any size: the image is reduced to at most ``TEST_SIZE`` pixels on its long
    side first (pass a ``draft``-decoded JPEG to keep that cheap). Returns the verdict and
    the measurements it rests on, for the record.
    """
    gray = _small_gray(img)
    hist = gray.histogram()
    total = max(sum(hist), 1)
    paper = _percentile(hist, total, 0.5)
    bright = sum(hist[max(paper - 40, 0) :]) / total
    ink_level = max(paper - 90, 0)
    ink = sum(hist[:ink_level]) / total
    mid = 1.0 - bright - ink
    stats: dict[str, Any] = {
        "paper": paper,
        "bright": round(bright, 4),
        "ink": round(ink, 4),
        "mid": round(mid, 4),
        "edges": None,
        "dark_on_edge": None,
        "size": list(gray.size),
    }
    tones = paper >= 140 and bright >= 0.55 and ink + mid >= 0.002 and ink <= 0.4 and mid <= 0.3
    verdict = False
    if tones:  # the edge measures cost most; a photograph usually fails on tones alone
        edge_share, dark_edge = _edge_measures(gray, ink_level + 40)
        stats["edges"], stats["dark_on_edge"] = round(edge_share, 4), round(dark_edge, 4)
        verdict = edge_share >= 0.004 and dark_edge >= 0.35
    stats["verdict"] = verdict
    return verdict, stats


def _small_gray(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        base = Image.new("RGB", img.size, "white")
        base.paste(img.convert("RGBA"), mask=img.convert("RGBA").getchannel("A"))
        img = base
    gray = img.convert("L")
    if max(gray.size) > TEST_SIZE:
        gray = gray.copy()
        gray.thumbnail((TEST_SIZE, TEST_SIZE), Image.Resampling.BOX)
    return gray


def _percentile(hist: list[int], total: int, q: float) -> int:
    need = q * total
    seen = 0
    for level, count in enumerate(hist):
        seen += count
        if seen >= need:
            return level
    return 255


def _edge_measures(gray: Image.Image, dark_below: int) -> tuple[float, float]:
    """Share of pixels on a sharp edge, and share of the dark pixels that sit on one.

    A pixel is on a sharp edge when its brightest 4-neighbour is at least ``EDGE_STEP``
    brighter: thin ink strokes light up; the inside of a large dark area (hair, a coat) does
    not. Counted over the interior pixels (the border has no four neighbours).
    """
    a = np.asarray(gray, dtype=np.int16)
    if a.shape[0] < 3 or a.shape[1] < 3:
        return 0.0, 0.0
    inner = a[1:-1, 1:-1]
    brightest = np.maximum(
        np.maximum(a[:-2, 1:-1], a[2:, 1:-1]), np.maximum(a[1:-1, :-2], a[1:-1, 2:])
    )
    sharp = (brightest - inner) >= EDGE_STEP
    dark = inner < dark_below
    n_dark = int(np.count_nonzero(dark))
    edge_share = int(np.count_nonzero(sharp)) / inner.size
    return edge_share, (int(np.count_nonzero(sharp & dark)) / n_dark if n_dark else 0.0)


# -- Tesseract ------------------------------------------------------------------------------


def available_languages() -> set[str]:
    """Tesseract language packs installed here (empty when Tesseract is missing)."""
    return set(_languages())


@functools.lru_cache(maxsize=1)
def _languages() -> frozenset[str]:
    exe = shutil.which(_tesseract_cmd())
    if exe is None:
        return frozenset()
    try:
        proc = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    lines = (proc.stdout + proc.stderr).splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and " " not in ln.strip())


def _tesseract_cmd() -> str:
    import pytesseract

    return str(pytesseract.pytesseract.tesseract_cmd)


def check_languages(languages: str) -> None:
    """Raise ``unsupported`` when Tesseract or a language pack is not installed."""
    wanted = [lang for lang in languages.split("+") if lang]
    have = _languages()
    packages = " ".join(_TESS_PACKAGES.get(lang, f"tesseract-ocr-{lang}") for lang in wanted)
    if not have:
        raise ExtractionError(
            "unsupported",
            f"Tesseract OCR is not installed: apt-get install tesseract-ocr {packages}",
        )
    missing = [lang for lang in wanted if lang not in have]
    if missing:
        need = " ".join(_TESS_PACKAGES.get(lang, f"tesseract-ocr-{lang}") for lang in missing)
        raise ExtractionError(
            "unsupported",
            f"Tesseract language data {'+'.join(missing)} not installed: apt-get install {need}",
        )


@dataclass
class OcrPage(PageText):
    """An OCR page, with what was run on it and why (``detail``, kept in ``Item.meta``)."""

    detail: dict[str, Any] = field(default_factory=dict)


def ocr_item(
    path: Path,
    mime: str,
    pages: list[int],
    languages: str,
    timeout_s: float,
    dpi: int = 300,
    max_image_pixels: int | None = None,
    per_page: bool = False,
) -> list[OcrPage]:
    """OCR the given 1-based pages of an image (frames of a TIFF) or a PDF.

    ``per_page`` off: ``languages`` (a Tesseract ``+`` list) on every page. On: each page's
    models are chosen from what the page holds (:func:`choose_and_read`), ``languages`` only
    where its script cannot be told. ``timeout_s`` bounds the whole item; Tesseract runs with
    ``OMP_THREAD_LIMIT=1``. ``max_image_pixels`` (``Limits.max_image_pixels``) bounds the
    images decoded; Pillow's own default applies when it is None.
    """
    with pixel_limit(max_image_pixels):
        return _ocr_pages(path, mime, pages, languages, timeout_s, dpi, per_page)


def _ocr_pages(
    path: Path,
    mime: str,
    pages: list[int],
    languages: str,
    timeout_s: float,
    dpi: int,
    per_page: bool,
) -> list[OcrPage]:
    check_languages(languages)
    os.environ["OMP_THREAD_LIMIT"] = "1"  # inherited by the tesseract subprocess
    deadline = time.monotonic() + timeout_s
    from guwah.ingest.extractors.ocr_sources import ocr_source

    path, mime = ocr_source(path, mime, timeout_s)  # office → its derived PDF; DjVu → TIFF
    results: list[OcrPage] = []
    source = (
        _pdf_pages(path, pages, dpi) if mime == "application/pdf" else _image_pages(path, pages)
    )
    for page_no, img, page_dpi in source:
        if deadline - time.monotonic() <= 0:
            raise _timeout(page_no, timeout_s)
        run = _Run(page_no, page_dpi, deadline, timeout_s)
        if per_page:
            results.append(choose_and_read(img, run, languages))
        else:
            with _PageFile(img) as page:
                read = run.read(page, languages)
            detail = {"models": [languages], "why": 'a fixed set (ocr_models = "fixed")'}
            results.append(_page(run, read, languages, detail))
    return results


# -- the right model per page ---------------------------------------------------------------

#: Tesseract's OSD script → the model for it
SCRIPT_MODELS = {"Han": "chi_sim", "Arabic": "uig", "Latin": "eng"}
#: the model added when a page turns out to mix scripts
SECOND_MODEL = {"chi_sim": "uig", "chi_tra": "uig", "uig": "chi_sim", "eng": "chi_sim"}
MIXED_SCRIPT_CONF = 0.5  # OSD script confidence under which a page is taken as mixed
CHECK_CONF = 80.0  # a first pass under this mean word confidence is checked with two models
LINE_CHECK_CONF = 60.0  # lines of such a pass under this are read again with the second model
TRAD_CHECK_CONF = 89.0  # a chi_sim pass under this is tried with chi_tra as well
TRAD_MARGIN = 5.0  # chi_tra is kept over chi_sim only when this much more confident
GUESS_KEPT_FROM = 40.0  # a page the guessed model reads under this goes to OSD
DESKEW_FROM = 0.5  # degrees of tilt from which a page is levelled before it is read
ROTATE_CONF = 1.5  # OSD orientation confidence needed to turn a page
OSD_MIN_CHARS = 20  # characters OSD reads before it decides (Tesseract's default: 50)
UNRELIABLE_BELOW = 60.0  # pages whose mean word confidence is under this are flagged
PNM_MAX_PIXELS = 40_000_000  # about A3 at 400 dpi; larger pages go to Tesseract as PNG
OSD_LONG_SIDE = 1700  # OSD looks at a copy of the page no larger than this


@dataclass
class _Read:
    rows: list[Row]

    @property
    def text(self) -> str:
        return rows_text(self.rows)

    @functools.cached_property
    def _mean_and_count(self) -> tuple[float | None, int]:
        return rows_confidence(self.rows)

    @property
    def confidence(self) -> float | None:
        return self._mean_and_count[0]

    @property
    def words(self) -> int:
        return self._mean_and_count[1]


@dataclass
class _Run:
    page_no: int
    dpi: int | None
    deadline: float
    total_s: float

    def left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise _timeout(self.page_no, self.total_s)
        return left

    def read(self, page: _PageFile, languages: str, psm: int = 3) -> _Read:
        data = _tesseract_data(
            page.path, languages, self.left(), self.dpi, self.page_no, self.total_s, psm
        )
        return _Read(rows_of(segments_of(data)))


def _page(run: _Run, read: _Read, language: str, detail: dict[str, Any]) -> OcrPage:
    detail = {"page": run.page_no, **detail, "confidence": read.confidence, "words": read.words}
    detail["unreliable"] = read.words > 0 and (read.confidence or 0.0) < UNRELIABLE_BELOW
    return OcrPage(
        run.page_no, read.text, "ocr", confidence=read.confidence, language=language, detail=detail
    )


def choose_and_read(img: Image.Image, run: _Run, fallback: str) -> OcrPage:
    """Level the page, tell its script, and run only the models it needs.

    A tilt of :data:`DESKEW_FROM` or more is levelled first. The script of the lines is then
    guessed from the shape of their ink (:func:`page_script.guess_script`, milliseconds): Han
    → ``chi_sim``, Arabic → ``uig``, both → ``chi_sim`` and its other-script lines. When no
    guess can be made, or the guessed model reads the page under :data:`GUESS_KEPT_FROM`
    (an upside-down page, a wrong guess), Tesseract's orientation and script detection
    (``--psm 0``) turns the page and names the script (Latin → ``eng``). The first pass is
    then checked, cheapest question first. Lines read under :data:`LINE_CHECK_CONF` are read
    again with the other script's model (:func:`_reread_lines`); a page under
    :data:`CHECK_CONF` whose lines cannot be read so is read whole with both models (so is a
    page OSD was unsure of); either read is kept when it is better. A ``chi_sim`` page that
    is not mixed and reads under :data:`TRAD_CHECK_CONF` is tried with ``chi_tra``, which is
    kept only when it beats ``chi_sim`` by :data:`TRAD_MARGIN` (on simplified forms
    ``chi_tra`` scores a little higher while reading worse). Where OSD cannot tell either,
    ``fallback`` runs. A blank page is not OCR'd at all. The page is written to a file once
    and every Tesseract call reads that file.
    """
    _, stats = looks_like_text(img)
    if stats["ink"] + stats["mid"] < 0.0005:
        return _page(run, _Read([]), "", {"models": [], "why": "blank page"})
    have = _languages()
    why: list[str] = []
    detail: dict[str, Any] = {}
    tried: list[tuple[str, _Read]] = []
    with _PageFile(img) as page:
        small = reduced_gray(page.image)  # one copy for the tilt and the script tests
        skew = skew_angle(small)
        if abs(skew) >= DESKEW_FROM:
            page.replace(page.image.rotate(-skew, expand=True, fillcolor="white"))
            detail["deskewed"] = skew
            why.append(f"levelled by {-skew:g}° (tilted {skew:g}°)")
            small = reduced_gray(page.image)
        guess = guess_script(small)
        model = SCRIPT_MODELS["Arabic" if guess == "Arabic" else "Han"] if guess else None
        if guess is not None and model is not None and model in have:
            detail["lines"] = guess
            label = f"lines look {guess} (ink rows)"
            plan = _Plan(page, run, have, why)
            tried = _try_models(plan, model, 1.0, label, guess != "mixed", GUESS_KEPT_FROM)
            best = _kept(tried)[1].confidence or 0.0
            if best >= GUESS_KEPT_FROM:
                return _chosen(run, tried, why, detail)
            why.append(f"read at {best:g} < {GUESS_KEPT_FROM:g}: OSD")
        osd = _osd(page, run)
        if osd is not None:
            detail["osd"] = osd
            if osd["rotate"] and osd["orientation_conf"] >= ROTATE_CONF:
                page.replace(page.image.rotate(-osd["rotate"], expand=True, fillcolor="white"))
                detail["rotated"] = osd["rotate"]
                why.append(f"turned {osd['rotate']}° (OSD)")
        model = SCRIPT_MODELS.get(osd["script"]) if osd else None
        if model is None or model not in have:
            reason = (
                "OSD found too few characters" if osd is None else f"OSD script {osd['script']}"
            )
            why.append(f"{reason}: the case's set {fallback}")
            tried.append((fallback, run.read(page, fallback)))
            return _chosen(run, tried, why, detail)
        assert osd is not None
        label = f"OSD script {osd['script']}"
        tried += _try_models(_Plan(page, run, have, why), model, osd["script_conf"], label)
    return _chosen(run, tried, why, detail)


def _second(model: str, have: frozenset[str]) -> str | None:
    second = SECOND_MODEL.get(model)
    return second if second in have else None


def _chosen(
    run: _Run, tried: list[tuple[str, _Read]], why: list[str], detail: dict[str, Any]
) -> OcrPage:
    chosen, read = _kept(tried)
    if len(tried) > 1:
        why.append(f"kept {chosen}")
    detail["tried"] = {name: r.confidence for name, r in tried}
    detail.update(models=[m for m, _ in tried], why="; ".join(why))
    return _page(run, read, chosen, detail)


@dataclass
class _Plan:
    """What a page's reads share: the page file, the run's clock, the installed models, and
    the reasons given so far (each read appends why it was made)."""

    page: _PageFile
    run: _Run
    have: frozenset[str]
    why: list[str]


def _try_models(
    plan: _Plan,
    model: str,
    script_conf: float,
    label: str,
    one_script: bool = False,
    give_up_below: float = 0.0,
) -> list[tuple[str, _Read]]:
    """The reads a page gets: its script's model, then a pair or chi_tra where in doubt.

    ``one_script``: the ink rows found no line of another script, so a poorly read line
    alone is not read again with the second model (a page under CHECK_CONF still is).
    ``give_up_below``: a first read under this is returned as it is (a guess gone wrong)."""
    page, run, have, why = plan.page, plan.run, plan.have, plan.why
    second = _second(model, have)
    if script_conf < MIXED_SCRIPT_CONF and second:
        why.append(f"{label} at confidence {script_conf:g}: mixed")
        pair = f"{model}+{second}"
        return [(pair, run.read(page, pair))]
    why.append(label)
    first = run.read(page, model)
    tried = [(model, first)]
    conf = first.confidence
    if conf is None or conf < give_up_below:
        return tried
    poor_line = not one_script and any(row.confidence < LINE_CHECK_CONF for row in first.rows)
    if second and (conf < CHECK_CONF or poor_line):
        pair = f"{model}+{second}"
        by_line = _reread_lines(page, run, first, second)
        if by_line is not None:
            lines, read = by_line
            why.append(f"{lines} lines under {LINE_CHECK_CONF:g} read again with {second}")
            if read is not None and (read.confidence or 0.0) > conf:
                tried.append((pair, read))
                return tried  # a page of two scripts; not one of traditional characters
        if conf < CHECK_CONF and (by_line is None or by_line[1] is None):
            why.append(f"confidence {conf:g} < {CHECK_CONF:g}: {pair} tried")
            tried.append((pair, run.read(page, pair)))
            if (tried[-1][1].confidence or 0.0) > conf:
                return tried
    if model == "chi_sim" and conf < TRAD_CHECK_CONF and "chi_tra" in have:
        why.append(f"chi_sim confidence {conf:g} < {TRAD_CHECK_CONF:g}: chi_tra tried")
        tried.append(("chi_tra", run.read(page, "chi_tra")))
    return tried


def _reread_lines(
    page: _PageFile, run: _Run, first: _Read, second: str
) -> tuple[int, _Read | None] | None:
    """The page's poorly read lines read again with ``second``, the better read of each kept.

    A page of Chinese and Uyghur lines read with ``chi_sim`` has its Chinese lines right and
    its Uyghur lines garbled at low confidence. The page with only those lines left on it
    is read with ``uig`` alone: a second model over a third of a page
    instead of the whole page with two (``chi_sim+uig`` costs about three ``chi_sim``
    passes). None when no line is under :data:`LINE_CHECK_CONF`; the count of such lines
    and None when Tesseract's layout dropped one of them (it happens: the page is then read
    with both models, as a whole).
    """
    low = [i for i, row in enumerate(first.rows) if row.confidence < LINE_CHECK_CONF]
    if not low:
        return None
    lines = _printed_lines(first.rows, low)
    found: dict[int, list[Segment]] = {}  # a printed line → what the second model read there
    for psm in (3, 11):  # 11, sparse text, finds the lone lines that page layout (3) drops
        missing = [k for k in range(len(lines)) if k not in found]
        if not missing:
            break
        keep = [i for k in missing for i in lines[k]]
        with _PageFile(_only(page.image, first.rows, keep)) as alone:
            again = run.read(alone, second, psm=psm)
        for row in again.rows:  # each line read again belongs to the poor line it lies on
            k = min(missing, key=lambda k: abs(first.rows[lines[k][0]].centre - row.centre))
            if abs(first.rows[lines[k][0]].centre - row.centre) <= first.rows[lines[k][0]].height:
                found.setdefault(k, []).extend(row.segments)
    if len(found) < len(lines):
        return len(lines), None
    rows: list[Row | None] = list(first.rows)
    for k, members in enumerate(lines):
        old = [c for i in members for c in first.rows[i].confs]
        block, par = first.rows[members[0]].paragraph
        new = Row([replace(seg, block=block, par=par) for seg in found[k]])
        if new.confidence > sum(old) / len(old):
            rows[members[0]] = new
            for i in members[1:]:
                rows[i] = None  # its words are in the line read again
    return len(lines), _Read([r for r in rows if r is not None])


def _printed_lines(rows: list[Row], which: list[int]) -> list[list[int]]:
    """Rows ``which`` grouped by the printed line they lie on (Tesseract can cut one line in
    two segments it does not join, such as Chinese read with ``uig``)."""
    lines: list[list[int]] = []
    for i in sorted(which, key=lambda i: rows[i].centre):
        if lines and abs(rows[lines[-1][0]].centre - rows[i].centre) <= 0.5 * rows[i].height:
            lines[-1].append(i)
        else:
            lines.append([i])
    for members in lines:
        members.sort()  # reading order within a line, as Tesseract gave it
    return lines


def _only(img: Image.Image, rows: list[Row], keep: list[int]) -> Image.Image:
    """A copy of the page with every row but ``keep`` painted white.

    The rows stay where they are: cut out and stacked into a strip, Tesseract dropped whole
    lines of it (fragments of the neighbouring lines' ink at a cut's edge).
    """
    out = img.copy()
    draw = ImageDraw.Draw(out)
    kept = set(keep)
    for i, row in enumerate(rows):
        if i not in kept:
            for seg in row.segments:
                pad = seg.height // 4
                draw.rectangle(
                    (seg.left - pad, seg.top - pad, seg.right + pad, seg.bottom + pad), fill="white"
                )
    return out


def _kept(tried: list[tuple[str, _Read]]) -> tuple[str, _Read]:
    """The best read: highest mean confidence, chi_tra only by :data:`TRAD_MARGIN`."""
    first_conf = tried[0][1].confidence or 0.0

    def score(entry: tuple[str, _Read]) -> float:
        conf = entry[1].confidence or 0.0
        if entry[0] == "chi_tra" and tried[0][0] == "chi_sim":
            return conf if conf >= first_conf + TRAD_MARGIN else -1.0
        return conf

    return max(tried, key=score)


class _PageFile:
    """A page written once to an uncompressed temporary file (PGM or PPM) for Tesseract.

    pytesseract re-encodes an in-memory image as PNG for every call; a page read by OSD and
    two or three models is encoded once instead, and Tesseract decodes PNM fastest. A page
    over :data:`PNM_MAX_PIXELS` is written as PNG: uncompressed it would take 3 bytes a pixel
    of temporary disk per worker.
    """

    def __init__(self, img: Image.Image) -> None:
        self.dir = tempfile.mkdtemp(prefix="guwah-ocr-")
        self.path = ""
        self.image = img
        self.replace(img)

    def replace(self, img: Image.Image) -> None:
        self.image = img if img.mode in ("L", "RGB") else img.convert("RGB")
        big = self.image.width * self.image.height > PNM_MAX_PIXELS
        self.path = os.path.join(self.dir, "page.png" if big else "page.pnm")
        self.image.save(self.path, "PNG" if big else "PPM", compress_level=1)

    def small(self, long_side: int) -> str:
        """A grayscale copy no larger than ``long_side`` (the page itself when it is smaller)."""
        if max(self.image.size) <= long_side:
            return self.path
        path = os.path.join(self.dir, "small.pgm")
        reduced_gray(self.image, long_side).save(path, "PPM")
        return path

    def __enter__(self) -> _PageFile:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _osd(page: _PageFile, run: _Run) -> dict[str, Any] | None:
    """Tesseract's orientation and script detection on a reduced copy (None: cannot tell).

    OSD stops once it has seen :data:`OSD_MIN_CHARS` characters (Tesseract's default is 50):
    about half the time on a dense page with the same script and orientation. A page it
    would turn on so little evidence is asked again with the default.
    """
    scale = min(1.0, OSD_LONG_SIDE / max(page.image.size))
    path = page.small(OSD_LONG_SIDE)
    dpi = int(run.dpi * scale) if run.dpi else None
    base = "--psm 0" + (f" --dpi {dpi}" if dpi and dpi >= 70 else "")
    osd = _osd_call(path, f"{base} -c min_characters_to_try={OSD_MIN_CHARS}", run)
    if osd is not None and osd["rotate"] and osd["orientation_conf"] < ROTATE_CONF:
        osd = _osd_call(path, base, run) or osd
    return osd


def _osd_call(path: str, config: str, run: _Run) -> dict[str, Any] | None:
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(
            path, config=config, timeout=run.left(), output_type=pytesseract.Output.DICT
        )
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            raise _timeout(run.page_no, run.total_s) from exc
        return None
    except pytesseract.TesseractError:
        return None  # "Too few characters": nothing to tell the script by
    return {
        "script": str(osd.get("script", "")),
        "script_conf": float(osd.get("script_conf", 0.0)),
        "rotate": int(osd.get("rotate", 0)) % 360,
        "orientation_conf": float(osd.get("orientation_conf", 0.0)),
    }


def _timeout(page_no: int, timeout_s: float) -> ExtractionError:
    return ExtractionError(
        "timeout", f"OCR stopped at page {page_no}: it took longer than {timeout_s:g} s"
    )


def _tesseract_data(
    path: str,
    languages: str,
    left: float,
    dpi: int | None,
    page_no: int,
    total: float,
    psm: int = 3,
) -> dict[str, list[Any]]:
    import pytesseract

    config = f"--psm {psm}" + (f" --dpi {dpi}" if dpi else "")
    try:
        data = pytesseract.image_to_data(
            path, lang=languages, config=config, timeout=left, output_type=pytesseract.Output.DICT
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise ExtractionError(
            "unsupported", "Tesseract OCR is not installed: apt-get install tesseract-ocr"
        ) from exc
    except pytesseract.TesseractError as exc:  # a RuntimeError too: caught before it
        raise _failed(page_no, exc) from exc
    except RuntimeError as exc:  # pytesseract signals its timeout this way
        if "timeout" in str(exc).lower():
            raise _timeout(page_no, total) from exc
        raise ExtractionError("corrupt", f"OCR failed on page {page_no}: {exc}") from exc
    return data


def _failed(page_no: int, exc: Any) -> ExtractionError:
    """Tesseract's exit as a cause: killed by a signal is a crash (of Tesseract, not of the
    file), any other failure a page Tesseract could not read."""
    status, said = exc.status, (exc.message or "").strip()
    if isinstance(status, int) and status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        return ExtractionError(
            "crash",
            f"Tesseract crashed on page {page_no} ({name}){': ' + said if said else ''}. The "
            "original is unchanged: mend or upgrade Tesseract, then `guwah ocr --retry-failed`.",
        )
    return ExtractionError(
        "corrupt",
        f"OCR failed on page {page_no}: Tesseract exited with status {status}"
        f"{': ' + said if said else ' and said nothing'}",
    )


def _image_pages(path: Path, pages: list[int]) -> Iterator[tuple[int, Image.Image, int | None]]:
    img = _guarded(lambda: Image.open(path), "image cannot be opened for OCR")
    with img:
        n_frames = getattr(img, "n_frames", 1)
        for page_no in pages:
            if not 1 <= page_no <= n_frames:
                continue
            frame = _guarded(functools.partial(_frame, img, page_no), f"page {page_no} unreadable")
            dpi = img.info.get("dpi")
            yield page_no, frame, int(dpi[0]) if dpi and dpi[0] and dpi[0] >= 70 else None


def _frame(img: Image.Image, page_no: int) -> Image.Image:
    img.seek(page_no - 1)
    return img.convert("RGB") if img.mode not in ("L", "RGB") else img.copy()


def _guarded(load: Callable[[], Image.Image], what: str) -> Image.Image:
    """Run a Pillow decode step; bombs and damage become ExtractionErrors."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ExtractionError("bomb", f"{what}: more pixels than the limit ({exc})") from exc
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise ExtractionError("corrupt", f"{what}: {exc}") from exc


def _pdf_pages(path: Path, pages: list[int], dpi: int) -> Iterator[tuple[int, Image.Image, int]]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise ExtractionError("corrupt", f"PDF cannot be opened for OCR: {exc}") from exc
    try:
        for page_no in pages:
            if not 1 <= page_no <= len(pdf):
                continue
            page = pdf[page_no - 1]
            try:
                w, h = page.get_size()
                page_dpi = dpi
                while (w * page_dpi / 72) * (h * page_dpi / 72) > _PDF_MAX_RENDER_PIXELS:
                    page_dpi = int(page_dpi * 0.8)
                bitmap = page.render(scale=page_dpi / 72, grayscale=True)
                img = bitmap.to_pil()
            except pdfium.PdfiumError as exc:
                raise ExtractionError("corrupt", f"PDF page {page_no} cannot be rendered") from exc
            finally:
                page.close()
            yield page_no, img, page_dpi
    finally:
        pdf.close()
