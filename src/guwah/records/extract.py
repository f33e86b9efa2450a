"""Read one sheet's cells into records: a row of a people list becomes a record of values.

Each value keeps its original text, its vtype and the cell it came from (row and column; a
merged data cell is read from its top-left cell). Rows before the header, blank rows,
footers (``制表人``), merged notes and repeated headers are not records: a record needs a
name or an ID number.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from guwah.records.headers import IDENTIFYING, Grid, Layout, Merges, is_header_repeat
from guwah.records.lexicon import Lexicon
from guwah.records.normalise import normalise


@dataclass
class Value:
    field: str | None
    value: str | None
    raw: str
    vtype: str
    row: int
    col: int
    problem: str | None


@dataclass
class RowRecord:
    row: int
    values: list[Value] = field(default_factory=list)

    def first(self, name: str) -> Value | None:
        for v in self.values:
            if v.field == name:
                return v
        return None

    def get(self, name: str) -> str | None:
        for v in self.values:
            if v.field == name and v.value:
                return v.value
        return None


@dataclass
class SheetRead:
    records: list[RowRecord] = field(default_factory=list)
    skipped_rows: int = 0


def read_records(grid: Grid, merged: list[str], layout: Layout, lex: Lexicon) -> SheetRead:
    out = SheetRead()
    if not layout.ok or layout.first_data_row is None:
        return out
    merges = Merges.parse(merged)
    fields = layout.fields()
    kinds = {c: lex.kind(f) for c, f in fields.items()}
    for r in sorted(grid):
        if r < layout.first_data_row:
            continue
        rec = _row(grid, merges, r, fields, kinds, layout, lex)
        if rec is None:
            out.skipped_rows += 1
        else:
            out.records.append(rec)
    return out


def _row(
    grid: Grid,
    merges: Merges,
    r: int,
    fields: dict[int, str | None],
    kinds: dict[int, str],
    layout: Layout,
    lex: Lexicon,
) -> RowRecord | None:
    cells = grid[r]
    # a footer or note: one cell merged across several columns
    if len(cells) == 1:
        (c,) = cells
        if merges.width.get((r, c), 1) > 1:
            return None
    if is_header_repeat({c: v[0] for c, v in cells.items()}, layout):
        return None
    rec = RowRecord(r)
    for c, (raw, vtype), src in _cells(grid, merges, r, fields):
        f = fields.get(c)
        value, problem = normalise(kinds.get(c, "text"), raw, vtype)
        rec.values.append(Value(f, value, raw, vtype, src, c, problem))
    if not any(v.field in IDENTIFYING and (v.value or v.problem) for v in rec.values):
        return None
    if all(v.row != r for v in rec.values):
        return None  # only values filled down from merged cells above
    return rec


def _cells(
    grid: Grid, merges: Merges, r: int, fields: dict[int, str | None]
) -> Iterator[tuple[int, tuple[str, str], int]]:
    """The row's cells with the columns' merged data cells filled in: (col, cell, row)."""
    cells = grid[r]
    for c in sorted(set(cells) | set(fields)):
        if c in cells:
            yield c, cells[c], r
            continue
        src = merges.origin.get((r, c))
        if src is not None and src[1] == c and src[0] in grid and c in grid[src[0]]:
            yield c, grid[src[0]][c], src[0]  # merged down a column (a household's address)
