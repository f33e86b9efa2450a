"""Where the search index lives: an SQLite FTS5 file (embedded) or PostgreSQL (server mode).

Both hold the same documents and the same tokens (``guwah.search.tokenize``: CJK bigrams,
folded Uyghur Arabic, Latin readings, ID numbers and their region prefix), and both run the
same parsed query (``guwah.search.query.ParsedQuery``): the backend only compiles it —
to an FTS5 expression, or to a ``tsquery`` over a ``tsvector`` column with a GIN index —
and renders the filters. ``guwah.search.stage`` does the rest (signatures, batches,
ranking the page of hits, facets, snippets) once for both.

- :class:`SqliteIndex`: ``CASE/derived/search.sqlite`` (``guwah.search.index``); the
  default, and the index of every SQLite case.
- :class:`PostgresIndex`: the schema ``guwah_search`` in the case's own PostgreSQL
  database (derived data like the SQLite file: ``guwah search --rebuild`` drops and
  rebuilds it). One row per document in ``guwah_search.docs`` with its tokens in ``tsv``:
  each token at its position, weighted by column (body A, alias B, path C, tags D) with a
  gap between columns, so a phrase never spans two columns, ``path:`` is a weight filter,
  and ``ts_rank`` weighs the columns as bm25 does in FTS5.

PostgreSQL's limits on a ``tsvector`` are stated, not hidden: a token longer than 2,047
bytes is not indexed (FTS5 would index it), positions past 16,383 are counted as 16,383 and
a token keeps at most 256 positions per document, so a phrase deep inside a very long page
(more than 16,383 tokens) may be missed; a document's tokens stop at about 900 kB.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from guwah.search import index as ix
from guwah.search.documents import SearchDoc
from guwah.search.query import ParsedQuery, QueryError, Term, unit_expr
from guwah.search.tokenize import index_text, query_units

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from guwah.case import Case

#: the columns of a match read for counting, ranking and facets (after id and score)
FACET_COLS = ("type", "kind", "county", "facility", "substr(d.date, 1, 4)", "has_findings")
HIT_COLS = (
    "id",
    "kind",
    "item_id",
    "sha256",
    "type",
    "path",
    "title",
    "text",
    "county",
    "facility",
    "date",
    "has_findings",
    "page_no",
    "method",
    "sheet",
    "sheet_index",
    "row",
)
BM25_WEIGHTS = (1.0, 0.6, 0.4, 0.0)  # body, alias, path, tags


@dataclass(frozen=True)
class Cond:
    """One filter on a column of the documents: ``op`` is =, >=, <=, contains or prefix."""

    column: str
    op: str
    value: Any


@dataclass
class Filters:
    conds: list[Cond]
    tags: list[str]  # index tokens of the ``tags`` column that must be present


class IndexBackend(ABC):
    """What ``guwah.search.stage`` needs of an index, whatever holds it."""

    name: str

    # --- the index's own bookkeeping ---------------------------------------------------
    @abstractmethod
    def get_meta(self, key: str) -> str | None: ...

    @abstractmethod
    def set_meta(self, key: str, value: str) -> None: ...

    @abstractmethod
    def schema_version(self) -> str | None: ...

    @abstractmethod
    def reset(self) -> None:
        """Drop everything and make the empty schema again (a full rebuild)."""

    @abstractmethod
    def indexed(self) -> dict[int, str]:
        """Per item, the signature it had when it was indexed."""

    @abstractmethod
    def set_indexed(self, pairs: Sequence[tuple[int, str]]) -> None: ...

    @abstractmethod
    def unset_indexed(self, item_ids: Sequence[int]) -> None: ...

    @abstractmethod
    def delete_items(self, item_ids: Sequence[int]) -> int:
        """Remove every document of these items; returns how many."""

    @abstractmethod
    def add_docs(self, docs: Iterable[SearchDoc]) -> int: ...

    @abstractmethod
    def docs_total(self) -> int: ...

    @abstractmethod
    def flagged_items(self) -> set[int]:
        """The items whose documents are marked as having findings."""

    @abstractmethod
    def set_flag(self, item_ids: Sequence[int], value: bool) -> None: ...

    @abstractmethod
    def items_containing(self, names: Sequence[str]) -> set[int] | None:
        """Items with a document whose text or paths may hold one of ``names`` (a superset
        of those that do); None when that cannot be told (then: every item)."""

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    # --- queries -------------------------------------------------------------------------
    @abstractmethod
    def has_value(self, column: str, value: str) -> bool:
        """Whether some document has exactly ``value`` in ``column`` (county, facility)."""

    @abstractmethod
    def matches(self, parsed: ParsedQuery, filters: Filters, cap: int) -> list[tuple[Any, ...]]:
        """(id, score — smaller is better —, *FACET_COLS) of at most ``cap`` matches, in
        index order."""

    @abstractmethod
    def rows(self, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        """The HIT_COLS of these documents, by id."""


def name_units(names: Sequence[str]) -> list[Term] | None:
    """Each name as one phrase term (as a quoted query would find it); None if a name has
    no tokens (it cannot be looked up in the index)."""
    terms: list[Term] = []
    for name in names:
        units = query_units(name, phrase=True)
        if not units:
            return None
        terms.append(Term(tuple(units)))
    return terms


# --- SQLite FTS5 ---------------------------------------------------------------------------


def _fts_term(term: Term, columns: str | None = None) -> str:
    column = columns or term.column
    parts = [unit_expr(u, column) for u in term.units]
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


class SqliteIndex(IndexBackend):
    name = "sqlite"

    def __init__(self, case: Case, create: bool = True) -> None:
        self.path = ix.index_path(case.derived_dir)
        self.conn = ix.connect(self.path, create=create)

    def get_meta(self, key: str) -> str | None:
        return ix.get_meta(self.conn, key)

    def set_meta(self, key: str, value: str) -> None:
        ix.set_meta(self.conn, key, value)

    def schema_version(self) -> str | None:
        return ix.schema_version(self.conn)

    def reset(self) -> None:
        ix.drop(self.conn)
        self.conn.close()
        self.conn = ix.connect(self.path)

    def indexed(self) -> dict[int, str]:
        return dict(self.conn.execute("SELECT item_id, signature FROM indexed").fetchall())

    def set_indexed(self, pairs: Sequence[tuple[int, str]]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO indexed (item_id, signature) VALUES (?, ?)", pairs
        )

    def unset_indexed(self, item_ids: Sequence[int]) -> None:
        self.conn.executemany("DELETE FROM indexed WHERE item_id = ?", [(i,) for i in item_ids])

    def delete_items(self, item_ids: Sequence[int]) -> int:
        return ix.delete_items(self.conn, item_ids)

    def add_docs(self, docs: Iterable[SearchDoc]) -> int:
        return ix.add_docs(self.conn, docs)

    def docs_total(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM docs").fetchone()[0])

    def flagged_items(self) -> set[int]:
        rows = self.conn.execute("SELECT DISTINCT item_id FROM docs WHERE has_findings = 1")
        return {int(r[0]) for r in rows}

    def set_flag(self, item_ids: Sequence[int], value: bool) -> None:
        self.conn.executemany(
            "UPDATE docs SET has_findings = ? WHERE item_id = ?",
            [(int(value), i) for i in item_ids],
        )

    def items_containing(self, names: Sequence[str]) -> set[int] | None:
        terms = name_units(names)
        if terms is None:
            return None
        out: set[int] = set()
        for start in range(0, len(terms), 100):
            expr = " OR ".join(_fts_term(t, "{body path}") for t in terms[start : start + 100])
            out.update(
                int(r[0])
                for r in self.conn.execute(
                    "SELECT DISTINCT d.item_id FROM fts CROSS JOIN docs d ON d.id = fts.rowid "
                    "WHERE fts MATCH ?",
                    (expr,),
                )
            )
        return out

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()

    def has_value(self, column: str, value: str) -> bool:
        row = self.conn.execute(f"SELECT 1 FROM docs WHERE {column} = ? LIMIT 1", (value,))
        return row.fetchone() is not None

    def _where(self, filters: Filters) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        args: list[Any] = []
        for c in filters.conds:
            if c.op == "contains":
                where.append(f"d.{c.column} LIKE ?")
                args.append(f"%{c.value}%")
            elif c.op == "prefix":
                where.append(f"d.{c.column} LIKE ?")
                args.append(f"{c.value}%")
            else:
                where.append(f"d.{c.column} {c.op} ?")
                args.append(c.value)
        return where, args

    def matches(self, parsed: ParsedQuery, filters: Filters, cap: int) -> list[tuple[Any, ...]]:
        where, args = self._where(filters)
        if parsed.exclude:
            where.append("d.id NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
            args.append(parsed.exclude)
        tags = ['tags : "' + t.replace('"', '""') + '"' for t in filters.tags]
        match = " AND ".join(([f"({parsed.match})"] if parsed.match else []) + tags)
        facets = ", ".join(c if "(" in c else f"d.{c}" for c in FACET_COLS)
        if match:
            weights = ", ".join(map(str, BM25_WEIGHTS))
            sql = (
                f"SELECT d.id, bm25(fts, {weights}), {facets} "
                "FROM fts CROSS JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ?"
            )
            sql += "".join(f" AND {w}" for w in where) + " LIMIT ?"
            args = [match, *args]
        else:
            clause = " AND ".join(where) or "1"
            sql = f"SELECT d.id, 0.0, {facets} FROM docs d WHERE {clause} ORDER BY d.id LIMIT ?"
        try:
            return [tuple(r) for r in self.conn.execute(sql, [*args, cap])]
        except sqlite3.OperationalError as exc:
            raise QueryError(f"cannot run query {parsed.text!r}: {exc}") from exc

    def rows(self, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        cols = ", ".join(f"d.{c}" for c in HIT_COLS)
        sql = f"SELECT {cols} FROM docs d WHERE d.id IN ({', '.join('?' * len(ids))})"
        return {r[0]: tuple(r) for r in self.conn.execute(sql, list(ids))}


# --- PostgreSQL ----------------------------------------------------------------------------

PG_SCHEMA = "guwah_search"
PG_SCHEMA_VERSION = "1"
#: the weight of each column's tokens in ``tsv`` (FTS_COLUMNS order: body, alias, path, tags)
PG_WEIGHTS = {"body": "A", "alias": "B", "path": "C", "tags": "D"}
# ts_rank's weights are given as {D, C, B, A}
PG_RANK_WEIGHTS = "{" + ", ".join(str(w) for w in reversed(BM25_WEIGHTS)) + "}"
MAX_LEXEME_BYTES = 2047
MAX_POSITION = 16383
MAX_POSITIONS = 256
MAX_TSV_BYTES = 900_000

_PG_SCHEMA_SQL = f"""
CREATE SCHEMA IF NOT EXISTS {PG_SCHEMA};
CREATE TABLE IF NOT EXISTS {PG_SCHEMA}.meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS {PG_SCHEMA}.indexed (
    item_id bigint PRIMARY KEY, signature text NOT NULL);
CREATE TABLE IF NOT EXISTS {PG_SCHEMA}.docs (
    id bigint PRIMARY KEY,
    item_id bigint NOT NULL,
    kind text NOT NULL,
    sha256 text NOT NULL,
    type text NOT NULL,
    county text,
    facility text,
    date text,
    has_findings smallint NOT NULL DEFAULT 0,
    page_no integer,
    method text,
    sheet text,
    sheet_index integer,
    "row" integer,
    path text NOT NULL DEFAULT '',
    title text NOT NULL DEFAULT '',
    text text NOT NULL,
    tsv tsvector NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_docs_tsv ON {PG_SCHEMA}.docs USING gin (tsv);
CREATE INDEX IF NOT EXISTS ix_docs_item ON {PG_SCHEMA}.docs (item_id);
CREATE INDEX IF NOT EXISTS ix_docs_county ON {PG_SCHEMA}.docs (county);
CREATE INDEX IF NOT EXISTS ix_docs_facility ON {PG_SCHEMA}.docs (facility);
CREATE INDEX IF NOT EXISTS ix_docs_date ON {PG_SCHEMA}.docs (date);
CREATE INDEX IF NOT EXISTS ix_docs_findings ON {PG_SCHEMA}.docs (has_findings);
"""


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(columns: Sequence[tuple[str, str]]) -> str:
    """The ``tsvector`` of a document: (token string, weight) per column, each token at its
    position, one free position between columns so that no phrase spans two of them."""
    at: dict[str, list[str]] = {}
    pos = 0
    size = 0
    for tokens, weight in columns:
        for token in tokens.split():
            pos += 1
            nbytes = len(token.encode())
            if nbytes > MAX_LEXEME_BYTES:
                continue
            spots = at.get(token)
            if spots is None:
                if size > MAX_TSV_BYTES:
                    continue
                spots = at[token] = []
                size += nbytes + 4
            if len(spots) < MAX_POSITIONS:
                spots.append(f"{min(pos, MAX_POSITION)}{weight}")
                size += 6
        pos += 1
    return " ".join(f"{_lexeme(tok)}:{','.join(spots)}" for tok, spots in at.items())


def _ts_unit(unit: Any, weights: str = "") -> str:
    parts = [f"{_lexeme(t)}:{weights}" if weights else _lexeme(t) for t in unit.tokens]
    if unit.prefix:
        parts[-1] = f"{_lexeme(unit.tokens[-1])}:*{weights}"
    return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"


def ts_term(term: Term, weights: str | None = None) -> str:
    """A term as a ``tsquery``: its units (phrases) all present, in its column if any."""
    w = weights if weights is not None else (PG_WEIGHTS[term.column] if term.column else "")
    parts = [_ts_unit(u, w) for u in term.units]
    return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"


def ts_query(parsed: ParsedQuery, tags: Sequence[str]) -> tuple[str | None, str | None]:
    """The ``tsquery`` of what must match (None: nothing is required) and, when nothing is
    required, that of what must not."""
    groups = [
        g[0] if len(g) == 1 else "(" + " | ".join(g) + ")"
        for g in ([ts_term(t) for t in group] for group in parsed.groups)
    ]
    required = [*groups, *(f"{_lexeme(t)}:D" for t in tags)]
    negated = " | ".join(ts_term(t) for t in parsed.negated) or None
    if not required:
        return None, negated
    query = " & ".join(required)
    if negated:
        query = f"({query}) & !({negated})"
    return query, None


class PostgresIndex(IndexBackend):
    name = "postgresql"

    def __init__(self, engine: Engine, create: bool = True) -> None:
        self.engine = engine
        self.conn: Connection = engine.connect()
        if create:
            self._create()
        elif self.schema_version() is None:
            self.conn.close()
            raise FileNotFoundError(f"{PG_SCHEMA}.meta")

    def _sql(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        from sqlalchemy import text

        return self.conn.execute(text(sql), params or {})

    def _create(self) -> None:
        self.conn.exec_driver_sql(_PG_SCHEMA_SQL)
        version = self.get_meta("schema_version")
        if version not in (None, PG_SCHEMA_VERSION):
            self._drop()
            self.conn.exec_driver_sql(_PG_SCHEMA_SQL)
        self.set_meta("schema_version", PG_SCHEMA_VERSION)
        self.conn.commit()

    def _drop(self) -> None:
        self.conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")

    def get_meta(self, key: str) -> str | None:
        row = self._sql(f"SELECT value FROM {PG_SCHEMA}.meta WHERE key = :k", {"k": key}).first()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._sql(
            f"INSERT INTO {PG_SCHEMA}.meta (key, value) VALUES (:k, :v) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            {"k": key, "v": value},
        )

    def schema_version(self) -> str | None:
        exists = self._sql("SELECT to_regclass(:t)", {"t": f"{PG_SCHEMA}.meta"}).scalar()
        return self.get_meta("schema_version") if exists else None

    def reset(self) -> None:
        self._drop()
        self.conn.commit()
        self._create()

    def indexed(self) -> dict[int, str]:
        rows = self._sql(f"SELECT item_id, signature FROM {PG_SCHEMA}.indexed")
        return {int(r[0]): str(r[1]) for r in rows}

    def set_indexed(self, pairs: Sequence[tuple[int, str]]) -> None:
        if pairs:
            self._sql(
                f"INSERT INTO {PG_SCHEMA}.indexed (item_id, signature) VALUES (:i, :s) "
                "ON CONFLICT (item_id) DO UPDATE SET signature = excluded.signature",
                [{"i": i, "s": s} for i, s in pairs],  # type: ignore[arg-type]
            )

    def unset_indexed(self, item_ids: Sequence[int]) -> None:
        if item_ids:
            self._sql(
                f"DELETE FROM {PG_SCHEMA}.indexed WHERE item_id = ANY(:ids)",
                {"ids": list(item_ids)},
            )

    def delete_items(self, item_ids: Sequence[int]) -> int:
        if not item_ids:
            return 0
        result = self._sql(
            f"DELETE FROM {PG_SCHEMA}.docs WHERE item_id = ANY(:ids)", {"ids": list(item_ids)}
        )
        return int(result.rowcount)

    def add_docs(self, docs: Iterable[SearchDoc]) -> int:
        """Documents by COPY, ids following the largest in use (as in the SQLite index)."""
        from guwah.search.index import FTS_COLUMNS, TAG_FIELDS, tag

        next_id = int(self._sql(f"SELECT coalesce(max(id), 0) FROM {PG_SCHEMA}.docs").scalar())
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        n = 0
        columns = ", ".join(f'"{c}"' for c in [*HIT_COLS, "tsv"])
        with cursor.copy(f"COPY {PG_SCHEMA}.docs ({columns}) FROM STDIN") as copy:
            for n, doc in enumerate(docs, 1):
                tags = " ".join(tag(f, getattr(doc, f)) for f in TAG_FIELDS if getattr(doc, f))
                texts = (index_text(doc.text), index_text(doc.alias), index_text(doc.paths), tags)
                tsv = tsvector_literal(
                    [(t, PG_WEIGHTS[c]) for t, c in zip(texts, FTS_COLUMNS, strict=True)]
                )
                copy.write_row(
                    (
                        next_id + n,
                        doc.kind,
                        doc.item_id,
                        doc.sha256,
                        doc.type,
                        doc.path,
                        doc.title,
                        doc.text,
                        doc.county,
                        doc.facility,
                        doc.date,
                        int(doc.has_findings),
                        doc.page_no,
                        doc.method,
                        doc.sheet,
                        doc.sheet_index,
                        doc.row,
                        tsv,
                    )
                )
        return n

    def docs_total(self) -> int:
        return int(self._sql(f"SELECT count(*) FROM {PG_SCHEMA}.docs").scalar())

    def flagged_items(self) -> set[int]:
        rows = self._sql(f"SELECT DISTINCT item_id FROM {PG_SCHEMA}.docs WHERE has_findings = 1")
        return {int(r[0]) for r in rows}

    def set_flag(self, item_ids: Sequence[int], value: bool) -> None:
        if item_ids:
            self._sql(
                f"UPDATE {PG_SCHEMA}.docs SET has_findings = :v WHERE item_id = ANY(:ids)",
                {"v": int(value), "ids": list(item_ids)},
            )

    def items_containing(self, names: Sequence[str]) -> set[int] | None:
        terms = name_units(names)
        if terms is None:
            return None
        out: set[int] = set()
        for start in range(0, len(terms), 100):
            query = " | ".join(ts_term(t, "AC") for t in terms[start : start + 100])
            rows = self._sql(
                f"SELECT DISTINCT item_id FROM {PG_SCHEMA}.docs WHERE tsv @@ CAST(:q AS tsquery)",
                {"q": query},
            )
            out.update(int(r[0]) for r in rows)
        return out

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()

    def has_value(self, column: str, value: str) -> bool:
        sql = f"SELECT 1 FROM {PG_SCHEMA}.docs WHERE {column} = :v LIMIT 1"
        return self._sql(sql, {"v": value}).first() is not None

    def matches(self, parsed: ParsedQuery, filters: Filters, cap: int) -> list[tuple[Any, ...]]:
        from sqlalchemy.exc import DBAPIError

        where: list[str] = []
        params: dict[str, Any] = {"cap": cap}
        for n, c in enumerate(filters.conds):
            key = f"p{n}"
            if c.op == "contains":  # LIKE as SQLite runs it: ASCII letters in any case
                where.append(f"d.{c.column} ILIKE :{key}")
                params[key] = f"%{c.value}%"
            elif c.op == "prefix":
                where.append(f"d.{c.column} ILIKE :{key}")
                params[key] = f"{c.value}%"
            else:
                where.append(f"d.{c.column} {c.op} :{key}")
                params[key] = c.value
        query, exclude = ts_query(parsed, filters.tags)
        facets = ", ".join(c if "(" in c else f"d.{c}" for c in FACET_COLS)
        if query:
            params["q"] = query
            where.insert(0, "d.tsv @@ CAST(:q AS tsquery)")
            score = f"-ts_rank('{PG_RANK_WEIGHTS}', d.tsv, CAST(:q AS tsquery))"
        else:
            score = "0.0"
        if exclude:
            params["x"] = exclude
            where.append("NOT (d.tsv @@ CAST(:x AS tsquery))")
        clause = " AND ".join(where) or "true"
        sql = (
            f"SELECT d.id, {score}, {facets} FROM {PG_SCHEMA}.docs d "
            f"WHERE {clause} ORDER BY d.id LIMIT :cap"
        )
        try:
            return [tuple(r) for r in self._sql(sql, params)]
        except DBAPIError as exc:
            self.conn.rollback()
            raise QueryError(f"cannot run query {parsed.text!r}: {exc.orig}") from exc

    def rows(self, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        if not ids:
            return {}
        cols = ", ".join(f'd."{c}"' for c in HIT_COLS)
        sql = f"SELECT {cols} FROM {PG_SCHEMA}.docs d WHERE d.id = ANY(:ids)"
        return {int(r[0]): tuple(r) for r in self._sql(sql, {"ids": list(ids)})}


def open_index(case: Case, create: bool = True) -> IndexBackend:
    """The case's index: in its PostgreSQL database in server mode, else the SQLite file.
    Raises FileNotFoundError when it does not exist and ``create`` is False."""
    if case.engine.dialect.name == "postgresql":
        return PostgresIndex(case.engine, create=create)
    return SqliteIndex(case, create=create)
