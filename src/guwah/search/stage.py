"""Build the search index incrementally, and search it.

``build_index`` indexes the items that are new or changed since the last build (a changed
item: re-extracted, OCR done, a new path, records that changed its rows, or a county or
facility name it holds that came or went), in batches committed one by one, so an
interrupted build resumes. ``search`` runs a query with ranking (bm25 in FTS5, ts_rank in
PostgreSQL), filters, facet counts and highlighted snippets of the original text. Both work
on either backend (``guwah.search.backend``).
"""

from __future__ import annotations

import hashlib
import heapq
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select

from guwah.case import Case
from guwah.core import NoProgress, Progress, case_lock
from guwah.search import index as ix
from guwah.search.backend import PG_SCHEMA_VERSION, Cond, Filters, IndexBackend, open_index
from guwah.search.documents import Context, load_context
from guwah.search.documents import documents as make_documents
from guwah.search.query import (
    FINDINGS_NO,
    FINDINGS_YES,
    ParsedQuery,
    QueryError,
    Snippet,
    make_snippet,
    parse_query,
)
from guwah.store.models import ColumnMap, Item, Occurrence, Page, Record, RecordValue, Sheet

BATCH = 200
# Counting, facets and ranking read at most this many matching documents (in index order):
# beyond it the total is a lower bound and the best hits are those of the first MATCH_CAP.
# Ranking every match of a term found in 100,000 documents costs about 0.1 s here.
MATCH_CAP = 10_000
FACET_NAMES = ("type", "kind", "county", "facility", "year", "has_findings")


@dataclass
class IndexStats:
    items_indexed: int = 0
    items_removed: int = 0
    items_context: int = 0  # indexed again because a county or facility name they hold changed
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


#: the record values a row document reads (its facets): the records stage may change them
ROW_FACET_FIELDS = ("county", "facility", "detention_date", "household_address")

Opener = Callable[[Case, bool], IndexBackend]


def _digest(*parts: Any) -> int:
    return int.from_bytes(
        hashlib.blake2b(repr(parts).encode(), digest_size=8).digest(), "big", signed=False
    )


def _records_signatures(conn: Any) -> dict[int, str]:
    """Per item with sheets: a digest of what the records stage gave its rows (column maps,
    the facet values of its records), independent of row ids and of the order rows come in,
    so a records build that writes the same again changes no signature."""
    sums: dict[int, int] = defaultdict(int)
    for item_id, sheet_index, col, header, fld in conn.execute(
        select(
            Sheet.item_id, Sheet.sheet_index, ColumnMap.col, ColumnMap.header, ColumnMap.field
        ).join(Sheet, Sheet.id == ColumnMap.sheet_id)
    ):
        sums[item_id] = (sums[item_id] + _digest("c", sheet_index, col, header, fld)) % (1 << 64)
    for item_id, sheet_index, row, fld, value in conn.execute(
        select(Sheet.item_id, Sheet.sheet_index, Record.row, RecordValue.field, RecordValue.value)
        .join(Record, Record.sheet_id == Sheet.id)
        .join(RecordValue, RecordValue.record_id == Record.id)
        .where(RecordValue.field.in_(ROW_FACET_FIELDS))
    ):
        sums[item_id] = (sums[item_id] + _digest("v", sheet_index, row, fld, value)) % (1 << 64)
    return {i: f"{v:016x}" for i, v in sums.items()}


def _signatures(case: Case) -> tuple[dict[int, str], Context]:
    """Per item: what it looks like now (what its documents are made of, the case-wide
    context aside); and the context (counties, facilities, items with findings)."""
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
        records = _records_signatures(conn)
        ctx = load_context(conn)
        sigs: dict[int, str] = {}
        for item_id, status, extracted_at, ocr_status in conn.execute(
            select(Item.id, Item.status, Item.extracted_at, Item.ocr_status)
        ):
            parts = [status, str(extracted_at), str(ocr_status), str(occ.get(item_id, 0))]
            parts.append(str(pages.get(item_id, "")))
            parts.append(records.get(item_id, ""))
            sigs[item_id] = "|".join(parts)
    return sigs, ctx


def _context_json(ctx: Context) -> str:
    return json.dumps({"counties": ctx.counties, "facilities": ctx.facilities}, ensure_ascii=False)


def _context_changes(index: IndexBackend, ctx: Context) -> list[str] | None:
    """The county and facility names added or gone since the index was built (their
    documents' facets may change); None when the index does not say (made by an older
    guwah: every item may have changed)."""
    stored = index.get_meta("context")
    if stored is None:
        return None
    old = json.loads(stored)
    changed = set(old["counties"]) ^ set(ctx.counties)
    changed |= set(old["facilities"]) ^ set(ctx.facilities)
    return sorted(changed)


def build_index(
    case: Case,
    full: bool = False,
    progress: Progress | None = None,
    opener: Opener | None = None,
) -> IndexStats:
    """Index what is new or changed in the case (everything with ``full``).

    Incremental: an item is indexed again only when what its documents are made of changed
    (extraction, OCR, paths, the records of its sheets), or when a county or facility name
    that its texts or paths hold came or went (facets); findings only flip the flag of the
    items whose findings changed. The result equals a full rebuild.
    """
    progress = progress or NoProgress()
    t0 = time.perf_counter()
    stats = IndexStats(full=full)
    with case_lock(case):
        index = (opener or open_index)(case, True)
        try:
            if full:
                index.reset()
            sigs, ctx = _signatures(case)
            done = index.indexed()
            removed = [i for i in done if i not in sigs]
            if removed:
                stats.docs_removed += index.delete_items(removed)
                index.unset_indexed(removed)
                stats.items_removed = len(removed)
                for i in removed:
                    del done[i]
            changes = _context_changes(index, ctx) if done else []
            if changes is None or changes:
                affected = None if changes is None else index.items_containing(changes)
                stale = list(done) if affected is None else [i for i in done if i in affected]
                # marked as to do in the same transaction that records the new context, so an
                # interrupted build still re-indexes them next time
                index.unset_indexed(stale)
                for i in stale:
                    del done[i]
                stats.items_context = len(stale)
            index.set_meta("context", _context_json(ctx))
            index.commit()
            todo = sorted(i for i, sig in sigs.items() if done.get(i) != sig)
            progress.total("index", len(todo))
            if todo:
                with case.engine.connect() as db:
                    for start in range(0, len(todo), BATCH):
                        batch = todo[start : start + BATCH]
                        stats.docs_removed += index.delete_items(batch)
                        stats.docs_added += index.add_docs(make_documents(db, batch, ctx))
                        index.set_indexed([(i, sigs[i]) for i in batch])
                        index.commit()
                        stats.items_indexed += len(batch)
                        progress.advance("index", len(batch))
            flagged = index.flagged_items()
            now = ctx.items_with_findings
            if flagged != now:
                index.set_flag(sorted(flagged - now), False)
                index.set_flag(sorted(now - flagged), True)
                stats.findings_updated = True
            index.commit()
            stats.docs_total = index.docs_total()
        finally:
            index.close()
    stats.seconds = time.perf_counter() - t0
    return stats


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
    unreliable: bool = False  # an OCR page whose confidence is under ocr.UNRELIABLE_BELOW

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["snippet"] = self.snippet.text
        out["marks"] = [list(m) for m in self.snippet.marks]
        out["score"] = round(self.score, 4)
        return out


@dataclass
class SearchResult:
    query: str
    match: str | None  # the query as an FTS5 expression (the PostgreSQL index runs its tsquery)
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


def _filters(index: IndexBackend, filters: dict[str, str]) -> Filters:
    """The filters as conditions on the documents and tokens of the ``tags`` column."""
    out = Filters([], [])
    for key, value in filters.items():
        if not value:
            continue
        if key in ("type", "kind"):
            out.tags.append(ix.tag(key, value))
        elif key in ("county", "facility"):
            if index.has_value(key, value):
                out.tags.append(ix.tag(key, value))
            else:  # a part of the name: 第一职业技能
                out.conds.append(Cond(key, "contains", value))
        elif key == "from":
            out.conds.append(Cond("date", ">=", value))
        elif key == "to":
            out.conds.append(Cond("date", "<=", value + "-99" * (2 - value.count("-"))))
        elif key == "findings":
            low = value.lower()
            if low not in FINDINGS_YES | FINDINGS_NO:
                raise QueryError(f"findings:{value}: say findings:yes (是) or findings:no (否)")
            out.conds.append(Cond("has_findings", "=", 1 if low in FINDINGS_YES else 0))
        elif key == "sha256":
            out.conds.append(Cond("sha256", "prefix", value.lower()))
        else:
            raise QueryError(f"unknown filter {key}:")
    return out


def search(
    case: Case,
    query: str,
    limit: int = 20,
    offset: int = 0,
    filters: dict[str, str] | None = None,
    facets: bool = True,
    snippet_width: int = 160,
    opener: Opener | None = None,
) -> SearchResult:
    """Search the case's index. ``filters`` (type, kind, county, facility, from, to,
    findings, sha256) add to those written in the query; they win where both give one."""
    t0 = time.perf_counter()
    parsed = parse_query(query)
    all_filters = {**parsed.filters, **{k: v for k, v in (filters or {}).items() if v}}
    index = _open_index(case, opener or open_index)
    try:
        matches = index.matches(parsed, _filters(index, all_filters), MATCH_CAP)
        # the page of best hits, then their text, by id
        best = heapq.nsmallest(offset + limit, matches, key=lambda m: (m[1], m[0]))[offset:]
        rows = index.rows([m[0] for m in best])
    finally:
        index.close()
    total = len(matches)
    hits = _hits(best, rows, parsed, snippet_width)
    _mark_unreliable(case, hits)
    return SearchResult(
        query=query,
        match=parsed.match,
        filters=all_filters,
        total=total,
        exact=total < MATCH_CAP,
        hits=hits,
        facets=_facets(matches) if facets else {},
        seconds=time.perf_counter() - t0,
    )


def _mark_unreliable(case: Case, hits: list[Hit]) -> None:
    """Flag the hits on OCR pages that the OCR step found unreliable (``meta["ocr"]``), so
    a reader does not take a misread for what the scan says."""
    ocr_items = {h.item_id for h in hits if h.kind == "page" and h.method == "ocr"}
    if not ocr_items:
        return
    with case.engine.connect() as conn:
        flagged = {
            item_id: set(((meta or {}).get("ocr") or {}).get("unreliable") or ())
            for item_id, meta in conn.execute(
                select(Item.id, Item.meta).where(Item.id.in_(ocr_items))
            )
        }
    for h in hits:
        if h.item_id in ocr_items and h.method == "ocr":
            h.unreliable = h.page_no in flagged.get(h.item_id, ())


def _open_index(case: Case, opener: Opener) -> IndexBackend:
    """The case's index, read as it is; a missing or outdated one says how to rebuild it."""
    rebuild = f"`guwah search --rebuild --case {case.root}`"
    try:
        index = opener(case, False)
    except FileNotFoundError as exc:
        raise QueryError(f"the case has no search index yet; build it with {rebuild}") from exc
    expected = ix.SCHEMA_VERSION if index.name == "sqlite" else PG_SCHEMA_VERSION
    if index.schema_version() != expected:
        index.close()
        raise QueryError(
            f"the search index was made by another version of guwah; rebuild it with {rebuild}"
        )
    return index


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
