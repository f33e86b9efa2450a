"""OCR as a step of its own: scans found at ingest are OCR'd, resumably, with custody."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pypdfium2
import pytest
from sqlalchemy import select

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor
from guwah.ingest.ocr_stage import run_ocr
from guwah.ingest.pipeline import ingest
from guwah.store.custody import verify
from guwah.store.models import CustodyEvent, Item, Occurrence, Page
from tests.conftest import jpeg_bytes, run_cli
from tests.test_ocr import LINES, TITLE, needs_font, needs_tesseract, photo_like, render


def _image_only_pdf(path: Path) -> None:
    pdf = pypdfium2.PdfDocument.new()
    page = pdf.new_page(612, 792)
    scan = render(LINES).convert("RGB")
    image = pypdfium2.PdfImage.new(pdf)
    image.set_bitmap(pypdfium2.PdfBitmap.from_pil(scan))
    image.set_matrix(
        pypdfium2.PdfMatrix().scale(560, 560 * scan.height / scan.width).translate(26, 400)
    )
    page.insert_obj(image)
    page.gen_content()
    pdf.save(path)


def _by_path(case: Case) -> dict[str, Item]:
    with case.sessions() as s:
        rows = s.execute(select(Occurrence.path, Item).join(Item, Item.id == Occurrence.item_id))
        return {path: item for path, item in rows}


@needs_tesseract
@needs_font
def test_scans_are_ocrd_photos_are_not_unless_forced(case: Case, tmp_path: Path) -> None:
    leak = tmp_path / "leak"
    leak.mkdir()
    render(LINES).save(leak / "scan.png")
    _image_only_pdf(leak / "scanned-order.pdf")
    buf = io.BytesIO()
    photo_like().save(buf, "JPEG")
    (leak / "photo.jpg").write_bytes(buf.getvalue())
    (leak / "small.jpg").write_bytes(jpeg_bytes(3))

    ingest(case, [leak], executor=ProcessExecutor(workers=2))
    items = _by_path(case)
    assert items["scan.png"].ocr_status == "pending"
    assert items["scanned-order.pdf"].ocr_status == "pending"
    assert items["photo.jpg"].ocr_status is None  # the cheap test said: no text here

    stats = run_ocr(case, executor=ProcessExecutor(workers=2))
    assert stats.items == 2 and stats.errors == 0
    items = _by_path(case)
    with case.sessions() as s:
        for name in ("scan.png", "scanned-order.pdf"):
            assert items[name].ocr_status == "done"
            pages = s.scalars(
                select(Page).where(Page.item_id == items[name].id, Page.method == "ocr")
            ).all()
            assert len(pages) == 1 and pages[0].page_no == 1
            assert TITLE in pages[0].text
            assert pages[0].confidence is not None and pages[0].confidence > 50
        events = s.scalars(select(CustodyEvent).where(CustodyEvent.event == "ocr")).all()
        assert {e.item_sha256 for e in events} == {
            items["scan.png"].sha256,
            items["scanned-order.pdf"].sha256,
        }
        assert verify(s, case.blobs).ok

    # nothing pending: a second run does nothing
    assert run_ocr(case, executor=ProcessExecutor(workers=2)).items == 0
    # --force reads the photos too, and replaces earlier OCR pages rather than adding to them
    forced = run_ocr(case, force=True, executor=ProcessExecutor(workers=2))
    assert forced.items == 4
    with case.sessions() as s:
        photo_pages = s.scalars(
            select(Page).where(Page.item_id == items["photo.jpg"].id, Page.method == "ocr")
        ).all()
        assert len(photo_pages) == 1
        scan_pages = s.scalars(
            select(Page).where(Page.item_id == items["scan.png"].id, Page.method == "ocr")
        ).all()
        assert len(scan_pages) == 1


@needs_tesseract
@needs_font
def test_a_tesseract_that_crashes_is_recorded_and_retry_failed_reads_the_scan_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tesseract killed by SIGSEGV on every read (a broken build: outside guwah, so faked by
    a script in its place that answers only --list-langs and --version truthfully)."""
    leak, case_dir = tmp_path / "leak", tmp_path / "case"
    leak.mkdir()
    render(LINES).save(leak / "scan.png")
    (leak / "notes.txt").write_text("an ordinary file beside the scan\n", encoding="utf-8")
    real = shutil.which("tesseract")
    assert real is not None
    fake = tmp_path / "bin" / "tesseract"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        f'for a in "$@"; do case "$a" in --list-langs|--version) exec {real} "$@";; esac; done\n'
        "kill -SEGV $$\n"
    )
    fake.chmod(0o755)
    run_cli("init", case_dir)
    path = os.environ["PATH"]
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{path}")
    run_cli("ingest", leak, "--case", case_dir)  # the run goes on and ends normally
    items = _by_path(Case.open(case_dir))
    assert items["notes.txt"].status == "ok"
    scan = items["scan.png"]
    assert scan.status == "ok" and scan.ocr_status == "error"  # the original is kept
    assert scan.ocr_error is not None
    assert scan.ocr_error.startswith("crash: Tesseract crashed on page 1 (SIGSEGV)")
    assert "guwah ocr --retry-failed" in scan.ocr_error

    monkeypatch.setenv("PATH", path)  # Tesseract mended
    assert "OCR: 0 items" in " ".join(run_cli("ocr", "--case", case_dir).stdout.split())
    out = " ".join(run_cli("ocr", "--case", case_dir, "--retry-failed").stdout.split())
    assert "OCR: 1 items, 1 pages, 0 errors" in out, out
    case = Case.open(case_dir)
    scan = _by_path(case)["scan.png"]
    assert scan.ocr_status == "done" and scan.ocr_error is None
    with case.sessions() as s:
        [page] = s.scalars(select(Page).where(Page.item_id == scan.id, Page.method == "ocr"))
        assert TITLE in page.text
        assert verify(s, case.blobs).ok
