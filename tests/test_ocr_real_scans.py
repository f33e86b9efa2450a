"""guwah's OCR on real scans from Tesseract's test suite, against their typed ground truth,
beside plain Tesseract with the right model (the floor) on the same page.

The two-column magazine page is the case that matters: the join of Chinese lines that
Tesseract splits at a river of aligned commas (``ingest/ocr_layout.py``) once took its real
columns, 1.0–1.3 line heights apart, for one text and interleaved them (CER 69 %)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from guwah.ingest.ocr import ocr_item
from tests.test_ocr import needs_tesseract

SCANS = Path(__file__).parent / "files" / "scans"


def _cer(truth: str, got: str) -> float:
    ref, hyp = "".join(truth.split()), "".join(got.split())
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))


@needs_tesseract
@pytest.mark.parametrize("name", ["8071_093.3B", "eurotext", "phototest"])
def test_a_real_scan_reads_as_well_as_tesseract_with_the_right_model(name: str) -> None:
    scan, truth = SCANS / f"{name}.tif", (SCANS / f"{name}.txt").read_text(encoding="utf-8")
    floor = subprocess.run(
        ["tesseract", str(scan), "-", "-l", "eng"], capture_output=True, text=True, check=True
    ).stdout
    [got] = ocr_item(scan, "image/tiff", [1], "chi_sim+uig+eng", 300, per_page=True)
    assert got.detail["models"][0].startswith("eng"), got.detail  # no Han or Arabic guess
    assert got.language.startswith("eng"), got.detail
    assert _cer(truth, got.text) <= _cer(truth, floor) + 0.01, (got.detail, got.text[:400])


@needs_tesseract
def test_the_columns_of_a_magazine_page_are_read_column_after_column() -> None:
    [got] = ocr_item(SCANS / "8071_093.3B.tif", "image/tiff", [1], "eng", 300, per_page=True)
    text = " ".join(got.text.split())
    first = text.find("questioned her until he learned the")  # the last line of column one
    assert first != -1, text[:600]
    assert text.find("cause of her sadness") > first  # column two starts after it
    assert text.find("wandered around the") < first
