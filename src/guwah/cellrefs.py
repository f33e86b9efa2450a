"""Spreadsheet cell references: column numbers ⇄ letters, "B7" ⇄ (row, column)."""

from __future__ import annotations

import re

_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def col_letter(col: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def parse_cell_ref(ref: str) -> tuple[int, int]:
    """ "B7" (or "$B$7") → (7, 2): 1-based row and column. ValueError if it is not a ref."""
    m = _REF.fullmatch(ref.strip())
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col
