"""Ethnic composition of regions from a census table by county (the shared 2020 census
file's ``少数民族人口比重（%）``): a region's minority share is its own row's, else the
population-weighted share of its counties."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from guwah.case import CaseError

CODE = "区划代码"
POPULATION = "人口数_合计"
SHARE = "少数民族人口比重（%）"


@dataclass(frozen=True)
class Composition:
    code: str
    name: str
    population: float
    minority_share: float  # percent
    method: str  # row | counties
    source: str


def read_census(path: Path) -> dict[str, Composition]:
    """Code → composition, from a census xlsx with 区划代码, 人口数_合计, 少数民族人口比重（%）."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise CaseError(f"cannot read the census table {path}: {exc}") from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows)]
    for need in (CODE, POPULATION, SHARE):
        if need not in header:
            raise CaseError(f"{path.name}: no column {need!r} (columns: {', '.join(header[:12])}…)")
    ic, ip, ish = header.index(CODE), header.index(POPULATION), header.index(SHARE)
    names = [i for i, h in enumerate(header) if h in ("区县", "市", "省")]
    out: dict[str, Composition] = {}
    for row in rows:
        code = str(row[ic] or "").strip()
        if not (code.isdigit() and len(code) == 6):
            continue
        try:
            pop, share = float(row[ip]), float(row[ish])  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        name = next((str(row[i]) for i in names if row[i]), code)
        out[code] = Composition(code, name, pop, share, "row", path.name)
    wb.close()
    return out


def composition(census: dict[str, Composition], code: str) -> Composition | None:
    """The region's own row, else the population-weighted share of the counties under it."""
    if code in census:
        return census[code]
    if not code.isdigit():
        return None
    prefix = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else None
    if prefix is None:
        return None
    parts = [
        c for k, c in census.items() if k.startswith(prefix) and not k.endswith("00") and k != code
    ]
    total = sum(c.population for c in parts)
    if not parts or total <= 0:
        return None
    share = sum(c.population * c.minority_share for c in parts) / total
    return Composition(code, code, total, share, "counties", parts[0].source)
