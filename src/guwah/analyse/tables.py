"""Tables of numbers that keep the people behind each count, and the 95 % Wilson interval."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Sequence
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


class Count:
    """A number of people, with who they are (person ids, sorted, each once).

    The people are either given (a tuple) or kept on disk by the analysis (``loader``: called
    when they are asked for, so a table of counts does not hold every person behind them)."""

    __slots__ = ("_people", "_n", "_loader", "ref", "whole")

    def __init__(
        self,
        people: tuple[int, ...] = (),
        ref: str = "",
        whole: bool = False,
        *,
        n: int | None = None,
        loader: Callable[[], tuple[int, ...]] | None = None,
    ) -> None:
        self._people: tuple[int, ...] | None = None if loader is not None else tuple(people)
        self._n = len(people) if n is None else n
        self._loader = loader
        self.ref = ref  # set by :func:`number_counts`: "N<i>", the anchor of the people list
        self.whole = whole  # a whole population (every person resolved, every resident listed)

    @property
    def people(self) -> tuple[int, ...]:
        if self._people is not None:
            return self._people
        assert self._loader is not None
        return self._loader()  # not kept: a large count is read again when asked again

    @property
    def n(self) -> int:
        return self._n

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Count):
            return NotImplemented
        return (self.n, self.people, self.ref, self.whole) == (
            other.n,
            other.people,
            other.ref,
            other.whole,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Count(n={self.n}, ref={self.ref!r}, whole={self.whole})"

    def __str__(self) -> str:
        return str(self.n)


Value = str | int | float | Count | None


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    #: a list, or rows the analysis reads back from disk as they are iterated (large tables)
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


def write_csvs(tables: Iterable[Table], out: Path) -> list[Path]:
    """Each table as ``OUT/<key>.csv`` (UTF-8 with BOM, so spreadsheet programs read Chinese),
    written row by row (the matrix's evidence has a row per person and cell)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in tables:
        p = out / f"{t.key}.csv"
        with p.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(t.columns)
            rows: Sequence[list[Value]] = t.rows
            w.writerows([csv_safe(plain(v)) for v in row] for row in rows)
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
