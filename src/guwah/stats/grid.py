"""A printed table as a grid of text cells, whatever it was read from.

A spreadsheet's cells keep their sheet, row and column; a PDF page's text runs and a scan's
OCR words are grouped into lines and columns, keeping the page, the box and (for OCR) the
confidence. Table understanding (``tables.py``) reads only this grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guwah.han import is_han


@dataclass
class GridCell:
    row: int  # 1-based, in the grid
    col: int
    text: str
    confidence: float | None = None  # OCR word confidence (0–100), None for text layers
    where: dict[str, Any] = field(default_factory=dict)  # sheet_index/row/col or page/box


@dataclass
class Grid:
    """The cells of one sheet or page, and where it is in the original."""

    cells: dict[tuple[int, int], GridCell]
    where: dict[str, Any]  # {"sheet_index": i, "sheet": name} or {"page": n, "method": ...}
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, r1, c0, c1

    def text(self, row: int, col: int) -> str:
        cell = self.cells.get((row, col))
        return cell.text.strip() if cell else ""

    @property
    def rows(self) -> list[int]:
        return sorted({r for r, _c in self.cells if self.text(r, _c)})

    def row_cells(self, row: int) -> list[GridCell]:
        return sorted(
            (c for (r, _c), c in self.cells.items() if r == row and c.text.strip()),
            key=lambda c: c.col,
        )

    @property
    def n_cols(self) -> int:
        return max((c for _r, c in self.cells), default=0)


@dataclass
class Box:
    """A run of text on a page (a text-layer segment or an OCR word), in page units."""

    x0: float
    y0: float  # top
    x1: float
    y1: float  # bottom
    text: str
    confidence: float | None = None


def boxes_to_grid(boxes: list[Box], where: dict[str, Any]) -> Grid:
    """Group text boxes into lines (by vertical overlap) and cells (by horizontal gap), then
    give cells column numbers from the line with the most cells."""
    boxes = [b for b in boxes if b.text.strip()]
    if not boxes:
        return Grid({}, where)
    heights = sorted(b.y1 - b.y0 for b in boxes)
    h = max(heights[len(heights) // 2], 1e-6)
    lines: list[list[Box]] = []
    for b in sorted(boxes, key=lambda b: ((b.y0 + b.y1) / 2, b.x0)):
        mid = (b.y0 + b.y1) / 2
        if lines and abs(mid - _mid(lines[-1])) < 0.5 * h:
            lines[-1].append(b)
        else:
            lines.append([b])
    merged_lines = [_merge_runs(sorted(line, key=lambda b: b.x0), h) for line in lines]
    template = max(merged_lines, key=len)
    columns = [(c.x0, c.x1) for c in template]
    cells: dict[tuple[int, int], GridCell] = {}
    for r, line in enumerate(merged_lines, start=1):
        for cell in line:
            col = _column(cell, columns)
            key = (r, col)
            if key in cells:  # two runs in one column: keep them together
                prev = cells[key]
                prev.text = f"{prev.text}{cell.text}"
                continue
            cells[key] = GridCell(
                r,
                col,
                cell.text,
                cell.confidence,
                {**where, "box": [round(v, 1) for v in (cell.x0, cell.y0, cell.x1, cell.y1)]},
            )
    return Grid(cells, where)


def _mid(line: list[Box]) -> float:
    return sum((b.y0 + b.y1) / 2 for b in line) / len(line)


def _merge_runs(line: list[Box], h: float) -> list[Box]:
    """Runs closer than about one character are one cell (``新疆`` + ``维吾尔自治区``)."""
    out: list[Box] = []
    for b in line:
        if out and b.x0 - out[-1].x1 < 0.9 * h:
            last = out[-1]
            sep = "" if _cjk(last.text[-1:]) or _cjk(b.text[:1]) else " "
            conf = None
            if last.confidence is not None and b.confidence is not None:
                conf = min(last.confidence, b.confidence)
            out[-1] = Box(
                last.x0,
                min(last.y0, b.y0),
                b.x1,
                max(last.y1, b.y1),
                last.text + sep + b.text,
                conf,
            )
        else:
            out.append(Box(b.x0, b.y0, b.x1, b.y1, b.text, b.confidence))
    return out


def _cjk(ch: str) -> bool:
    """Han or CJK punctuation (text that is written without spaces)."""
    return bool(ch) and (is_han(ch) or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")


def _column(cell: Box, columns: list[tuple[float, float]]) -> int:
    """The template column a cell overlaps most, else the nearest by centre (1-based)."""
    best, best_overlap = 0, 0.0
    for i, (x0, x1) in enumerate(columns):
        overlap = min(x1, cell.x1) - max(x0, cell.x0)
        if overlap > best_overlap:
            best, best_overlap = i, overlap
    if best_overlap <= 0:
        mid = (cell.x0 + cell.x1) / 2
        best = min(
            range(len(columns)), key=lambda i: abs((columns[i][0] + columns[i][1]) / 2 - mid)
        )
    return best + 1
