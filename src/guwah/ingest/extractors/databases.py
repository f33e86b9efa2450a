"""Database files as sheets of cells (the spreadsheet model, so records can be built from
them): dBASE .dbf (dbfread) and Access .mdb/.accdb (mdbtools: ``mdb-tables``,
``mdb-export``). Row 1 of each sheet holds the field names; records start on row 2."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from guwah.ingest.extractors.common import run_tool
from guwah.ingest.extractors.spreadsheets import _Sheet
from guwah.ingest.registry import (
    ExtractContext,
    Extraction,
    ExtractionError,
    Extractor,
    register,
)

DBF_TYPES = frozenset({"application/x-dbf", "application/dbase", "application/x-dbase"})
MDB_TYPES = frozenset({"application/x-msaccess", "application/vnd.ms-access"})
_MDB_SECONDS = 60.0


@register
class DbfExtractor(Extractor):
    name = "dbf"
    version = "1"
    mimetypes = DBF_TYPES

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        import dbfread

        out = Extraction()
        try:
            table = dbfread.DBF(str(path), load=False, char_decode_errors="replace")
            encoding = table.encoding
            if encoding in ("ascii", "cp437") and _looks_gb(path):
                table = dbfread.DBF(
                    str(path), load=False, encoding="gb18030", char_decode_errors="replace"
                )
                encoding = "gb18030"
            sheet = _Sheet(0, path.stem[:64] or "table", ctx.limits.max_sheet_cells)
            names = list(table.field_names)
            for col, field in enumerate(names, start=1):
                sheet.add(1, col, field)
            n = 0
            for n, record in enumerate(table, start=2):
                for col, field in enumerate(names, start=1):
                    if not sheet.add(n, col, record.get(field)):
                        break
                if sheet.full:
                    break
        except (ValueError, OSError, EOFError, KeyError, IndexError) as exc:
            raise ExtractionError("corrupt", f"damaged dBASE file: {exc}") from exc
        except Exception as exc:  # dbfread raises its own errors and struct errors
            raise ExtractionError("corrupt", f"damaged dBASE file: {exc}") from exc
        out.sheets.append(sheet.data)
        out.warnings += sheet.warnings()
        out.meta["dbf"] = {
            "fields": names,
            "records": max(0, n - 1),
            "encoding": encoding,
            "version": getattr(table.header, "dbversion", None),
            "updated": str(table.date) if table.date else None,
        }
        return out


def _looks_gb(path: Path) -> bool:
    """Non-ASCII bytes in a .dbf that declares no code page: Chinese files usually are GBK."""
    with path.open("rb") as fh:
        sample = fh.read(1 << 16)
    return any(b > 0x7F for b in sample[32:])


@register
class AccessExtractor(Extractor):
    name = "access"
    version = "1"
    mimetypes = MDB_TYPES

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        if shutil.which("mdb-tables") is None:
            raise ExtractionError(
                "unsupported", "mdbtools is not installed: apt-get install mdbtools"
            )
        out = Extraction()
        tables = [t for t in _mdb(["mdb-tables", "-1", str(path)]).splitlines() if t.strip()]
        budget = ctx.limits.max_sheet_cells
        for index, table in enumerate(tables):
            sheet = _Sheet(index, table[:64], budget)
            text = _mdb(["mdb-export", "-D", "%Y-%m-%d %H:%M:%S", str(path), table])
            for row, values in enumerate(csv.reader(io.StringIO(text)), start=1):
                for col, value in enumerate(values, start=1):
                    if not sheet.add(row, col, value):
                        break
                if sheet.full:
                    break
            budget = max(1, budget - len(sheet.data.cells))
            out.sheets.append(sheet.data)
            out.warnings += sheet.warnings()
        out.meta["access"] = {"tables": tables}
        ver = _mdb(["mdb-ver", str(path)]).strip()
        if ver:
            out.meta["access"]["version"] = ver
        return out


def _mdb(cmd: list[str]) -> str:
    return run_tool(cmd, "Access database", _MDB_SECONDS)
