"""What every stage's scratch tables share: temporary tables on one connection, filled in
batches and read back as streams, so that a stage's memory does not grow with the leak
(``records/scratch.py`` and ``verify/scratch.py`` declare their own tables on these)."""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, Executable

TEMPORARY = ["TEMPORARY"]  # the ``prefixes`` of a scratch table


def drop(conn: Connection, tables: Iterable[Table]) -> None:
    """Drop ``tables`` (dependants first, as given) if they exist."""
    for table in tables:
        conn.execute(text(f"DROP TABLE IF EXISTS {table.name}"))


def create(conn: Connection, tables: list[Table]) -> None:
    """(Re-)create ``tables``: a pooled connection may keep those of a failed run."""
    drop(conn, reversed(tables))
    for table in tables:
        table.create(conn)


def stream(conn: Connection, stmt: Executable, per: int = 2000) -> Generator[Any, None, None]:
    """Rows of ``stmt`` fetched ``per`` at a time (a server-side cursor on PostgreSQL)."""
    result = conn.execute(stmt, execution_options={"stream_results": True, "yield_per": per})
    try:
        yield from result
    finally:
        result.close()


def binary(conn: Connection, col: Any) -> ColumnElement[Any]:
    """``col`` ordered by code point, as Python sorts strings (PostgreSQL's collation may
    not: ``COLLATE "C"``; SQLite compares bytes already)."""
    return col.collate("C") if conn.dialect.name == "postgresql" else col


class Batch:
    """Rows for one table, inserted ``size`` at a time."""

    def __init__(self, conn: Connection, table: Any, size: int = 5000) -> None:
        self.conn, self.table, self.size = conn, table, size
        self.rows: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.size:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.conn.execute(insert(self.table), self.rows)
            self.rows = []
