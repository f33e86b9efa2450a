"""Table understanding for Chinese statistical yearbook layouts.

A yearbook table is a title (``2-8 分地区人口的城乡构成和出生率、死亡率、自然增长率（2015年）``),
perhaps a unit line (``单位：万人``), one or more header rows (merged parents over children),
a label column (regions, years or indicators down the side), numbers, and notes (``注：…``).
This module finds each part in a :class:`~guwah.stats.grid.Grid` and turns every figure into
a :class:`Value` that keeps its cell, its labels as printed, its unit and what went wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from guwah.han import simplified
from guwah.stats.cells import Parsed, parse_cell, year_in_text, year_of
from guwah.stats.grid import Grid, GridCell
from guwah.stats.indicators import indicators, match_indicator
from guwah.stats.regions import Resolution, Resolver, resolve_all, resolve_code, scope_of
from guwah.stats.units import Unit, declared_units, strip_unit, unit_in_label

LOW_CONFIDENCE = 80.0  # OCR word confidence below which a figure is flagged
_NOTE = re.compile(r"^\s*(?:注|说明|资料来源|数据来源|Note|Source)\s*[:：\d.、]?", re.IGNORECASE)
_TABLE_NO = re.compile(r"^\s*(?:表\s*)?(\d{1,2}\s*[-—–－]\s*\d{1,3}(?:\s*[-—–－]\s*\d{1,3})?)")
_CONTINUED = re.compile(r"^\s*续表|[(（]\s*续\s*[)）]|续\s*表")
_REGION_HEAD = ("地区", "地 区", "区域", "地州", "县市", "Region", "地区名称", "单位名称")
_YEAR_HEAD = ("年份", "年 份", "年度", "Year")
_INDICATOR_HEAD = ("指标", "项目", "Item", "Indicator")


@dataclass
class Value:
    """One figure of a table, where it is and how it was read."""

    row: int
    col: int
    raw: str
    value: float | None
    region_raw: str | None
    region: Resolution | None
    indicator_raw: str
    indicator: str | None
    year: int | None
    unit: Unit | None
    unit_origin: str  # column | row | title | none
    problem: str | None = None  # dash | footnote_marker | not_a_number | no_unit | …
    detail: str | None = None
    marker: str | None = None
    confidence: float | None = None
    where: dict[str, Any] = field(default_factory=dict)


@dataclass
class Table:
    title: str
    table_no: str | None
    layout: str  # regions_down_years_across | years_down | regions_down_indicators_across | …
    header_rows: list[int]
    label_col: int
    units: list[Unit]  # declared for the whole table
    footnotes: list[str]
    values: list[Value]
    problems: list[dict[str, str]]
    year: int | None  # the year the title states, if any
    scope: str | None  # the province prefix the title names

    @property
    def unmatched_regions(self) -> list[str]:
        seen: list[str] = []
        for v in self.values:
            if v.region is not None and v.region.place is None and v.region_raw not in seen:
                seen.append(v.region_raw or "")
        return seen


def read_tables(
    grid: Grid,
    title_hint: str = "",
    edition: int | None = None,
    region: str | None = None,
    context: str = "",
) -> list[Table]:
    """Every table in ``grid``: a sheet or page may stack several, each starting at a
    numbered title (``2-8 …``) below the figures of the one before."""
    rows = grid.rows
    starts = [rows[0]] if rows else []
    seen_data = False
    for r in rows:
        kind = _row_kind(grid, r)
        if kind == "data":
            seen_data = True
        elif seen_data and kind == "title" and _TABLE_NO.match(grid.text(*_first(grid, r))):
            starts.append(r)
            seen_data = False
    out: list[Table] = []
    bounds = [*starts, (rows[-1] + 1) if rows else 0]
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        part = Grid(
            {k: c for k, c in grid.cells.items() if lo <= k[0] < hi}, grid.where, grid.merged
        )
        table = read_table(part, title_hint, edition, region, context)
        if table is not None:
            out.append(table)
            title_hint = table.title
    return out


def _first(grid: Grid, r: int) -> tuple[int, int]:
    cells = grid.row_cells(r)
    return (r, cells[0].col) if cells else (r, 1)


def read_table(
    grid: Grid,
    title_hint: str = "",
    edition: int | None = None,
    region: str | None = None,
    context: str = "",
) -> Table | None:
    """The table in ``grid``, or None when it holds no figures (a page of prose).

    ``region`` names the place a table is about when it prints none (a provincial
    yearbook's own tables): it is used only where the table has no region labels.
    ``context`` (the source, say 新疆统计年鉴) names the province when the title does not.
    """
    rows = grid.rows
    if not rows:
        return None
    kinds = {r: _row_kind(grid, r) for r in rows}
    data_rows = [r for r in rows if kinds[r] == "data"]
    if not data_rows:
        return None
    first = data_rows[0]
    notes_at = next((r for r in rows if r > first and kinds[r] == "note"), None)
    data_rows = [r for r in data_rows if notes_at is None or r < notes_at]
    before = [r for r in rows if r < first]
    title_rows = [r for r in before if kinds[r] in ("title", "note") or len(grid.row_cells(r)) == 1]
    header_rows = [r for r in before if r not in title_rows]
    groups = _column_groups(grid, data_rows, header_rows)
    if len(groups) > 1:
        return _read_groups(grid, groups, header_rows, title_hint, edition, region, context)
    title_lines = [" ".join(c.text.strip() for c in grid.row_cells(r)) for r in title_rows]
    title = " ".join(t for t in title_lines if t) or title_hint
    if title_hint and _CONTINUED.search(title) and not _TABLE_NO.match(title):
        title = f"{title_hint} {title}"  # 续表: the table of the page before, continued
    footnotes = [
        " ".join(c.text.strip() for c in grid.row_cells(r))
        for r in rows
        if notes_at is not None and r >= notes_at
    ]
    label_col = _label_col(grid, data_rows)
    label_cols = _label_cols(grid, data_rows, label_col)
    data_cols = sorted(
        {c for r in data_rows for (rr, c) in grid.cells if rr == r and c not in label_cols}
    )
    heads = _column_heads(grid, header_rows, data_cols, grid.merged)
    code_col = _code_col(grid, data_rows, range(1, grid.n_cols + 1), header_rows)
    if code_col in data_cols:
        data_cols.remove(code_col)
    corner = " ".join(grid.text(r, label_col) for r in header_rows)
    problems: list[dict[str, str]] = []
    table_units = [u for line in title_lines + footnotes for u in declared_units(line)]
    if not table_units:
        for line in title_lines:
            unit = unit_in_label(line)
            if unit:
                table_units.append(unit)
    title_year = year_in_text(title)
    scope = scope_of(title) or (scope_of(context) if context else None)
    title_indicator = match_indicator(title)
    title_region = _title_region(title, title_year, scope)
    if title_region is None and region:
        title_region = Resolver(title_year or edition, scope).resolve(region)
    labels = {r: grid.text(r, label_col) for r in data_rows}
    col_years = {c: _year_from_head(heads[c]) for c in data_cols}
    row_years = {r: year_of(labels[r]) for r in data_rows}
    years_across = sum(1 for y in col_years.values() if y) >= max(1, len(data_cols) // 2)
    years_down = sum(1 for y in row_years.values() if y) >= max(1, len(data_rows) // 2)
    corner_says = _corner_role(corner)
    # what the labels down the side are: regions, years or indicators
    if years_down or corner_says == "year":
        side = "year"
    elif corner_says == "indicator":
        side = "indicator"
    elif corner_says == "region":
        side = "region"
    else:
        side = _guess_side(list(labels.values()), title_year, scope)
    side_res: dict[int, Resolution] = {}
    if side == "region":
        year_for_names = title_year or (
            max(y for y in col_years.values() if y) if years_across else None
        )
        res = resolve_all([labels[r] for r in data_rows], year_for_names or edition, scope)
        side_res = dict(zip(data_rows, res, strict=True))
        if code_col is not None:
            for r in data_rows:
                by_code = resolve_code(grid.text(r, code_col), labels[r])
                if by_code is not None and by_code.place is not None:
                    side_res[r] = by_code
    across = (
        "year"
        if years_across
        else ("region" if side != "region" and _heads_are_regions(heads, scope) else "indicator")
    )
    head_res: dict[int, Resolution] = {}
    if across == "region":
        res = resolve_all([strip_unit(heads[c]) for c in data_cols], title_year or edition, scope)
        head_res = dict(zip(data_cols, res, strict=True))
    layout = f"{side}s_down_{across}s_across"
    values: list[Value] = []
    for r in data_rows:
        for c in data_cols:
            cell = grid.cells.get((r, c))
            if cell is None or not cell.text.strip():
                continue
            values.append(
                _value(
                    cell,
                    grid,
                    label=labels[r],
                    head=heads.get(c, ""),
                    side=side,
                    across=across,
                    side_res=side_res.get(r),
                    head_res=head_res.get(c),
                    year=col_years.get(c) or row_years.get(r) or title_year,
                    title_indicator=title_indicator,
                    title_region=title_region,
                    table_units=table_units,
                    label_cell=grid.cells.get((r, label_col)),
                )
            )
    if not values:
        return None
    unitless = [v for v in values if v.value is not None and v.unit is None]
    if unitless and len(unitless) == sum(1 for v in values if v.value is not None):
        problems.append(
            {
                "kind": "no_unit",
                "message": "the table states no unit (not in the title, a 单位 line, the "
                "headers or the labels): its figures are kept as printed and not normalised",
            }
        )
    elif unitless:
        labels_unitless = sorted({v.indicator_raw for v in unitless})
        problems.append(
            {
                "kind": "no_unit",
                "message": f"{len(unitless)} figures have no unit stated (kept as printed, "
                "not normalised): " + "、".join(labels_unitless[:20]),
            }
        )
    for method, kind, what in (
        ("unmatched", "unmatched_region", "region names that match no GB/T 2260 code"),
        ("ambiguous", "ambiguous_region", "region names that match more than one code"),
    ):
        names = sorted(
            {v.region_raw or "" for v in values if v.region and v.region.method == method}
        )
        if names:
            problems.append(
                {"kind": kind, "message": f"{what} (kept, listed): " + "、".join(names)}
            )
    if any(v.indicator is None for v in values):
        missing = sorted({v.indicator_raw for v in values if v.indicator is None})
        problems.append(
            {
                "kind": "unknown_indicator",
                "message": "labels that name no known indicator (kept): " + "、".join(missing[:20]),
            }
        )
    m = _TABLE_NO.match(title)
    return Table(
        title=title,
        table_no=re.sub(r"\s+", "", m.group(1)) if m else None,
        layout=layout,
        header_rows=header_rows,
        label_col=label_col,
        units=table_units,
        footnotes=footnotes,
        values=values,
        problems=problems,
        year=title_year,
        scope=scope,
    )


_CODE = re.compile(r"^\d{6}(?:\d{6})?$")
_RANK = re.compile(r"^\d{1,3}$")  # 1–999: a rank or serial number, not a six-digit code


def _column_groups(grid: Grid, data_rows: list[int], header_rows: list[int]) -> list[int]:
    """The first column of each group when a table prints its rows in side-by-side groups
    (地区 | 出生率 | 地区 | 出生率): a later column of text labels, headed like the first."""
    label_col = _label_col(grid, data_rows)
    first_head = "".join(" ".join(grid.text(r, label_col) for r in header_rows).split())
    starts = [label_col]
    for c in range(label_col + 1, grid.n_cols + 1):
        texts = [grid.text(r, c) for r in data_rows if grid.text(r, c)]
        if len(texts) < max(2, len(data_rows) // 2):
            continue
        if not all(parse_cell(t).kind == "text" for t in texts):
            continue
        head = "".join(" ".join(grid.text(r, c) for r in header_rows).split())
        resolved = sum(1 for r in resolve_all(texts) if r.place is not None)
        if resolved >= len(texts) / 2 and (not first_head or head == first_head):
            starts.append(c)
    return starts


def _read_groups(
    grid: Grid,
    starts: list[int],
    header_rows: list[int],
    title_hint: str,
    edition: int | None,
    region: str | None,
    context: str,
) -> Table | None:
    """Each column group read as its own table (same title, notes and header rows), the
    cells keeping their place in the original."""
    tables: list[Table] = []
    bounds = [*starts, grid.n_cols + 1]
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        cells = {
            key: cell
            for key, cell in grid.cells.items()
            if lo <= key[1] < hi or (key[0] not in header_rows and len(grid.row_cells(key[0])) == 1)
        }
        part = read_table(
            Grid(cells, grid.where, grid.merged), title_hint, edition, region, context
        )
        if part is not None:
            tables.append(part)
    if not tables:
        return None
    first = tables[0]
    problems = [p for t in tables for p in t.problems]
    return Table(
        title=first.title,
        table_no=first.table_no,
        layout=f"{first.layout} ({len(tables)} column groups)",
        header_rows=first.header_rows,
        label_col=first.label_col,
        units=first.units,
        footnotes=first.footnotes,
        values=[v for t in tables for v in t.values],
        problems=[p for i, p in enumerate(problems) if p not in problems[:i]],
        year=first.year,
        scope=first.scope,
    )


def _code_col(grid: Grid, data_rows: list[int], cols: range, header_rows: list[int]) -> int | None:
    """A column of printed region codes (区划代码), read as codes rather than figures."""
    for c in cols:
        head = " ".join(grid.text(r, c) for r in header_rows)
        texts = [grid.text(r, c) for r in data_rows if grid.text(r, c)]
        headed = "代码" in head.replace(" ", "") or "code" in head.lower()
        known = sum(
            1 for t in texts if (r := resolve_code(t, "")) is not None and r.place is not None
        )
        # a column of 6-digit numbers is codes only when headed so, or when nearly all of
        # them are GB/T 2260 codes (populations of six digits are not)
        if texts and (headed or known >= 0.9 * len(data_rows)):
            return c
    return None


def _row_kind(grid: Grid, r: int) -> str:
    cells = grid.row_cells(r)
    if (
        len(cells) > 2
        and _CODE.match(cells[0].text.strip().removesuffix(".0"))
        and parse_cell(cells[1].text).kind == "text"
    ):
        cells = cells[1:]  # a printed region code before the name
    elif (
        len(cells) > 2
        and _RANK.match(cells[0].text.strip().removesuffix(".0"))
        and parse_cell(cells[1].text).kind == "text"
        and not year_of(cells[1].text)
    ):
        cells = cells[1:]  # a rank or serial number (排名, 序号) before the name
    first = cells[0].text.strip() if cells else ""
    if _NOTE.match(first):
        return "note"
    parsed = [parse_cell(c.text) for c in cells[1:]]
    years = sum(1 for c in cells[1:] if year_of(c.text))
    figures = sum(1 for p in parsed if p.kind in ("number", "dash", "marker"))
    label_is_text = parse_cell(first).kind == "text" or year_of(first) is not None
    heading = _corner_role(first) is not None
    if figures >= 1 and label_is_text and not (years == figures and (heading or years >= 2)):
        return "data"
    if len(cells) == 1:
        return "title"
    return "header"


def _label_col(grid: Grid, data_rows: list[int]) -> int:
    counts: dict[int, int] = {}
    for r in data_rows:
        for cell in grid.row_cells(r):
            if parse_cell(cell.text).kind == "text" or year_of(cell.text):
                counts[cell.col] = counts.get(cell.col, 0) + 1
                break
    return min(counts, key=lambda c: (-counts[c], c)) if counts else 1


def _label_cols(grid: Grid, data_rows: list[int], label_col: int) -> set[int]:
    """The label column and any other column that never holds a figure (English names)."""
    out = {c for c in range(1, label_col + 1)}
    for c in range(label_col + 1, grid.n_cols + 1):
        parsed = [parse_cell(grid.text(r, c)) for r in data_rows if grid.text(r, c)]
        if parsed and all(p.kind == "text" for p in parsed):
            out.add(c)
    return out


def _column_heads(
    grid: Grid, header_rows: list[int], cols: list[int], merged: list[tuple[int, int, int, int]]
) -> dict[int, str]:
    """Each data column's header, parents first (``出生率 / 2017``), merged parents spread
    over their children; without merge information an empty upper header cell takes the
    text to its left."""
    parts: dict[int, list[str]] = {c: [] for c in cols}
    for i, r in enumerate(header_rows):
        last = ""
        upper = i < len(header_rows) - 1
        for c in range(1, (max(cols) if cols else 0) + 1):
            text = grid.text(r, c)
            if not text:
                span = _merged_over(merged, r, c)
                if span is not None:
                    text = grid.text(span[0], span[2])
                elif upper and c in parts and last:
                    text = last
            else:
                last = text
            if c in parts and text and (not parts[c] or parts[c][-1] != text):
                parts[c].append(text)
    return {c: " / ".join(p) for c, p in parts.items()}


def _merged_over(
    merged: list[tuple[int, int, int, int]], r: int, c: int
) -> tuple[int, int, int, int] | None:
    for span in merged:
        r0, r1, c0, c1 = span
        if r0 <= r <= r1 and c0 <= c <= c1:
            return span
    return None


def _year_from_head(head: str) -> int | None:
    for part in head.split(" / "):
        y = year_of(part)
        if y:
            return y
    return None


def _corner_role(corner: str) -> str | None:
    compact = "".join(corner.split())
    if any("".join(w.split()) in compact for w in _YEAR_HEAD):
        return "year"
    if any("".join(w.split()) in compact for w in _REGION_HEAD):
        return "region"
    if any(w in compact for w in _INDICATOR_HEAD):
        return "indicator"
    return None


def _guess_side(labels: list[str], year: int | None, scope: str | None) -> str:
    as_indicators = sum(1 for label in labels if match_indicator(label))
    resolved = sum(1 for r in resolve_all(labels, year, scope) if r.place is not None)
    return "indicator" if as_indicators > resolved else "region"


def _heads_are_regions(heads: dict[int, str], scope: str | None) -> bool:
    texts = [strip_unit(h.split(" / ")[-1]) for h in heads.values() if h]
    if not texts:
        return False
    found = sum(1 for r in resolve_all(texts, None, scope) if r.place is not None)
    return found > len(texts) / 2 and not any(match_indicator(t) for t in texts)


def _title_region(title: str, year: int | None, scope: str | None) -> Resolution | None:
    """The place a title is about when the table itself has no region labels: as printed,
    else in simplified characters (全國 is 全国)."""
    for text in dict.fromkeys((title, simplified(title))):
        found = _title_region_in(text, year, scope)
        if found is not None:
            return found
    return None


def _title_region_in(title: str, year: int | None, scope: str | None) -> Resolution | None:
    if "全国" in title:
        return Resolver(year, None).resolve("全国")
    if scope is None:
        return _prefecture_in_title(title, year)
    for place_name in _province_names(scope):
        if place_name in title:
            return Resolver(year, scope).resolve(place_name)
    return None


def _prefecture_in_title(title: str, year: int | None) -> Resolution | None:
    """A prefecture-level place the title names in full (a city's or prefecture's own
    communiqué: ``乌鲁木齐市户籍人口自然变动（2018年）``) when it names no province; the
    longest such name, resolved for the title's year."""
    for place_name, code in _prefecture_names():
        if place_name in title:
            res = Resolver(year, code[:2]).resolve(place_name)
            return res if res.place is not None else None
    return None


@cache
def _prefecture_names() -> tuple[tuple[str, str], ...]:
    """Full names of prefecture-level places (every era) that name a single code, longest
    first; short forms are left out (阿克苏 is also a county-level city)."""
    from guwah.stats.regions import places

    codes: dict[str, set[str]] = {}
    for p in places():
        if p.level == "prefecture" and len(p.name) >= 3:
            codes.setdefault(p.name, set()).add(p.code)
    named = [(name, next(iter(c))) for name, c in codes.items() if len(c) == 1]
    return tuple(sorted(named, key=lambda nc: len(nc[0]), reverse=True))


def _province_names(scope: str) -> list[str]:
    from guwah.stats.regions import places, short_forms

    names = [p.name for p in places() if p.code == f"{scope}0000"]
    return sorted({n for name in names for n in (name, *short_forms(name))}, key=len, reverse=True)


def _value(
    cell: GridCell,
    grid: Grid,
    *,
    label: str,
    head: str,
    side: str,
    across: str,
    side_res: Resolution | None,
    head_res: Resolution | None,
    year: int | None,
    title_indicator: str | None,
    title_region: Resolution | None,
    table_units: list[Unit],
    label_cell: GridCell | None,
) -> Value:
    parsed: Parsed = parse_cell(cell.text)
    head_last = head.split(" / ")[-1] if head else ""
    region_raw: str | None
    if side == "region":
        region_raw, region = label, side_res
    elif across == "region":
        region_raw, region = strip_unit(head_last), head_res
    else:
        region_raw = title_region.raw if title_region else None
        region = title_region
    ind_texts = [
        t
        for t in (
            head if side != "indicator" or across == "indicator" else "",
            label if side == "indicator" else "",
        )
        if t
    ]
    indicator = next((match_indicator(t) for t in ind_texts if t and match_indicator(t)), None)
    indicator = indicator or title_indicator
    indicator_raw = " · ".join(strip_unit(t) for t in ind_texts if t) or "(title)"
    unit, origin = _unit_for(head, label if side == "indicator" else "", table_units, indicator)
    problem = detail = None
    if parsed.kind == "dash":
        problem, detail = "dash", parsed.reason
    elif parsed.kind == "marker":
        problem, detail = "footnote_marker", parsed.reason
    elif parsed.kind == "text":
        problem, detail = "not_a_number", f"not a number: {cell.text.strip()[:80]}"
    elif unit is None:
        problem, detail = (
            "no_unit",
            "no unit stated for this figure: kept as printed, not normalised",
        )
    elif indicator and unit.family not in indicators()[indicator].units:
        problem = "unit_mismatch"
        detail = f"{indicators()[indicator].label} is stated in {unit.printed} ({unit.family})"
    low = cell.confidence is not None and cell.confidence < LOW_CONFIDENCE
    if low and parsed.kind in ("number", "text"):
        problem = "low_confidence"
        detail = (
            f"OCR read {cell.text.strip()[:40]!r} with confidence {cell.confidence:.0f} "
            f"(below {LOW_CONFIDENCE:.0f}): check the figure against the page"
        )
    elif parsed.marker and problem is None:
        detail = f"footnote marker {parsed.marker}"
    where = dict(cell.where)
    if label_cell is not None:
        where["label_at"] = [label_cell.row, label_cell.col]
    return Value(
        row=cell.row,
        col=cell.col,
        raw=cell.text,
        value=parsed.value,
        region_raw=region_raw,
        region=region,
        indicator_raw=indicator_raw,
        indicator=indicator,
        year=year,
        unit=unit,
        unit_origin=origin,
        problem=problem,
        detail=detail,
        marker=parsed.marker,
        confidence=cell.confidence,
        where=where,
    )


def _unit_for(
    head: str, label: str, table_units: list[Unit], indicator: str | None
) -> tuple[Unit | None, str]:
    for text, origin in ((head, "column"), (label, "row")):
        for part in reversed(text.split(" / ")) if text else ():
            unit = unit_in_label(part)
            if unit is not None:
                return unit, origin
    if not table_units:
        return None, "none"
    if len(table_units) == 1:
        return table_units[0], "title"
    if indicator:
        fits = [u for u in table_units if u.family in indicators()[indicator].units]
        if len(fits) == 1:
            return fits[0], "title"
    return None, "none"
