"""Ethnic composition of regions from a census by county: the census imported into the case
(``guwah reference import census FILE``, the analysis stage's import, preserved with
custody) or a census workbook read directly (the analysis stage's reader). A region's
minority share is its own row's, else the population-weighted share of its counties."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Composition:
    code: str
    name: str
    population: float
    minority_share: float  # percent
    method: str  # row | counties
    source: str


def read_census(path: Path) -> dict[str, Composition]:
    """Code → composition, from a census workbook (区划代码, 区县, 人口数_合计, 少数民族人口比重（%）)."""
    from guwah.analyse.census import read_census as read_table

    out: dict[str, Composition] = {}
    for r in read_table(path).rows:
        if r.total is not None and r.minority_share is not None:
            out[r.code] = Composition(r.code, r.name, r.total, r.minority_share, "row", path.name)
    return out


def census_of_case(session: Session) -> dict[str, Composition]:
    """Code → composition, from the census last imported into the case (empty if none)."""
    from guwah.analyse.census import latest_census

    imp, counties = latest_census(session)
    if imp is None:
        return {}
    source = f"census import {imp.sha256[:12]}… ({Path(imp.source_path).name})"
    return {
        code: Composition(code, c.name, c.total, c.minority_share, "row", source)
        for code, c in counties.items()
        if c.total is not None and c.minority_share is not None
    }


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
