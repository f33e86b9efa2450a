"""Build the search index incrementally, and search it.

``build_index`` indexes the items that are new or changed since the last build (a changed
item: re-extracted, OCR done, a new path, or a records build that re-mapped its rows), in
batches committed one by one, so an interrupted build resumes. ``search`` runs a query with
bm25 ranking, filters, facet counts and highlighted snippets of the original text.
"""

from __future__ import annotations

import hashlib
import heapq
import sqlite3
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select

from guwah.case import Case
from guwah.core import NoProgress, Progress, case_lock
from guwah.search import index as ix
from guwah.search.documents import documents as make_documents
from guwah.search.documents import findings_items, load_context
from guwah.search.query import (
    FINDINGS_NO,
    FINDINGS_YES,
    ParsedQuery,
    QueryError,
    Snippet,
    make_snippet,
    parse_query,
)
from guwah.store.models import ColumnMap, Item, Occurrence, Page, Record, Sheet

BATCH = 200
# Counting, facets and ranking read at most this many matching documents (in index order):
# beyond it the total is a lower bound and the best hits are those of the first MATCH_CAP.
# Ranking every match of a term found in 100,000 documents costs about 0.1 s here.
MATCH_CAP = 10_000
FACET_NAMES = ("type", "kind", "county", "facility", "year", "has_findings")
BM25_WEIGHTS = (1.0, 0.6, 0.4, 0.0)  # body, alias, path, tags


@dataclass
class IndexStats:
    items_indexed: int = 0
    items_removed: int = 0
    docs_added: int = 0
    docs_removed: int = 0
    docs_total: int = 0
    findings_updated: bool = False
    full: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["seconds"] = round(self.seconds, 3)
        return out


def _signatures(case: Case) -> tuple[dict[int, str], str, str]:
    """Per item: what it looks like now; the records and findings signatures."""
    with case.engine.connect() as conn:
        occ = dict(
            conn.execute(
                select(Occurrence.item_id, func.count())
                .where(Occurrence.item_id.is_not(None))
                .group_by(Occurrence.item_id)
            ).all()
        )
        pages = {
            r[0]: (r[1], r[2])
            for r in conn.execute(
                select(Page.item_id, func.count(), func.sum(func.length(Page.text))).group_by(
                    Page.item_id
                )
            )
        }
        with_sheets = {r[0] for r in conn.execute(select(Sheet.item_id).distinct())}
        rec = conn.execute(select(func.count(), func.max(Record.id))).one()
        cmap = conn.execute(select(func.count(), func.max(ColumnMap.id))).one()
        records_sig = f"{rec[0]}:{rec[1]}:{cmap[0]}:{cmap[1]}"
        ctx = load_context(conn)
        ctx_sig = hashlib.sha256(
            "\n".join([*ctx.counties, "|", *ctx.facilities]).encode()
        ).hexdigest()[:16]
        findings_sig = hashlib.sha256(
            ",".join(map(str, sorted(ctx.items_with_findings))).encode()
        ).hexdigest()[:16]
        sigs: dict[int, str] = {}
        for item_id, status, extracted_at, ocr_status in conn.execute(
            select(Item.id, Item.status, Item.extracted_at, Item.ocr_status)
        ):
            parts = [status, str(extracted_at), str(ocr_status), str(occ.get(item_id, 0))]
            parts.append(str(pages.get(item_id, "")))
            if item_id in with_sheets:
                parts.append(records_sig)
            parts.append(ctx_sig)
            sigs[item_id] = "|".join(parts)
    return sigs, ctx_sig, findings_sig


def build_index(case: Case, full: bool = False, progress: Progress | None = None) -> IndexStats:
    """Index what is new or changed in the case (everything with ``full``)."""
    progress = progress or NoProgress()
    t0 = time.perf_counter()
    stats = IndexStats(full=full)
    with case_lock(case):
        conn = ix.connect(ix.index_path(case.derived_dir))
        try:
            if full:
                ix.drop(conn)
                conn.close()
                conn = ix.connect(ix.index_path(case.derived_dir))
            sigs, _, findings_sig = _signatures(case)
            done = dict(conn.execute("SELECT item_id, signature FROM indexed").fetchall())
            removed = [i for i in done if i not in sigs]
            if removed:
                stats.docs_removed += ix.delete_items(conn, removed)
                conn.executemany("DELETE FROM indexed WHERE item_id = ?", [(i,) for i in removed])
                stats.items_removed = len(removed)
            todo = sorted(i for i, sig in sigs.items() if done.get(i) != sig)
            progress.total("index", len(todo))
            if todo:
                with case.engine.connect() as db:
                    ctx = load_context(db)
                    for start in range(0, len(todo), BATCH):
                        batch = todo[start : start + BATCH]
                        stats.docs_removed += ix.delete_items(conn, [i for i in batch if i in done])
                        stats.docs_added += ix.add_docs(conn, make_documents(db, batch, ctx))
                        conn.executemany(
                            "INSERT OR REPLACE INTO indexed (item_id, signature) VALUES (?, ?)",
                            [(i, sigs[i]) for i in batch],
                        )
                        conn.commit()
                        stats.items_indexed += len(batch)
                        progress.advance("index", len(batch))
            if ix.get_meta(conn, "findings") != findings_sig:
                _refresh_findings(case, conn)
                ix.set_meta(conn, "findings", findings_sig)
                stats.findings_updated = True
            conn.commit()
            stats.docs_total = conn.execute("SELECT count(*) FROM docs").fetchone()[0]
        finally:
            conn.close()
    stats.seconds = time.perf_counter() - t0
    return stats


def _refresh_findings(case: Case, conn: sqlite3.Connection) -> None:
    with case.engine.connect() as db:
        items = findings_items(db)
    conn.execute("UPDATE docs SET has_findings = 0 WHERE has_findings = 1")
    conn.executemany(
        "UPDATE docs SET has_findings = 1 WHERE item_id = ?", [(i,) for i in sorted(items)]
    )


# --- search ------------------------------------------------------------------------------


@dataclass
class Hit:
    """One matching search document, with provenance and a snippet of the original text."""

    doc_id: int
    kind: str
    item_id: int
    sha256: str
    type: str
    path: str
    title: str
    score: float
    snippet: Snippet
    county: str | None = None
    facility: str | None = None
    date: str | None = None
    has_findings: bool = False
    page_no: int | None = None
    method: str | None = None
    sheet: str | None = None
    sheet_index: int | None = None
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["snippet"] = self.snippet.text
        out["marks"] = [list(m) for m in self.snippet.marks]
        out["score"] = round(self.score, 4)
        return out


@dataclass
class SearchResult:
    query: str
    match: str | None  # the FTS5 expression that ran
    filters: dict[str, str]
    total: int  # matching documents, at most MATCH_CAP counted
    exact: bool  # False: more than MATCH_CAP matched; hits are ranked among the first ones
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "match": self.match,
            "filters": self.filters,
            "total": self.total,
            "exact": self.exact,
            "seconds": round(self.seconds, 4),
            "facets": self.facets,
            "hits": [h.as_dict() for h in self.hits],
        }


_HIT_COLS = (
    "d.id, d.kind, d.item_id, d.sha256, d.type, d.path, d.title, d.text, d.county, "
    "d.facility, d.date, d.has_findings, d.page_no, d.method, d.sheet, d.sheet_index, d.row"
)
_FACET_COLS = "d.type, d.kind, d.county, d.facility, substr(d.date, 1, 4), d.has_findings"


def _filter_sql(
    conn: sqlite3.Connection, filters: dict[str, str]
) -> tuple[list[str], list[Any], list[str]]:
    """SQL conditions on ``docs`` and FTS5 terms on ``tags`` for the filters."""
    where: list[str] = []
    args: list[Any] = []
    tags: list[str] = []
    for key, value in filters.items():
        if not value:
            continue
        if key in ("type", "kind"):
            tags.append(_tag_term(key, value))
        elif key in ("county", "facility"):
            exists = conn.execute(
                f"SELECT 1 FROM docs WHERE {key} = ? LIMIT 1", (value,)
            ).fetchone()
            if exists:
                tags.append(_tag_term(key, value))
            else:  # a part of the name: 第一职业技能
                where.append(f"d.{key} LIKE ?")
                args.append(f"%{value}%")
        elif key == "from":
            where.append("d.date >= ?")
            args.append(value)
        elif key == "to":
            where.append("d.date <= ?")
            args.append(value + "-99" * (2 - value.count("-")))
        elif key == "findings":
            low = value.lower()
            if low not in FINDINGS_YES | FINDINGS_NO:
                raise QueryError(f"findings:{value}: say findings:yes (是) or findings:no (否)")
            where.append("d.has_findings = ?")
            args.append(1 if low in FINDINGS_YES else 0)
        elif key == "sha256":
            where.append("d.sha256 LIKE ?")
            args.append(value.lower() + "%")
        else:
            raise QueryError(f"unknown filter {key}:")
    return where, args, tags


def _tag_term(key: str, value: str) -> str:
    return 'tags : "' + ix.tag(key, value).replace('"', '""') + '"'


def search(
    case: Case,
    query: str,
    limit: int = 20,
    offset: int = 0,
    filters: dict[str, str] | None = None,
    facets: bool = True,
    snippet_width: int = 160,
) -> SearchResult:
    """Search the case's index. ``filters`` (type, kind, county, facility, from, to,
    findings, sha256) add to those written in the query; they win where both give one."""
    t0 = time.perf_counter()
    parsed = parse_query(query)
    all_filters = {**parsed.filters, **{k: v for k, v in (filters or {}).items() if v}}
    conn = _open_index(case)
    try:
        sql = _match_sql(conn, parsed, all_filters)
        matches, best, rows = _run(conn, sql, query, offset, limit)
    finally:
        conn.close()
    total = len(matches)
    return SearchResult(
        query=query,
        match=parsed.match,
        filters=all_filters,
        total=total,
        exact=total < MATCH_CAP,
        hits=_hits(best, rows, parsed, snippet_width),
        facets=_facets(matches) if facets else {},
        seconds=time.perf_counter() - t0,
    )


def _open_index(case: Case) -> sqlite3.Connection:
    """The case's index, read as it is; a missing or outdated one says how to rebuild it."""
    rebuild = f"`guwah search --rebuild --case {case.root}`"
    try:
        conn = ix.connect(ix.index_path(case.derived_dir), create=False)
    except FileNotFoundError as exc:
        raise QueryError(f"the case has no search index yet; build it with {rebuild}") from exc
    if ix.schema_version(conn) != ix.SCHEMA_VERSION:
        conn.close()
        raise QueryError(
            f"the search index was made by another version of guwah; rebuild it with {rebuild}"
        )
    return conn


@dataclass
class _MatchSql:
    """The query over the index: its source, conditions, arguments, score and order."""

    source: str
    where: list[str]
    args: list[Any]
    score: str
    order: str

    def select(self, columns: str) -> str:
        clause = " AND ".join(self.where) or "1"
        return f"SELECT {columns} FROM {self.source} WHERE {clause} {self.order} LIMIT ?"


def _match_sql(conn: sqlite3.Connection, parsed: ParsedQuery, filters: dict[str, str]) -> _MatchSql:
    """The SQL of a parsed query and its filters: FTS5 when there are words or tag filters,
    else a scan of ``docs`` in index order."""
    where, args, tags = _filter_sql(conn, filters)
    if parsed.exclude:
        where.append("d.id NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
        args.append(parsed.exclude)
    match = " AND ".join(([f"({parsed.match})"] if parsed.match else []) + tags)
    if not match:
        return _MatchSql("docs d", where, args, "0.0", "ORDER BY d.id")
    return _MatchSql(
        "fts CROSS JOIN docs d ON d.id = fts.rowid",
        ["fts MATCH ?", *where],
        [match, *args],
        f"bm25(fts, {', '.join(map(str, BM25_WEIGHTS))})",
        "",
    )


def _run(
    conn: sqlite3.Connection, sql: _MatchSql, query: str, offset: int, limit: int
) -> tuple[list[Any], list[Any], dict[int, Any]]:
    """The matches (id, score, facet columns; at most MATCH_CAP), the page of best ones,
    and the rows of that page with their text, by id."""
    try:
        # one pass over the matches: score and facet columns only (no text) …
        matches = conn.execute(
            sql.select(f"d.id, {sql.score}, {_FACET_COLS}"), [*sql.args, MATCH_CAP]
        ).fetchall()
        # … then the page of best hits, with their text, by id
        best = heapq.nsmallest(offset + limit, matches, key=lambda m: (m[1], m[0]))[offset:]
        rows = {
            r[0]: r
            for r in conn.execute(
                f"SELECT {_HIT_COLS} FROM docs d WHERE d.id IN ({', '.join('?' * len(best))})",
                [m[0] for m in best],
            )
        }
    except sqlite3.OperationalError as exc:
        raise QueryError(f"cannot run query {query!r}: {exc}") from exc
    return matches, best, rows


def _facets(matches: list[Any]) -> dict[str, dict[str, int]]:
    """The 20 commonest values of each facet among the matches (blank values left out)."""
    out: dict[str, dict[str, int]] = {}
    if not matches:
        return out
    columns = list(zip(*matches, strict=True))[2:]
    for name, column in zip(FACET_NAMES, columns, strict=True):
        tally = Counter(column)
        tally.pop(None, None)
        tally.pop("", None)
        counts = Counter({str(k): n for k, n in tally.items()})
        if counts:
            out[name] = dict(counts.most_common(20))
    return out


def _hits(
    best: list[Any], rows: dict[int, Any], parsed: ParsedQuery, snippet_width: int
) -> list[Hit]:
    """The page of best matches as hits, in rank order, each with its snippet."""
    return [
        Hit(
            doc_id=r[0],
            kind=r[1],
            item_id=r[2],
            sha256=r[3],
            type=r[4],
            path=r[5],
            title=r[6],
            snippet=make_snippet(r[7], parsed.highlight, snippet_width),
            county=r[8],
            facility=r[9],
            date=r[10],
            has_findings=bool(r[11]),
            page_no=r[12],
            method=r[13],
            sheet=r[14],
            sheet_index=r[15],
            row=r[16],
            score=-float(m[1]),
        )
        for m in best
        if (r := rows.get(m[0])) is not None
    ]
