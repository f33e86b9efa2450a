"""OCR as a step of its own: scans found at ingest are OCR'd, resumably, with custody."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
from sqlalchemy import select

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor
from guwah.ingest.ocr_stage import run_ocr
from guwah.ingest.pipeline import ingest
from guwah.store.custody import verify
from guwah.store.models import CustodyEvent, Item, Occurrence, Page
from tests.conftest import jpeg_bytes
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
