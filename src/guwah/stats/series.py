"""Series: indicator × region × year, every figure from every source side by side.

Two sources (or two editions) that print different figures for the same indicator, region
and year are a *disagreement*: both are kept and shown with their tables and cells, and the
year has no single value (nothing is averaged). Figures are compared in the unit family's
base (万人 × 10 000 = persons), so 1786 万人 and 17,860,000 人 agree.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.cellrefs import col_letter
from guwah.stats.indicators import find_indicator, indicators
from guwah.stats.models import StatTable, StatValue
from guwah.stats.regions import Resolver, canonical_name
from guwah.textsafe import csv_cell


@dataclass(frozen=True)
class Observation:
    """One printed figure of a series, and exactly where it was printed."""

    value: float | None  # as printed
    base: float | None  # in the unit family's base (persons, ‰ …), None without a unit
    raw: str
    unit_printed: str | None
    unit: str | None
    problem: str | None
    detail: str | None
    source: str
    edition: int | None
    table_ref: str
    title: str
    sha256: str
    sheet_index: int | None
    page_no: int | None
    row: int
    col: int
    region_raw: str | None
    confidence: float | None

    @property
    def cell(self) -> str:
        if self.sheet_index is not None:
            return f"{col_letter(self.col)}{self.row}"
        if self.page_no is None:
            return f"line {self.row}, column {self.col}"
        return f"p. {self.page_no}, line {self.row}, column {self.col}"

    @property
    def link(self) -> str:
        """The item viewer at this figure's cell (sheet) or page."""
        from guwah.web.queries import location_link

        loc: dict[str, Any] = (
            {"sheet_index": self.sheet_index, "row": self.row, "col_no": self.col}
            if self.sheet_index is not None
            else {"page": self.page_no}
        )
        return location_link(self.sha256, loc)

    @property
    def cite(self) -> str:
        ed = f" {self.edition}" if self.edition else ""
        ref = self.table_ref
        named = not (ref.startswith(("sheet ", "p. ")) or ref == "csv")
        return f"{self.source}{ed}, {'table ' + ref + ', ' if named else ''}{self.cell}"

    @property
    def comparable(self) -> float | None:
        return self.base if self.base is not None else None


@dataclass
class Point:
    year: int
    observations: list[Observation] = field(default_factory=list)

    @property
    def figures(self) -> list[Observation]:
        return [o for o in self.observations if o.value is not None and o.problem != "no_unit"]

    @property
    def distinct(self) -> list[float]:
        return sorted({round(o.base, 9) for o in self.figures if o.base is not None})

    @property
    def disputed(self) -> bool:
        return len(self.distinct) > 1

    @property
    def value(self) -> float | None:
        """The figure every source agrees on (base unit), else None (none, or disputed)."""
        d = self.distinct
        return d[0] if len(d) == 1 else None


@dataclass
class Series:
    indicator: str | None
    region_code: str | None
    region_name: str | None
    region_raw: str | None
    points: dict[int, Point] = field(default_factory=dict)

    @property
    def label(self) -> str:
        ind = indicators().get(self.indicator or "")
        name = self.region_name or self.region_raw or "?"
        return f"{ind.label if ind else self.indicator or '?'} — {name}"

    @property
    def unit(self) -> str | None:
        units = {o.unit for p in self.points.values() for o in p.figures if o.unit}
        return units.pop() if len(units) == 1 else None

    def values(self) -> dict[int, float]:
        """Year → the agreed figure (disputed and missing years left out)."""
        return {y: p.value for y, p in sorted(self.points.items()) if p.value is not None}

    @property
    def disputed_years(self) -> list[int]:
        return [y for y, p in sorted(self.points.items()) if p.disputed]

    @property
    def sources(self) -> list[str]:
        return sorted(
            {
                f"{o.source} {o.edition or ''}".strip()
                for p in self.points.values()
                for o in p.observations
            }
        )


def region_code_for(key: str) -> str | None:
    """A region given on the command line: a code, or a name as printed (喀什, 新疆)."""
    if key.isdigit() or key.upper().startswith("XPCC"):
        return key.upper()
    res = Resolver().resolve(key)
    return res.code


def load_series(
    session: Session,
    indicator: str | None = None,
    region: str | None = None,
    source: str | None = None,
) -> list[Series]:
    """Every series (filtered by indicator, region and source), each year's figures from
    every source."""
    q = select(StatValue, StatTable).join(StatTable, StatTable.id == StatValue.table_id)
    if source:
        q = q.where(StatTable.source.contains(source))
    if indicator:
        ind = find_indicator(indicator)
        q = q.where(StatValue.indicator == (ind or indicator))
    if region:
        code = region_code_for(region)
        q = q.where((StatValue.region_code == code) if code else (StatValue.region_raw == region))
    out: dict[tuple[str | None, str], Series] = {}
    for v, t in session.execute(
        q.order_by(StatValue.indicator, StatValue.region_code, StatValue.year)
    ):
        if v.year is None:
            continue
        rkey = v.region_code or f"raw:{v.region_raw}"
        key = (v.indicator, rkey)
        s = out.get(key)
        if s is None:
            s = out[key] = Series(
                v.indicator,
                v.region_code,
                v.region_name or (canonical_name(v.region_code) if v.region_code else None),
                v.region_raw,
            )
        point = s.points.setdefault(v.year, Point(v.year))
        point.observations.append(_observation(v, t))
    return list(out.values())


def _observation(v: StatValue, t: StatTable) -> Observation:
    return Observation(
        value=v.value,
        base=v.base_value,
        raw=v.raw,
        unit_printed=v.unit_printed,
        unit=v.unit,
        problem=v.problem,
        detail=v.detail,
        source=t.source,
        edition=t.edition,
        table_ref=t.table_ref,
        title=t.title,
        sha256=t.sha256,
        sheet_index=t.sheet_index,
        page_no=t.page_no,
        row=v.row,
        col=v.col,
        region_raw=v.region_raw,
        confidence=v.confidence,
    )


def disagreements(series: list[Series]) -> list[tuple[Series, Point]]:
    """Every year where sources print different figures, with the series it is in."""
    return [(s, p) for s in series for y, p in sorted(s.points.items()) if p.disputed]


CSV_COLUMNS = (
    "indicator",
    "indicator_label",
    "region_code",
    "region_name",
    "region_as_printed",
    "year",
    "as_printed",
    "value",
    "unit_printed",
    "unit",
    "value_in_base_unit",
    "disputed",
    "problem",
    "detail",
    "source",
    "edition",
    "table",
    "title",
    "sha256",
    "sheet_index",
    "page",
    "row",
    "col",
    "cell",
    "ocr_confidence",
)


def export_csv(
    session: Session, out: Path, indicator: str | None = None, region: str | None = None
) -> int:
    """Write every figure of every series, with its source and cell; returns the rows."""
    n = 0
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for s in load_series(session, indicator, region):
            ind = indicators().get(s.indicator or "")
            for year, point in sorted(s.points.items()):
                for o in point.observations:
                    w.writerow(
                        [
                            csv_cell(x)
                            for x in (
                                s.indicator or "",
                                ind.label if ind else "",
                                s.region_code or "",
                                s.region_name or "",
                                o.region_raw or "",
                                year,
                                o.raw,
                                "" if o.value is None else o.value,
                                o.unit_printed or "",
                                o.unit or "",
                                "" if o.base is None else o.base,
                                "yes" if point.disputed else "",
                                o.problem or "",
                                o.detail or "",
                                o.source,
                                o.edition or "",
                                o.table_ref,
                                o.title,
                                o.sha256,
                                "" if o.sheet_index is None else o.sheet_index,
                                o.page_no or "",
                                o.row,
                                o.col,
                                o.cell,
                                "" if o.confidence is None else o.confidence,
                            )
                        ]
                    )
                    n += 1
    return n


def grouped_by_region(series: list[Series]) -> dict[str, list[Series]]:
    out: dict[str, list[Series]] = defaultdict(list)
    for s in series:
        out[s.region_code or s.region_raw or "?"].append(s)
    return out


def series_json(s: Series) -> dict[str, Any]:
    """A series as JSON: every year, every source's figure, its cell and link."""
    return {
        "indicator": s.indicator,
        "region_code": s.region_code,
        "region_name": s.region_name,
        "region_as_printed": s.region_raw,
        "points": [
            {
                "year": y,
                "value": p.value,
                "disputed": p.disputed,
                "observations": [
                    {
                        "as_printed": o.raw,
                        "value": o.value,
                        "unit": o.unit_printed,
                        "base_value": o.base,
                        "problem": o.problem,
                        "detail": o.detail,
                        "source": o.source,
                        "edition": o.edition,
                        "table": o.table_ref,
                        "sha256": o.sha256,
                        "cell": o.cell,
                        "link": o.link,
                    }
                    for o in p.observations
                ],
            }
            for y, p in sorted(s.points.items())
        ],
    }
