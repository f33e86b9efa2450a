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
import re
import shutil
import subprocess
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from guwah.ingest.bounds import pixel_limit
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
_HAN = r"\u2e80-\u2fff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = r"\u3000-\u303f\uff00-\uffef"
# Tesseract separates every CJK character by a space; Chinese is written without them.
# Drop a space between two Han characters, between Han and a digit ("2018 年"), and next
# to full-width punctuation; keep it between Han and a Latin word.
_CJK_GAP = re.compile(
    rf"(?<=[{_HAN}{_CJK_PUNCT}])[ \t]+(?=[{_HAN}{_CJK_PUNCT}0-9])"
    rf"|(?<=[0-9])[ \t]+(?=[{_HAN}{_CJK_PUNCT}])"
    rf"|(?<=[{_CJK_PUNCT}])[ \t]+|[ \t]+(?=[{_CJK_PUNCT}])"
)
# ASCII punctuation read in place of full-width between Han characters: "镇 : 现" → "镇:现"
_HAN_ASCII_PUNCT = re.compile(rf"(?<=[{_HAN}])[ \t]*([,.:;!?])[ \t]*(?=[{_HAN}])")


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


def clean_ocr_text(text: str) -> str:
    """Remove the spaces Tesseract puts between CJK characters; trim line ends."""
    text = _HAN_ASCII_PUNCT.sub(r"\1", _CJK_GAP.sub("", text))
    return "\n".join(line.rstrip() for line in text.splitlines()).strip()


def ocr_item(
    path: Path,
    mime: str,
    pages: list[int],
    languages: str,
    timeout_s: float,
    dpi: int = 300,
    max_image_pixels: int | None = None,
) -> list[PageText]:
    """OCR the given 1-based pages of an image (frames of a TIFF) or a PDF.

    ``timeout_s`` bounds the whole item; Tesseract runs with ``OMP_THREAD_LIMIT=1``.
    ``max_image_pixels`` (``Limits.max_image_pixels``) bounds the images decoded; Pillow's
    own default applies when it is None.
    """
    with pixel_limit(max_image_pixels):
        return _ocr_pages(path, mime, pages, languages, timeout_s, dpi)


def _ocr_pages(
    path: Path, mime: str, pages: list[int], languages: str, timeout_s: float, dpi: int
) -> list[PageText]:
    check_languages(languages)
    os.environ["OMP_THREAD_LIMIT"] = "1"  # inherited by the tesseract subprocess
    deadline = time.monotonic() + timeout_s
    from guwah.ingest.extractors.ocr_sources import ocr_source

    path, mime = ocr_source(path, mime, timeout_s)  # office → its derived PDF; DjVu → TIFF
    results: list[PageText] = []
    source = (
        _pdf_pages(path, pages, dpi) if mime == "application/pdf" else _image_pages(path, pages)
    )
    for page_no, img, page_dpi in source:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _timeout(page_no, timeout_s)
        text, conf = _tesseract(img, languages, left, page_dpi, page_no, timeout_s)
        results.append(PageText(page_no, text, "ocr", confidence=conf, language=languages))
    return results


def _timeout(page_no: int, timeout_s: float) -> ExtractionError:
    return ExtractionError(
        "timeout", f"OCR stopped at page {page_no}: it took longer than {timeout_s:g} s"
    )


def _tesseract(
    img: Image.Image, languages: str, left: float, dpi: int | None, page_no: int, total: float
) -> tuple[str, float | None]:
    import pytesseract

    config = "--psm 3" + (f" --dpi {dpi}" if dpi else "")
    try:
        data = pytesseract.image_to_data(
            img, lang=languages, config=config, timeout=left, output_type=pytesseract.Output.DICT
        )
    except RuntimeError as exc:  # pytesseract signals its timeout this way
        if "timeout" in str(exc).lower():
            raise _timeout(page_no, total) from exc
        raise ExtractionError("corrupt", f"OCR failed on page {page_no}: {exc}") from exc
    except pytesseract.TesseractNotFoundError as exc:
        raise ExtractionError(
            "unsupported", "Tesseract OCR is not installed: apt-get install tesseract-ocr"
        ) from exc
    except pytesseract.TesseractError as exc:
        raise ExtractionError("corrupt", f"OCR failed on page {page_no}: {exc}") from exc
    return _assemble(data)


def _assemble(data: dict[str, list[Any]]) -> tuple[str, float | None]:
    """Text (lines and paragraphs as Tesseract found them) and mean word confidence."""
    lines: list[str] = []
    confs: list[float] = []
    current: tuple[int, int, int] | None = None
    words: list[str] = []
    last_par: tuple[int, int] | None = None
    for i, word in enumerate(data["text"]):
        word = (word or "").strip()
        conf = float(data["conf"][i])
        if not word or conf < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if key != current:
            if words:
                lines.append(" ".join(words))
            if last_par is not None and key[:2] != last_par:
                lines.append("")
            current, last_par, words = key, key[:2], []
        words.append(word)
        confs.append(conf)
    if words:
        lines.append(" ".join(words))
    mean = round(sum(confs) / len(confs), 2) if confs else None
    return clean_ocr_text("\n".join(lines)), mean


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
