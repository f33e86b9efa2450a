"""Spreadsheet extractors: xlsx/xlsm (openpyxl), xls (xlrd), ods, csv.

Every sheet becomes a :class:`SheetData` of non-empty cells at their 1-based coordinates in
the file, with merged ranges, so later stages can find title rows and multi-row headers.
Values are strings that keep what the file holds: an integral number loses its spurious
``.0``, but a float that stands for an 18-digit ID number is written as the float it is
(``6.53121199001011e+17``) and flagged, never silently "repaired".
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from guwah.cellrefs import col_letter, parse_cell_ref
from guwah.config import Limits
from guwah.ingest.extractors.common import (
    ZIP_MEMBER_ERRORS,
    check_ole_encrypted,
    clean,
    decode_text,
    is_ole,
    jsonable,
    office_zip_props,
    open_zip,
    read_bounded,
)
from guwah.ingest.registry import (
    ExtractContext,
    Extraction,
    ExtractionError,
    Extractor,
    SheetData,
    register,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS = "application/vnd.ms-excel"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
CSV = "text/csv"

_SAFE_INT = 2**53  # integral floats below this are exact
_BIG_FLOAT = 1e15  # floats from here on may be ID numbers that lost digits


def format_number(value: float | int) -> str:
    """A number as the file holds it: ``3.0`` → ``3``; large or fractional floats by repr."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value.is_integer() and abs(value) < _SAFE_INT:
        return str(int(value))
    return repr(value)


def format_datetime(value: datetime | date | time) -> str:
    """ISO 8601; a datetime at midnight is written as a date."""
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat()
    return value.isoformat()


class _Sheet:
    """Collects the cells of one sheet within the cell limit."""

    def __init__(self, index: int, name: str, limit: int) -> None:
        self.data = SheetData(index=index, name=clean(name))
        self.limit = limit
        self.big_floats: list[str] = []

    @property
    def full(self) -> bool:
        return self.data.truncated

    def add(self, row: int, col: int, value: Any) -> bool:
        """Add a cell from a Python value; False once the sheet is full."""
        vtype, text = _typed(value)
        if not text or not text.strip():
            return True
        if isinstance(value, float) and abs(value) >= _BIG_FLOAT and len(self.big_floats) < 5:
            self.big_floats.append(f"{col_letter(col)}{row}={text}")
        return self.add_text(row, col, text, vtype)

    def add_text(self, row: int, col: int, text: str, vtype: str) -> bool:
        if len(self.data.cells) >= self.limit:
            self.data.truncated = True
            return False
        self.data.cells.append((row, col, text, vtype))
        self.data.n_rows = max(self.data.n_rows, row)
        self.data.n_cols = max(self.data.n_cols, col)
        return True

    def warnings(self) -> list[str]:
        out = []
        if self.data.truncated:
            out.append(
                f"sheet {self.data.name!r}: more than {self.limit:,} cells; the rest was not "
                "read (max_sheet_cells)"
            )
        if self.big_floats:
            out.append(
                f"sheet {self.data.name!r}: numbers of 16 or more digits stored as floating "
                f"point ({', '.join(self.big_floats)}): digits beyond the 15th may already "
                "be lost in the file; kept as stored"
            )
        return out


def _typed(value: Any) -> tuple[str, str]:
    if isinstance(value, str):
        return "s", clean(value)
    if isinstance(value, bool):
        return "b", "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return "n", format_number(value)
    if isinstance(value, datetime | date | time):
        return "d", format_datetime(value)
    if isinstance(value, timedelta):
        return "n", format_number(value.total_seconds() / 86400)
    return "s", clean(str(value))


# -- xlsx -----------------------------------------------------------------------------------

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
_FORMULA = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)<)'
)
_BOUNDARY = re.compile(rb"<(?:\w+:)?(?:c|mergeCell)\b")
_MAX_FORMULA_CELLS = 100_000


def _scan_sheet_xml(zf: zipfile.ZipFile, part: str) -> tuple[list[str], dict[str, str]]:
    """Merged ranges and formula cells of a worksheet, by a streaming regex scan.

    openpyxl's read-only mode (needed to keep big sheets out of memory) reads neither.
    """
    merged: list[str] = []
    formulas: dict[str, str] = {}
    try:
        fh = zf.open(part.lstrip("/"))
    except KeyError:
        return merged, formulas
    with fh:
        buf = b""
        while True:
            chunk = fh.read(1 << 20)
            buf += chunk
            if chunk:
                cut = _last_boundary(buf)
                if cut <= 0:
                    continue
                head, buf = buf[:cut], buf[cut:]
            else:
                head, buf = buf, b""
            merged.extend(m.decode("ascii") for m in _MERGE.findall(head))
            for m in _FORMULA.finditer(head):
                if len(formulas) < _MAX_FORMULA_CELLS:
                    formulas[m.group(1).decode("ascii")] = _xml_unescape(m.group(2) or b"")
            if not chunk:
                break
    return merged, formulas


def _last_boundary(buf: bytes) -> int:
    """Offset of the last element start at which no match can be split."""
    start = max(0, len(buf) - (64 << 10))
    last = -1
    for m in _BOUNDARY.finditer(buf, start):
        last = m.start()
    if last < 0 and start > 0:
        return start  # a huge element: give up exactness for bounded memory
    return last


def _xml_unescape(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    for ent, ch in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(ent, ch)
    return clean(text)


def _extract_xlsx(path: Path, limits: Limits, out: Extraction) -> None:
    check_ole_encrypted(path, "Excel workbook")
    with open_zip(path, limits, "Excel workbook") as zf:
        out.meta["office"] = office_zip_props(zf)
        import openpyxl

        try:
            with warnings.catch_warnings(), path.open("rb") as fh:
                warnings.simplefilter("ignore")
                wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
                try:
                    _read_xlsx_sheets(wb, zf, limits, out)
                finally:
                    wb.close()
        except ExtractionError:
            raise
        except Exception as exc:  # openpyxl raises many kinds of errors on damaged parts
            raise ExtractionError("corrupt", f"damaged Excel workbook: {clean(str(exc))}") from exc


def _read_xlsx_sheets(wb: Any, zf: zipfile.ZipFile, limits: Limits, out: Extraction) -> None:
    formula_meta: dict[str, Any] = {}
    for index, name in enumerate(wb.sheetnames):
        ws = wb[name]
        if not hasattr(ws, "iter_rows"):  # a chartsheet
            continue
        part = getattr(ws, "_worksheet_path", "") or ""
        merged, formulas = _scan_sheet_xml(zf, part) if part else ([], {})
        ws.reset_dimensions()  # a wrong <dimension> would otherwise cut rows off
        sheet = _Sheet(index, name, limits.max_sheet_cells)
        _xlsx_cells(ws, sheet, formulas)
        sheet.data.merged = merged
        out.sheets.append(sheet.data)
        out.warnings.extend(sheet.warnings())
        if formulas:
            formula_meta[clean(name)] = {"count": len(formulas), "cells": list(formulas)[:200]}
    if formula_meta:
        out.meta["formulas"] = formula_meta


def _xlsx_cells(ws: Any, sheet: _Sheet, formulas: dict[str, str]) -> None:
    pending = {parse_cell_ref(ref): formula for ref, formula in formulas.items() if formula}
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if value is None:
                continue
            if not sheet.add(cell.row, cell.column, value):
                return
            if pending:
                pending.pop((cell.row, cell.column), None)
    # A formula without a cached result (never recalculated) is kept as its formula.
    for (row, col), formula in pending.items():
        if not sheet.add_text(row, col, "=" + formula, "f"):
            break
    if pending:
        sheet.data.cells.sort(key=lambda c: (c[0], c[1]))


# -- xls ------------------------------------------------------------------------------------


def _extract_xls(path: Path, limits: Limits, out: Extraction) -> None:
    check_ole_encrypted(path, "Excel workbook")
    import xlrd

    book = _open_xls(path)
    try:
        out.meta["office"] = _ole_props(path)
        if not book.formatting_info:
            out.warnings.append("merged cells unknown: the workbook's formatting is unreadable")
        for index in range(book.nsheets):
            try:
                sh = book.sheet_by_index(index)
            except Exception as exc:  # xlrd reads a sheet's records only now
                raise ExtractionError("corrupt", f"damaged Excel sheet {index + 1}: {exc}") from exc
            sheet = _Sheet(index, sh.name, limits.max_sheet_cells)
            _xls_cells(sh, book.datemode, sheet, xlrd)
            sheet.data.merged = [
                f"{col_letter(c0 + 1)}{r0 + 1}:{col_letter(c1)}{r1}"
                for r0, r1, c0, c1 in sh.merged_cells
            ]
            out.sheets.append(sheet.data)
            out.warnings.extend(sheet.warnings())
            book.unload_sheet(index)
    finally:
        book.release_resources()


def _open_xls(path: Path) -> Any:
    import xlrd

    last: Exception | None = None
    for formatting in (True, False):
        try:
            return xlrd.open_workbook(
                str(path), formatting_info=formatting, on_demand=True, logfile=io.StringIO()
            )
        except xlrd.XLRDError as exc:
            if "encrypted" in str(exc).lower():
                raise ExtractionError(
                    "encrypted",
                    "encrypted Excel workbook: the cells cannot be read without the password",
                ) from exc
            last = exc
        except NotImplementedError as exc:  # formatting_info on BIFF versions xlrd lacks
            last = exc
        except Exception as exc:  # damaged compound documents fail in many ways
            last = exc
            break
    raise ExtractionError("corrupt", f"damaged Excel workbook: {clean(str(last))}")


def _xls_cells(sh: Any, datemode: int, sheet: _Sheet, xlrd: Any) -> None:
    for r in range(sh.nrows):
        types = sh.row_types(r)
        values = sh.row_values(r)
        for c, (ctype, value) in enumerate(zip(types, values, strict=False)):
            if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                continue
            if ctype == xlrd.XL_CELL_DATE:
                with contextlib.suppress(xlrd.xldate.XLDateError, ValueError, OverflowError):
                    value = xlrd.xldate_as_datetime(value, datemode)
            elif ctype == xlrd.XL_CELL_BOOLEAN:
                value = bool(value)
            elif ctype == xlrd.XL_CELL_ERROR:
                value = xlrd.error_text_from_code.get(value, "#ERR")
            if not sheet.add(r + 1, c + 1, value):
                return


def _ole_props(path: Path) -> dict[str, Any]:
    """Summary information of an OLE file (author, dates, application)."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            md = ole.get_metadata()
    except Exception:  # the properties are optional; the cells matter
        return {}
    props = {
        "creator": md.author,
        "last_modified_by": md.last_saved_by,
        "created": md.create_time,
        "modified": md.last_saved_time,
        "application": md.creating_application,
        "title": md.title,
        "subject": md.subject,
        "company": md.company,
        "last_printed": md.last_printed,
        "revision": md.revision_number,
        "template": md.template,
        "pages": md.num_pages,
    }
    out = {k: jsonable(v) for k, v in props.items() if v not in (None, b"", "")}
    if "creator" in out:
        out["author"] = out["creator"]
    return out


# -- ods ------------------------------------------------------------------------------------

_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_X = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_M = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_MAX_REPEAT = 10_000  # a repeated *non-empty* row or cell is expanded at most this often


def _extract_ods(path: Path, limits: Limits, out: Extraction) -> None:
    """OpenDocument spreadsheet, streamed from content.xml.

    odfpy builds a full DOM of content.xml in pure Python; a streaming parse keeps memory
    bounded for large sheets.
    """
    with open_zip(path, limits, "OpenDocument spreadsheet") as zf:
        out.meta["office"] = _ods_props(zf)
        try:
            with zf.open("content.xml") as fh:
                for sheet in _ods_sheets(fh, limits):
                    out.sheets.append(sheet.data)
                    out.warnings.extend(sheet.warnings())
        except KeyError as exc:
            raise ExtractionError("corrupt", "damaged spreadsheet: content.xml missing") from exc
        except (ET.ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise ExtractionError("corrupt", f"damaged OpenDocument spreadsheet: {exc}") from exc


def _ods_sheets(fh: Any, limits: Limits) -> Iterator[_Sheet]:
    sheet: _Sheet | None = None
    row = col = 0
    for event, el in ET.iterparse(fh, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == _T + "table":
                sheet = _Sheet(_next_index(sheet), el.get(_T + "name", ""), limits.max_sheet_cells)
                row = 0
            elif tag == _T + "table-row":
                col = 0
            continue
        if sheet is None:
            continue
        if tag in (_T + "table-cell", _T + "covered-table-cell"):
            col = _ods_cell(el, sheet, row + 1, col, tag == _T + "table-cell")
            el.clear()
        elif tag == _T + "table-row":
            row += _ods_row_repeat(el, sheet, row + 1)
            el.clear()
        elif tag == _T + "table":
            yield sheet
            el.clear()


def _next_index(previous: _Sheet | None) -> int:
    return 0 if previous is None else previous.data.index + 1


def _ods_cell(el: ET.Element, sheet: _Sheet, row: int, col: int, real: bool) -> int:
    """Record one (possibly repeated) cell; returns the column reached."""
    repeat = int(el.get(_T + "number-columns-repeated", "1") or 1)
    if not real or sheet.full:
        return col + repeat
    value = _ods_value(el)
    if value is None:
        return col + repeat
    vtype, text = value
    span_c = int(el.get(_T + "number-columns-spanned", "1") or 1)
    span_r = int(el.get(_T + "number-rows-spanned", "1") or 1)
    for i in range(min(repeat, _MAX_REPEAT)):
        c = col + i + 1
        if not sheet.add_text(row, c, text, vtype):
            break
        if span_c > 1 or span_r > 1:
            sheet.data.merged.append(
                f"{col_letter(c)}{row}:{col_letter(c + span_c - 1)}{row + span_r - 1}"
            )
    return col + repeat


def _ods_row_repeat(el: ET.Element, sheet: _Sheet, row: int) -> int:
    """Copy the cells of a repeated non-empty row; returns how many rows it stands for."""
    repeat = int(el.get(_T + "number-rows-repeated", "1") or 1)
    if repeat > 1:
        cells = sheet.data.cells
        start = len(cells)
        while start > 0 and cells[start - 1][0] == row:
            start -= 1
        this_row = cells[start:]
        for i in range(1, min(repeat, _MAX_REPEAT)):
            for _r, c, text, vtype in this_row:
                if not sheet.add_text(row + i, c, text, vtype):
                    return repeat
    return repeat


def _ods_value(el: ET.Element) -> tuple[str, str] | None:
    vt = el.get(_O + "value-type")
    if vt in ("float", "percentage", "currency"):
        raw = clean(el.get(_O + "value", ""))
        if "." in raw or "e" in raw.lower():
            try:
                return "n", format_number(float(raw))
            except ValueError:
                pass
        return "n", raw
    if vt == "date":
        raw = el.get(_O + "date-value", "")
        return "d", raw[:10] if raw.endswith("T00:00:00") else raw
    if vt == "time":
        return "d", el.get(_O + "time-value", "")
    if vt == "boolean":
        return "b", "TRUE" if el.get(_O + "boolean-value") == "true" else "FALSE"
    text = "\n".join(_odf_text(p) for p in el if p.tag == _X + "p")
    if vt == "string" and el.get(_O + "string-value") is not None and not text:
        text = el.get(_O + "string-value", "")
    text = clean(text)
    return ("s", text) if text.strip() else None


def _odf_text(el: ET.Element) -> str:
    parts = [el.text or ""]
    for child in el:
        if child.tag == _X + "s":
            parts.append(" " * int(child.get(_X + "c", "1") or 1))
        elif child.tag == _X + "tab":
            parts.append("\t")
        elif child.tag == _X + "line-break":
            parts.append("\n")
        else:
            parts.append(_odf_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _ods_props(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        root = ET.fromstring(zf.read("meta.xml"))
    except (KeyError, ET.ParseError, *ZIP_MEMBER_ERRORS):
        return {}
    props: dict[str, Any] = {}
    for key, tag in (
        ("creator", _M + "initial-creator"),
        ("last_modified_by", _DC + "creator"),
        ("created", _M + "creation-date"),
        ("modified", _DC + "date"),
        ("application", _M + "generator"),
        ("title", _DC + "title"),
        ("subject", _DC + "subject"),
        ("last_printed", _M + "print-date"),
        ("printed_by", _M + "printed-by"),
        ("revision", _M + "editing-cycles"),
    ):
        found = root.find(f".//{tag}")
        if found is not None and found.text:
            props[key] = clean(found.text.strip())
    template = root.find(f".//{_M}template")
    if template is not None:
        href = template.get("{http://www.w3.org/1999/xlink}href")
        props["template"] = clean(href or template.get(f"{_M}title") or "")
    if "creator" in props:
        props["author"] = props["creator"]
    return props


# -- csv ------------------------------------------------------------------------------------

_DELIMITERS = (",", "\t", ";", "|", "\uff0c")  # the last: full-width comma (，)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently."""
    lines = [ln for ln in text[:65536].splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", 0.0
    for delim in _DELIMITERS:
        counts = [ln.count(delim) for ln in lines]
        common = max(set(counts), key=counts.count)
        if common == 0:
            continue
        score = counts.count(common) / len(counts) + min(common, 50) / 1000
        if score > best_score:
            best, best_score = delim, score
    return best


def _extract_csv(path: Path, limits: Limits, out: Extraction) -> None:
    try:
        data, cut = read_bounded(path, limits.max_text_bytes)
    except OSError as exc:
        raise ExtractionError("corrupt", f"cannot read file: {exc}") from exc
    if cut:
        out.warnings.append(f"CSV larger than {limits.max_text_bytes:,} bytes: only the start read")
    text, encoding = decode_text(data)
    text = text.lstrip("\ufeff")
    delim = sniff_delimiter(text)
    out.meta["encoding"] = encoding
    out.meta["delimiter"] = delim
    sheet = _Sheet(0, "csv", limits.max_sheet_cells)
    csv.field_size_limit(max(limits.max_text_bytes, 1 << 17))
    try:
        for r, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delim), 1):
            for c, value in enumerate(row, 1):
                if value.strip() and not sheet.add_text(r, c, value, "s"):
                    break
            if sheet.full:
                break
    except csv.Error as exc:
        raise ExtractionError("corrupt", f"malformed CSV: {exc}") from exc
    out.sheets.append(sheet.data)
    out.warnings.extend(sheet.warnings())


# -- the extractor --------------------------------------------------------------------------


@register
class SpreadsheetExtractor(Extractor):
    name = "spreadsheet"
    version = "1"
    mimetypes = frozenset({XLSX, XLS, ODS, CSV})

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        out = Extraction()
        if mime == CSV:
            _extract_csv(path, ctx.limits, out)
            return out
        if path.stat().st_size == 0:
            raise ExtractionError("corrupt", "empty file: no spreadsheet to read")
        # The container decides, not the label: an "xls" may be an xlsx and vice versa.
        if is_ole(path):
            _extract_xls(path, ctx.limits, out)
        elif zipfile.is_zipfile(path):
            if mime == ODS or _is_ods(path):
                _extract_ods(path, ctx.limits, out)
            else:
                _extract_xlsx(path, ctx.limits, out)
        else:
            raise ExtractionError(
                "corrupt", "damaged spreadsheet: neither an OLE (xls) nor a zip (xlsx/ods) file"
            )
        return out


def _is_ods(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.read("mimetype").startswith(b"application/vnd.oasis.opendocument")
    except (KeyError, zipfile.BadZipFile, OSError, EOFError):
        return False
