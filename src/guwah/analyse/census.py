"""Census denominators: population by county read from a census workbook, kept like evidence.

The layout is that of the county tables of the 2020 census compiled by Lei Dong et al.
(``census_county_2020_v1.xlsx``): one header row, then one row per region with its 6-digit
GB/T 2260 code (区划代码), names (省, 市, 区县), totals by sex, the minority share in percent
and 5-year age bands by sex (``男_65到69岁``). Columns are found by their header text, in any
order. A missing required column stops the import with its name; a missing optional column,
a code that is not 6 digits or that GB/T 2260 does not know, an empty value: each is a
problem stored with the import (row and column named), and the numbers that need it are
left empty by the analysis, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from guwah.case import Case, CaseError
from guwah.core import case_lock, utcnow
from guwah.store.blobs import BlobStore
from guwah.store.custody import CustodyLog
from guwah.store.models_analyse import CensusCounty, CensusImport

MAX_ROWS = 200_000
MAX_BYTES = 256 * 1024 * 1024  # a county table is a few MB; anything this big is not one
REQUIRED = {"code": "区划代码", "county": "区县", "total": "人口数_合计"}
OPTIONAL = {
    "province": "省",
    "prefecture": "市",
    "male": "人口数_男",
    "female": "人口数_女",
    "minority_share": "少数民族人口比重（%）",
}
_AGE = re.compile(r"^[男女]_(\d+到\d+岁|\d+岁(以上)?)$")
_YEAR = re.compile(r"(19|20)\d\d")


class CensusError(CaseError):
    """The census file cannot be imported at all; the message names the file and column."""


@dataclass
class CensusRow:
    code: str
    name: str
    prefecture: str
    province: str
    row: int
    total: int | None
    male: int | None
    female: int | None
    minority_share: float | None
    ages: dict[str, int | None]


@dataclass
class CensusTable:
    sheet: str
    year: int | None
    rows: list[CensusRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)


def _norm(header: Any) -> str:
    return re.sub(r"\s+", "", str(header or "")).replace("(", "（").replace(")", "）")


def _number(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    text = str(v).strip().replace(",", "")
    if text in ("", "NA", "-", "—", "N/A"):
        return None
    try:
        return float(text)
    except ValueError:
        return None


def known_code(code: str) -> bool:
    """Whether GB/T 2260 (python-stdnum's ``cn/loc``, every era) knows this region code."""
    from stdnum import numdb

    info = numdb.get("cn/loc").info(code)
    return len(info) >= 2 and bool(info[-1][1])


def read_census(path: Path) -> CensusTable:
    """Read a census workbook (first sheet whose header holds 区划代码)."""
    import openpyxl

    if path.stat().st_size > MAX_BYTES:
        raise CensusError(f"{path}: {path.stat().st_size:,} bytes is larger than a census table")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on a broken file
        raise CensusError(f"{path}: not a readable xlsx workbook ({exc})") from exc
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            cols = {_norm(h): i for i, h in enumerate(header) if h is not None}
            if REQUIRED["code"] not in cols and REQUIRED["total"] not in cols:
                continue
            missing = [h for h in REQUIRED.values() if h not in cols]
            if missing:
                raise CensusError(
                    f"{path}, sheet {ws.title}: required column(s) missing: "
                    + ", ".join(missing)
                    + f" (found: {', '.join(list(cols)[:12])}…)"
                )
            year = _YEAR.search(path.name + ws.title)
            table = CensusTable(ws.title, int(year.group(0)) if year else None)
            table.missing_columns = [h for h in OPTIONAL.values() if h not in cols]
            for h in table.missing_columns:
                table.problems.append(f"column {h} is missing: rates that need it are left empty")
            ages = [h for h in cols if _AGE.match(h)]
            if not ages:
                table.problems.append(
                    "no age columns (男_65到69岁 …): rates by age band use the resident lists only"
                )
            _read_rows(rows, cols, ages, table)
            return table
        raise CensusError(
            f"{path}: no sheet has a header with {REQUIRED['code']} or {REQUIRED['total']}"
        )
    finally:
        wb.close()


def _read_rows(rows: Any, cols: dict[str, int], ages: list[str], table: CensusTable) -> None:
    def get(row: tuple[Any, ...], header: str) -> Any:
        i = cols.get(header)
        return row[i] if i is not None and i < len(row) else None

    for n, row in enumerate(rows, start=2):
        if n > MAX_ROWS:
            table.problems.append(f"more than {MAX_ROWS:,} rows: the rest is not read")
            break
        raw = get(row, REQUIRED["code"])
        code = str(int(raw)) if isinstance(raw, int | float) else str(raw or "").strip()
        if code in ("", "NA"):
            continue  # the national total and blank rows
        if not re.fullmatch(r"\d{6}", code):
            table.problems.append(f"row {n}: code {code!r} is not a 6-digit region code")
            continue
        if not known_code(code):
            table.problems.append(f"row {n}: code {code} is not a GB/T 2260 region code")
            continue
        total = _number(get(row, REQUIRED["total"]))
        if total is None:
            table.problems.append(f"row {n} ({code}): {REQUIRED['total']} is empty")

        def whole(header: str, row: tuple[Any, ...] = row) -> int | None:
            v = _number(get(row, header))
            return None if v is None else int(v)

        table.rows.append(
            CensusRow(
                code=code,
                name=str(get(row, REQUIRED["county"]) or ""),
                prefecture=str(get(row, OPTIONAL["prefecture"]) or ""),
                province=str(get(row, OPTIONAL["province"]) or ""),
                row=n,
                total=None if total is None else int(total),
                male=whole(OPTIONAL["male"]),
                female=whole(OPTIONAL["female"]),
                minority_share=_number(get(row, OPTIONAL["minority_share"])),
                ages={h: whole(h) for h in ages},
            )
        )


def reference_store(case: Case) -> BlobStore:
    """Imported reference files, content-addressed like evidence, outside ``evidence/``."""
    return BlobStore(case.root / "reference", case.root / "tmp")


def import_census(case: Case, path: Path, custodian: str = "") -> CensusImport:
    """Read, store and log a census file; the latest import is the one the analysis uses."""
    table = read_census(path)
    case.migrate()
    with case_lock(case), case.sessions() as session:
        blob = reference_store(case).put_file(path)
        imp = CensusImport(
            sha256=blob.sha256,
            source_path=str(path.resolve()),
            sheet=table.sheet,
            year=table.year,
            n_counties=len(table.rows),
            problems=table.problems,
            imported_at=utcnow(),
            custodian=custodian,
        )
        session.add(imp)
        session.flush()
        session.execute(delete(CensusCounty).where(CensusCounty.import_id == imp.id))
        if table.rows:
            session.execute(
                insert(CensusCounty),
                [{"import_id": imp.id, **r.__dict__} for r in table.rows],
            )
        CustodyLog(session, custodian).append(
            "reference_imported",
            item_sha256=blob.sha256,
            source_path=str(path.resolve()),
            details={
                "kind": "census",
                "sheet": table.sheet,
                "year": table.year,
                "counties": len(table.rows),
                "problems": len(table.problems),
                "stored": str(blob.path.relative_to(case.root)),
            },
        )
        session.commit()
        return imp


def latest_census(session: Session) -> tuple[CensusImport | None, dict[str, CensusCounty]]:
    imp = session.scalars(select(CensusImport).order_by(CensusImport.id.desc()).limit(1)).first()
    if imp is None:
        return None, {}
    rows = session.scalars(select(CensusCounty).where(CensusCounty.import_id == imp.id))
    return imp, {r.code: r for r in rows}
