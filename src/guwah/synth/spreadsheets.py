"""Write sheet grids as xlsx (openpyxl), xls (xlwt) or csv (GBK, GB18030, UTF-8 with/without BOM).

A grid row ``i`` (0-based) is row ``i + 1`` of the file in every format.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import openpyxl
import xlwt
from openpyxl.styles import Alignment, Font

from .archives import normalise_ooxml

Cell = str | int | float | date | None


@dataclass
class Sheet:
    name: str
    rows: list[list[Cell]]
    merges: list[tuple[int, int, int, int]] = field(
        default_factory=list
    )  # r1, c1, r2, c2 (0-based)
    title_rows: int = 0
    date_format: str = "yyyy-mm-dd"


@dataclass
class Book:
    sheets: list[Sheet]
    author: str
    title: str
    created: datetime
    modified: datetime
    description: str


def to_xlsx(book: Book) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None or value == "":
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, date):
                    cell.number_format = sheet.date_format
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        for r in range(sheet.title_rows):
            top = ws.cell(row=r + 1, column=1)
            top.font = Font(bold=True, size=14 if r == 0 else 11)
            top.alignment = Alignment(horizontal="center" if r == 0 else "left")
        ws.column_dimensions["B"].width = 22
    p = wb.properties
    p.creator = book.author
    p.lastModifiedBy = book.author
    p.title = book.title
    p.description = book.description
    p.keywords = "SYNTHETIC"
    p.created = book.created
    p.modified = book.modified
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_ooxml(buf.getvalue(), book.modified, book.created, book.modified)


def _xls_style(fmt: str) -> xlwt.XFStyle:
    style = xlwt.XFStyle()
    style.num_format_str = fmt
    return style


def to_xls(book: Book) -> bytes:
    wb = xlwt.Workbook(encoding="utf-8")
    wb.owner = "SYNTHETIC guwah synth"
    for sheet in book.sheets:
        ws = wb.add_sheet(sheet.name, cell_overwrite_ok=True)
        date_style = _xls_style(sheet.date_format)
        title_style = xlwt.easyxf("font: bold on, height 280; align: horiz center")
        merged_at = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in sheet.merges}
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                if (r, c) in merged_at:
                    r2, c2 = merged_at[(r, c)]
                    style = title_style if r < sheet.title_rows else xlwt.XFStyle()
                    ws.write_merge(r, r2, c, c2, value if value is not None else "", style)
                    continue
                if value is None or value == "":
                    continue
                if isinstance(value, date):
                    ws.write(r, c, value, date_style)
                else:
                    ws.write(r, c, value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def to_csv(sheet: Sheet, encoding: str) -> bytes:
    """CSV in ``encoding`` ("gbk", "gb18030", "utf-8", "utf-8-sig"), CRLF line ends."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in sheet.rows:
        writer.writerow([_text(v) for v in row])
    return buf.getvalue().encode(encoding)
