"""Find the header of a sheet and map its columns to schema fields.

Works on the non-empty cells the ingest stored (``cells``), never the file. A header is the
row (within the first rows) whose cells match the most lexicon fields; a row above it that
groups columns (``基本信息 | 关押情况``, merged across them) and a row below it that splits
a merged group into sub-headers join it into a two-row header. Title rows (one cell, often
merged across the table), ``填报单位`` lines and blank rows above it are passed over. A sheet
whose best row matches fewer than two fields, or has no name or ID column, is not a list of
people: it is skipped, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from guwah.cellrefs import parse_cell_ref
from guwah.records.lexicon import Lexicon, Match, normalise_header

SCAN_ROWS = 40  # the header is looked for in this many first non-empty rows
IDENTIFYING = ("name", "id_number")
_DATA_LIKE = re.compile(r"^\s*[\t'`]?\d{15,18}[xX]?\s*$|^\d{4}[-/.年]\d{1,2}")

CellValue = tuple[str, str]  # (text, vtype)
Grid = dict[int, dict[int, CellValue]]  # row → col → cell


@dataclass
class ColumnInfo:
    col: int
    header: str  # the header texts over this column, top to bottom, joined by " / "
    match: Match


@dataclass
class Layout:
    header_rows: list[int] = field(default_factory=list)
    columns: dict[int, ColumnInfo] = field(default_factory=dict)
    first_data_row: int | None = None
    reason: str | None = None  # why the sheet was skipped; None when read

    @property
    def ok(self) -> bool:
        return self.reason is None

    def fields(self) -> dict[int, str | None]:
        return {c: info.match.field for c, info in self.columns.items()}


@dataclass
class Merges:
    """Merged ranges of a sheet: where each covered cell takes its value from."""

    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    width: dict[tuple[int, int], int] = field(default_factory=dict)  # top-left → columns

    @classmethod
    def parse(cls, refs: list[str], limit: int = 200_000) -> Merges:
        m = cls()
        for ref in refs:
            try:
                (r1, c1), (r2, c2) = _span(ref)
            except ValueError:
                continue
            m.width[(r1, c1)] = c2 - c1 + 1
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if len(m.origin) >= limit:
                        return m
                    if (r, c) != (r1, c1):
                        m.origin[(r, c)] = (r1, c1)
        return m


def _span(ref: str) -> tuple[tuple[int, int], tuple[int, int]]:
    parts = ref.split(":")
    a = parse_cell_ref(parts[0])
    b = parse_cell_ref(parts[-1])
    return (min(a[0], b[0]), min(a[1], b[1])), (max(a[0], b[0]), max(a[1], b[1]))


def _filled(grid: Grid, merges: Merges, row: int, n_cols: int) -> dict[int, str]:
    """Texts of a row with merged cells filled from their top-left cell."""
    out: dict[int, str] = {c: v[0] for c, v in grid.get(row, {}).items()}
    for c in range(1, n_cols + 1):
        if c not in out:
            src = merges.origin.get((row, c))
            if src is not None and src[1] in grid.get(src[0], {}):
                out[c] = grid[src[0]][src[1]][0]
    return out


def _is_title(grid: Grid, merges: Merges, row: int, n_cols: int) -> bool:
    """A row of one cell that spans (or is as long as) a title: not part of a header."""
    cells = grid.get(row, {})
    if len(cells) != 1:
        return False
    ((c, (text, _vt)),) = cells.items()
    span = merges.width.get((row, c), 1)
    return n_cols <= 2 or span >= max(2, n_cols // 2) or len(text) > 12


def _row_matches(lex: Lexicon, texts: dict[int, str]) -> dict[int, Match]:
    return {c: m for c, t in texts.items() if (m := lex.match(t)).field is not None}


def _has_data(grid: Grid, row: int) -> bool:
    return any(vt in ("n", "d") or _DATA_LIKE.match(t) for t, vt in grid.get(row, {}).values())


def detect_layout(grid: Grid, merged: list[str], n_cols: int, lex: Lexicon) -> Layout:
    """Where the header of a sheet is, and what each column holds."""
    if not grid:
        return Layout(reason="empty sheet")
    merges = Merges.parse(merged)
    n_cols = max(n_cols, max((max(r) for r in grid.values() if r), default=0))
    rows = sorted(grid)[:SCAN_ROWS]
    best_row, best_fields = None, 0
    for r in rows:
        if _is_title(grid, merges, r, n_cols) or _has_data(grid, r):
            continue
        fields = {
            m.field for m in _row_matches(lex, {c: v[0] for c, v in grid[r].items()}).values()
        }
        if len(fields) > best_fields:
            best_row, best_fields = r, len(fields)
    if best_row is None or best_fields < 2:
        return Layout(
            reason=f"no header row: no row among the first {len(rows)} matches two or more "
            "fields of the header lexicon"
        )
    band = [best_row]
    above = best_row - 1
    if above in grid and _is_group_row(grid, merges, above, n_cols, lex):
        band.insert(0, above)
    below = best_row + 1
    if below in grid and _is_sub_header(grid, below, lex):
        band.append(below)
    columns = _columns(grid, merges, band, n_cols, lex)
    found = {c.match.field for c in columns.values()}
    if not any(f in found for f in IDENTIFYING):
        return Layout(
            header_rows=band,
            columns=columns,
            reason="not a list of people: the header has no name or ID number column",
        )
    return Layout(header_rows=band, columns=columns, first_data_row=band[-1] + 1)


def _is_group_row(grid: Grid, merges: Merges, row: int, n_cols: int, lex: Lexicon) -> bool:
    """A row of group labels above the header (``基本信息 | 关押情况``), not a title."""
    if _is_title(grid, merges, row, n_cols) or _has_data(grid, row):
        return False
    cells = grid[row]
    merged = sum(1 for c in cells if merges.width.get((row, c), 1) > 1)
    matches = _row_matches(lex, {c: v[0] for c, v in cells.items()})
    return (
        merged > 0
        or len(matches) > 0
        or any((row, c) in merges.origin for c in range(1, n_cols + 1))
    )


def _is_sub_header(grid: Grid, row: int, lex: Lexicon) -> bool:
    """A row of sub-headers under a merged group: every cell a header, no data."""
    if _has_data(grid, row):
        return False
    texts = {c: v[0] for c, v in grid[row].items()}
    matches = _row_matches(lex, texts)
    return bool(matches) and len(texts) - len(matches) <= max(0, len(texts) // 4)


def _columns(
    grid: Grid, merges: Merges, band: list[int], n_cols: int, lex: Lexicon
) -> dict[int, ColumnInfo]:
    rows = [_filled(grid, merges, r, n_cols) for r in band]
    used = set().union(*(set(r) for r in rows))
    # columns holding data below the header count too, headed or not
    for row_no, cells in grid.items():
        if row_no > band[-1]:
            used.update(cells)
    out: dict[int, ColumnInfo] = {}
    for c in sorted(used):
        texts: list[str] = []
        for texts_of_row in rows:
            t = texts_of_row.get(c, "").strip()
            if t and (not texts or texts[-1] != t):
                texts.append(t)
        match = lex.match(texts[-1]) if texts else Match(None, 0.0, "none")
        if match.field is None and len(texts) > 1:
            joined = lex.match("".join(texts))
            if joined.field is not None:
                match = joined
        out[c] = ColumnInfo(c, " / ".join(texts), match)
    return out


def is_header_repeat(texts: dict[int, str], layout: Layout) -> bool:
    """A data row that repeats the header (printed tables repeat it on every page)."""
    same = 0
    for c, t in texts.items():
        info = layout.columns.get(c)
        if info is not None and info.header and t.strip():
            leaf = info.header.rsplit(" / ", 1)[-1]
            same += normalise_header(t) == normalise_header(leaf)
    return same >= 2
