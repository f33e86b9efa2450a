"""A long image-only PDF: `guwah ocr` shows its progress, and killed mid-document it resumes
at the pages not yet read, ending with exactly the pages of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pypdfium2
import pytest

from guwah.ingest.ocr_stage import PAGES_PER_TASK
from tests.conftest import run_cli
from tests.test_ocr import needs_font, needs_tesseract, render

N_PAGES = 4 * PAGES_PER_TASK


def _scanned_pdf(path: Path) -> None:
    """An image-only PDF of ``N_PAGES`` scans, each page numbered in its text."""
    pdf = pypdfium2.PdfDocument.new()
    for n in range(1, N_PAGES + 1):
        page = pdf.new_page(612, 300)
        scan = render([f"第{n}页 通知", f"Page {n} of the order"]).convert("RGB")
        image = pypdfium2.PdfImage.new(pdf)
        image.set_bitmap(pypdfium2.PdfBitmap.from_pil(scan))
        image.set_matrix(pypdfium2.PdfMatrix().scale(560, 560 * scan.height / scan.width))
        page.insert_obj(image)
        page.gen_content()
    pdf.save(path)


def _pages(case_dir: Path) -> list[tuple[int, str]]:
    db = sqlite3.connect(case_dir / "guwah.db", timeout=5)
    rows = db.execute(
        "SELECT page_no, text FROM pages WHERE method = 'ocr' ORDER BY page_no"
    ).fetchall()
    db.close()
    return [(int(n), str(t)) for n, t in rows]


def _case(tmp_path: Path, name: str, leak: Path) -> Path:
    case = tmp_path / name
    run_cli("init", case)
    run_cli("ingest", leak, "--case", case, "--no-ocr")
    return case


@needs_tesseract
@needs_font
@pytest.mark.slow
def test_a_long_scanned_pdf_killed_mid_document_resumes_to_the_clean_pages(
    tmp_path: Path,
) -> None:
    leak = tmp_path / "leak"
    leak.mkdir()
    _scanned_pdf(leak / "orders.pdf")
    clean = _case(tmp_path, "clean", leak)
    shown = run_cli("ocr", "--case", clean, "--workers", "2")
    assert "ocr pages" in shown.stdout + shown.stderr  # progress is shown by what it counts
    want = _pages(clean)
    assert [n for n, _ in want] == list(range(1, N_PAGES + 1))
    assert all(f"第{n}页" in text for n, text in want), want

    killed = _case(tmp_path, "killed", leak)
    proc = subprocess.Popen(
        [sys.executable, "-m", "guwah", "ocr", "--case", str(killed), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            done = len(_pages(killed))
        except sqlite3.Error:
            done = 0
        if done >= PAGES_PER_TASK:
            os.killpg(proc.pid, signal.SIGKILL)  # Tesseract and the workers die with it
            break
        time.sleep(0.05)
    proc.wait()
    part = _pages(killed)
    assert PAGES_PER_TASK <= len(part) < N_PAGES, "killed before the end, after a task"
    run_cli("ocr", "--case", killed, "--workers", "2")
    assert _pages(killed) == want
