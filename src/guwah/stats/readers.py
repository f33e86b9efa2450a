"""Grids out of a preserved original: its stored sheets and cells, the text layer of its PDF
pages (text runs with their boxes, pypdfium2), or OCR words with boxes and confidence
(Tesseract, through the same page rendering as ``guwah ocr``)."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.config import Limits
from guwah.ingest.registry import ExtractionError
from guwah.stats.grid import Box, Grid, GridCell, boxes_to_grid
from guwah.store.models import Cell, Item, Page, Sheet

_RANGE = re.compile(r"^([A-Z]+)(\d+):([A-Z]+)(\d+)$")
MIN_TEXT_CHARS = 16  # fewer characters on a page: no text layer, read it by OCR


def sheet_grids(session: Session, item: Item) -> Iterator[Grid]:
    """One grid per stored sheet, cells at their sheet row and column."""
    sheets = session.scalars(
        select(Sheet).where(Sheet.item_id == item.id).order_by(Sheet.sheet_index)
    ).all()
    for sheet in sheets:
        where = {"sheet_index": sheet.sheet_index, "sheet": sheet.name}
        cells: dict[tuple[int, int], GridCell] = {}
        for cell in session.scalars(select(Cell).where(Cell.sheet_id == sheet.id)):
            cells[(cell.row, cell.col)] = GridCell(
                cell.row, cell.col, cell.value, None, {**where, "row": cell.row, "col": cell.col}
            )
        yield Grid(cells, where, merged=[m for m in map(_span, sheet.merged or []) if m])


def text_grids(session: Session, item: Item) -> Iterator[Grid]:
    """A delimited text file (CSV, tab-separated) that ingest stored as text: its decoded
    text (GB18030/GBK/UTF-8, decoded by the text extractor) read as rows and columns."""
    pages = session.scalars(
        select(Page).where(Page.item_id == item.id, Page.method == "text").order_by(Page.page_no)
    ).all()
    text = "\n".join(p.text for p in pages)
    if not text.strip():
        return
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    where = {"method": "csv"}
    cells: dict[tuple[int, int], GridCell] = {}
    for r, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        for c, value in enumerate(row, start=1):
            if value.strip():
                cells[(r, c)] = GridCell(r, c, value, None, {**where, "row": r, "col": c})
    yield Grid(cells, where)


def _span(ref: Any) -> tuple[int, int, int, int] | None:
    if isinstance(ref, list | tuple) and len(ref) == 4:
        a, b, c, d = (int(v) for v in ref)
        return a, b, c, d
    m = _RANGE.match(str(ref))
    if not m:
        return None
    col0, row0, col1, row1 = m.groups()
    return int(row0), int(row1), _col(col0), _col(col1)


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def pdf_grids(path: Path, languages: str, limits: Limits) -> Iterator[Grid]:
    """One grid per page: from the text layer, or by OCR where the page has none."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise ExtractionError("corrupt", f"the PDF cannot be opened: {exc}") from exc
    ocr_pages: list[int] = []
    try:
        for i in range(min(len(pdf), limits.max_pdf_pages)):
            page = pdf[i]
            try:
                textpage = page.get_textpage()
                try:
                    boxes = text_runs(textpage, page.get_height())
                finally:
                    textpage.close()
            finally:
                page.close()
            if sum(len(b.text) for b in boxes) < MIN_TEXT_CHARS:
                ocr_pages.append(i + 1)
                continue
            yield boxes_to_grid(boxes, {"page": i + 1, "method": "text"})
    finally:
        pdf.close()
    if ocr_pages:
        yield from ocr_grids(path, "application/pdf", ocr_pages, languages, limits)


def text_runs(textpage: Any, height: float) -> list[Box]:
    """The page's characters grouped into runs: a new run at whitespace, at a gap wider
    than about half a character, or on a new line (top-down page coordinates)."""
    boxes: list[Box] = []
    text: list[str] = []
    x0 = y0 = x1 = y1 = 0.0
    for i in range(textpage.count_chars()):
        ch = textpage.get_text_range(i, 1)
        if not ch or ch.isspace():
            if text:
                boxes.append(Box(x0, height - y1, x1, height - y0, "".join(text)))
                text = []
            continue
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        h = max(top - bottom, 1.0)
        if text and (left - x1 > 0.5 * h or abs(bottom - y0) > 0.5 * h or left < x0 - h):
            boxes.append(Box(x0, height - y1, x1, height - y0, "".join(text)))
            text = []
        if not text:
            x0, y0, x1, y1 = left, bottom, right, top
        else:
            x1, y0, y1 = max(x1, right), min(y0, bottom), max(y1, top)
        text.append(ch)
    if text:
        boxes.append(Box(x0, height - y1, x1, height - y0, "".join(text)))
    return boxes


def ocr_grids(
    path: Path, mime: str, pages: list[int], languages: str, limits: Limits
) -> Iterator[Grid]:
    """OCR words (with confidence) of a scan or image-only PDF pages, as grids; bounded by
    the case's pixel limit and OCR timeout, one single-threaded Tesseract."""
    import pytesseract

    from guwah.ingest.bounds import pixel_limit
    from guwah.ingest.ocr import _image_pages, _pdf_pages, check_languages

    check_languages(languages)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    with pixel_limit(limits.max_image_pixels):
        source = (
            _pdf_pages(path, pages, 300) if mime == "application/pdf" else _image_pages(path, pages)
        )
        for page_no, img, dpi in source:
            config = "--psm 6" + (f" --dpi {dpi}" if dpi else "")
            try:
                data = pytesseract.image_to_data(
                    img,
                    lang=languages,
                    config=config,
                    timeout=limits.ocr_timeout_s,
                    output_type=pytesseract.Output.DICT,
                )
            except (RuntimeError, pytesseract.TesseractError) as exc:
                raise ExtractionError("ocr", f"OCR failed on page {page_no}: {exc}") from exc
            boxes = []
            for k, word in enumerate(data["text"]):
                word = (word or "").strip()
                conf = float(data["conf"][k])
                if not word or conf < 0:
                    continue
                x, y, w, h = data["left"][k], data["top"][k], data["width"][k], data["height"][k]
                boxes.append(Box(x, y, x + w, y + h, word, conf))
            yield boxes_to_grid(boxes, {"page": page_no, "method": "ocr"})
