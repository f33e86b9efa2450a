"""The embedded search index: one SQLite file per case, ``CASE/derived/search.sqlite``.

Derived data: delete it or run ``guwah search --rebuild`` and it is made again from the
case database. PostgreSQL cases keep their index in their own database instead
(``guwah.search.backend.PostgresIndex``), with the same tokens.

Tables: ``docs`` (one row per search document: original text, facets, provenance),
``fts`` (FTS5 over the Python-made tokens of ``docs``; rowid = ``docs.id``), ``indexed``
(what each item looked like when it was indexed) and ``meta`` (case-wide signatures).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from guwah.search.documents import SearchDoc
from guwah.search.tokenize import index_text

INDEX_NAME = "search.sqlite"
SCHEMA_VERSION = "2"  # 2: the ``tags`` column
# The tokens are made in Python; FTS5 only has to split them at spaces. Marks (M*) are
# token characters so no Arabic or combining mark splits a token.
FTS_TOKENIZE = "unicode61 remove_diacritics 0 categories 'L* N* Co M* P* S*'"
FTS_COLUMNS = ("body", "alias", "path", "tags")
# Exact-value filters are also index terms in ``tags`` ("kind=row", "county=疏附县"), so that
# FTS5 intersects them with the words (seeking through the shorter list) instead of the
# search reading every match to test the filter: a rare filter on a common word stays fast.
TAG_FIELDS = ("kind", "type", "county", "facility")

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS indexed (item_id INTEGER PRIMARY KEY, signature TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    type TEXT NOT NULL,
    county TEXT,
    facility TEXT,
    date TEXT,
    has_findings INTEGER NOT NULL DEFAULT 0,
    page_no INTEGER,
    method TEXT,
    sheet TEXT,
    sheet_index INTEGER,
    row INTEGER,
    path TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_docs_item ON docs (item_id);
CREATE INDEX IF NOT EXISTS ix_docs_type ON docs (type);
CREATE INDEX IF NOT EXISTS ix_docs_county ON docs (county);
CREATE INDEX IF NOT EXISTS ix_docs_facility ON docs (facility);
CREATE INDEX IF NOT EXISTS ix_docs_date ON docs (date);
CREATE INDEX IF NOT EXISTS ix_docs_findings ON docs (has_findings);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    {", ".join(FTS_COLUMNS)}, tokenize = "{FTS_TOKENIZE}"
);
"""


def index_path(derived_dir: Path) -> Path:
    return derived_dir / INDEX_NAME


def connect(path: Path, create: bool = True) -> sqlite3.Connection:
    """Open (and if needed create) the index. Raises FileNotFoundError if absent and not
    ``create``."""
    if not create and not path.exists():
        raise FileNotFoundError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    if create:
        conn.executescript(_SCHEMA)
        version = get_meta(conn, "schema_version")
        if version not in (None, SCHEMA_VERSION):
            drop(conn)
            conn.executescript(_SCHEMA)
        set_meta(conn, "schema_version", SCHEMA_VERSION)
        conn.commit()
    return conn


def drop(conn: sqlite3.Connection) -> None:
    for table in ("fts", "docs", "indexed", "meta"):
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    conn.commit()
    conn.execute("VACUUM")  # give the space back


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def tag(field: str, value: str) -> str:
    """The ``tags`` token of a filter value (one token: the tokenizer splits at spaces)."""
    return f"{field}={'_'.join(value.lower().split())}"


def schema_version(conn: sqlite3.Connection) -> str | None:
    try:
        return get_meta(conn, "schema_version")
    except sqlite3.OperationalError:  # no meta table: not an index at all
        return None


def delete_items(conn: sqlite3.Connection, item_ids: Iterable[int]) -> int:
    """Remove every document of these items; returns how many."""
    n = 0
    for item_id in item_ids:
        ids = [r[0] for r in conn.execute("SELECT id FROM docs WHERE item_id = ?", (item_id,))]
        if ids:
            conn.executemany("DELETE FROM fts WHERE rowid = ?", [(i,) for i in ids])
            conn.execute("DELETE FROM docs WHERE item_id = ?", (item_id,))
            n += len(ids)
    return n


def add_docs(conn: sqlite3.Connection, docs: Iterable[SearchDoc]) -> int:
    """Insert documents (ids follow the largest in use) and their index rows."""
    next_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM docs").fetchone()[0]) + 1
    doc_rows: list[tuple[Any, ...]] = []
    fts_rows: list[tuple[Any, ...]] = []
    for doc_id, doc in enumerate(docs, next_id):
        doc_rows.append(
            (
                doc_id,
                doc.item_id,
                doc.kind,
                doc.sha256,
                doc.type,
                doc.county,
                doc.facility,
                doc.date,
                int(doc.has_findings),
                doc.page_no,
                doc.method,
                doc.sheet,
                doc.sheet_index,
                doc.row,
                doc.path,
                doc.title,
                doc.text,
            )
        )
        fts_rows.append(
            (
                doc_id,
                index_text(doc.text),
                index_text(doc.alias),
                index_text(doc.paths),
                " ".join(tag(f, getattr(doc, f)) for f in TAG_FIELDS if getattr(doc, f)),
            )
        )
    conn.executemany(
        "INSERT INTO docs (id, item_id, kind, sha256, type, county, facility, date, "
        "has_findings, page_no, method, sheet, sheet_index, row, path, title, text) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        doc_rows,
    )
    conn.executemany(
        "INSERT INTO fts (rowid, body, alias, path, tags) VALUES (?, ?, ?, ?, ?)", fts_rows
    )
    return len(doc_rows)
