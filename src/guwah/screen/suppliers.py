"""Supplier files (CSV in any mix of UTF-8 and GB18030, or XLSX) read into rows with their
line numbers; columns found by header words in Chinese or English."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

COLUMNS: dict[str, tuple[str, ...]] = {
    "name_zh": (
        "name_zh",
        "chinese name",
        "中文名称",
        "企业名称",
        "公司名称",
        "供应商名称",
        "名称",
    ),
    "name_en": (
        "name_en",
        "english name",
        "name",
        "company",
        "supplier",
        "supplier name",
        "英文名称",
    ),
    "address": ("address", "地址", "注册地址", "addr"),
    "country": ("country", "国家", "国家/地区"),
    "uscc": (
        "uscc",
        "registration",
        "registration code",
        "统一社会信用代码",
        "credit code",
        "reg_no",
    ),
    "parent": ("parent", "owner", "parent company", "母公司", "控股股东", "股东"),
    "id": ("id", "supplier id", "编号", "序号"),
}
MAX_ROWS = 1_000_000
MAX_CELL = 2_000


class SupplierFileError(ValueError):
    """A supplier file that cannot be read at all (the rows of a readable file fail alone)."""


@dataclass
class SupplierRow:
    line: int
    values: dict[str, str]
    warnings: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [v for k in ("name_zh", "name_en") if (v := self.values.get(k, "").strip())]


def _columns(header: list[str]) -> dict[str, int]:
    lowered = [h.strip().lower() for h in header]
    found: dict[str, int] = {}
    for key, words in COLUMNS.items():
        for w in words:
            if w in lowered and lowered.index(w) not in found.values():
                found[key] = lowered.index(w)
                break
    if "name_zh" not in found and "name_en" not in found:
        raise SupplierFileError(
            f"no supplier name column (one of: name, name_zh, name_en, 企业名称 …); "
            f"the header is: {', '.join(header[:12])}"
        )
    return found


def _decode_line(raw: bytes) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "not UTF-8: read as GB18030"
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), "undecodable bytes replaced (U+FFFD)"


def read_rows(path: Path) -> Iterator[SupplierRow]:
    """The rows of a supplier CSV or XLSX (by extension), header first line."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        yield from _xlsx(path)
    else:
        yield from _csv(path)


def _csv(path: Path) -> Iterator[SupplierRow]:
    with path.open("rb") as fh:
        first = fh.readline()
        header_text, _ = _decode_line(first.lstrip(b"\xef\xbb\xbf"))
        header = next(csv.reader([header_text]), [])
        cols = _columns(header)
        for n, raw in enumerate(fh, 2):
            if n > MAX_ROWS:
                raise SupplierFileError(f"more than {MAX_ROWS:,} rows; split the file")
            text, warning = _decode_line(raw)
            if not text.strip():
                continue
            try:
                cells = next(csv.reader(io.StringIO(text)), [])
            except csv.Error as exc:
                yield SupplierRow(n, {}, [f"unreadable CSV row: {exc}"])
                continue
            yield _row(n, cells, cols, warning)


def _xlsx(path: Path) -> Iterator[SupplierRow]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise SupplierFileError(f"{path.name}: not a readable XLSX ({exc})") from exc
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = [str(c or "") for c in next(rows, ())]
        cols = _columns(header)
        for n, cells in enumerate(rows, 2):
            if n > MAX_ROWS:
                raise SupplierFileError(f"more than {MAX_ROWS:,} rows; split the file")
            if not any(c not in (None, "") for c in cells):
                continue
            yield _row(n, ["" if c is None else str(c) for c in cells], cols, None)
    finally:
        wb.close()


def _row(n: int, cells: list[str], cols: dict[str, int], warning: str | None) -> SupplierRow:
    values = {k: (cells[i].strip()[:MAX_CELL] if i < len(cells) else "") for k, i in cols.items()}
    return SupplierRow(n, values, [warning] if warning else [])
