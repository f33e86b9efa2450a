"""Officials in spreadsheets: columns headed 填报人, 审核人, 负责人, 经办民警 (their cells below
are names) and lines such as ``制表人：张三    审核人：李四`` in a title or footer cell."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .data import patterns
from .text import find_mentions, read_name


@dataclass
class CellMention:
    name: str
    row: int
    col: int
    start: int
    end: int
    role: str
    sentence: str


def _label(value: str) -> str | None:
    v = re.sub(r"[\s：:（(].*$", "", value.strip())
    return patterns().labels.get(v)


def sheet_mentions(cells: Iterable[tuple[int, int, str]]) -> list[CellMention]:
    """Mentions in one sheet's cells ``(row, col, value)``."""
    grid = sorted(cells)
    out: list[CellMention] = []
    label_cols: dict[int, tuple[int, str]] = {}  # col → (header row, role)
    for row, col, value in grid:
        value = str(value)
        if len(value) > 2000:
            continue
        role = _label(value) if len(value.strip()) <= 8 else None
        if role is not None:
            label_cols[col] = (row, role)
            continue
        if col in label_cols and row > label_cols[col][0]:
            name = value.strip()
            end = read_name(name + "\n", 0)
            if end is not None and end == len(name):
                s = value.index(name)
                out.append(CellMention(name, row, col, s, s + len(name), label_cols[col][1], value))
                continue
        if patterns().label_re.search(value):
            mentions, _h = find_mentions(value)
            out.extend(
                CellMention(m.name, row, col, m.start, m.end, m.role, m.sentence) for m in mentions
            )
    return out
