"""Tables of numbers that keep the people behind each count, and the 95 % Wilson interval."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for k successes in n trials (E. B. Wilson, 1927)."""
    if n <= 0:
        raise ValueError("a Wilson interval needs n > 0")
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class Count:
    """A number of people, with who they are (person ids)."""

    people: tuple[int, ...]
    ref: str = ""  # set by :func:`number_counts`: "N<i>", the anchor of the people list
    whole: bool = False  # a whole population (every person resolved, every resident listed)

    @property
    def n(self) -> int:
        return len(self.people)

    def __str__(self) -> str:
        return str(self.n)


Value = str | int | float | Count | None


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Value]] = field(default_factory=list)
    note: str = ""

    def plain(self) -> list[list[str]]:
        return [[plain(v) for v in row] for row in self.rows]


def plain(v: Value) -> str:
    if type(v) is str:
        return v
    if v is None:
        return ""
    if isinstance(v, Count):
        return str(v.n)
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def csv_safe(text: str) -> str:
    """A cell a spreadsheet program will not run as a formula (leaked text is hostile)."""
    return "'" + text if text and text[0] in "=+-@\t\r" else text


def table_csv(table: Table) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(table.columns)
    w.writerows([csv_safe(plain(v)) for v in row] for row in table.rows)
    return buf.getvalue()


def csv_bytes(text: str) -> bytes:
    """A CSV file's bytes: UTF-8 with BOM, so spreadsheet programs read Chinese."""
    return text.encode("utf-8-sig")


def write_csvs(tables: list[Table], out: Path) -> list[Path]:
    """Each table as ``OUT/<key>.csv`` (UTF-8 with BOM, so spreadsheet programs read Chinese)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in tables:
        p = out / f"{t.key}.csv"
        p.write_bytes(csv_bytes(table_csv(t)))
        paths.append(p)
    return paths


def number_counts(tables: list[Table], wholes: bool = True) -> list[Count]:
    """Give every count with people a reference (N1, N2…) in table order; returns them.
    ``wholes=False``: not the counts of a whole population (the PDF appendix leaves them out)."""
    out: list[Count] = []
    for t in tables:
        for row in t.rows:
            for v in row:
                if isinstance(v, Count) and v.n and not v.ref and (wholes or not v.whole):
                    out.append(v)
                    v.ref = f"N{len(out)}"
    return out
