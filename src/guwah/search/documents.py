"""What the search index holds: one search document per page, sheet row and item.

- **page**: the text of one page of a document, from its text layer or OCR;
- **row**: one row of a sheet, its cells joined as ``header: value`` where the records stage
  mapped the sheet's columns, else the cells alone; the Latin readings of names in the
  row's name columns are indexed too (not shown), so ``Abdurehim`` finds 阿不都热依木;
- **item**: every original: its file names and paths, office/PDF metadata and, for images,
  every EXIF tag.

Each carries facets (type, county, facility, date, has_findings) and provenance (the item's
SHA-256, its first path, page number or sheet and row).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from guwah.han import HAN_CLASS, all_han
from guwah.ingest.meta import content_kind
from guwah.store.models import (
    Cell,
    ColumnMap,
    FindingItem,
    Item,
    Occurrence,
    Page,
    Record,
    RecordValue,
    Sheet,
)

KINDS = ("page", "row", "item")
NAME_FIELDS = ("name", "former_name")
_COUNTY_IN_PATH = re.compile(f"^([{HAN_CLASS}]{{1,6}}?[县市])")
_PATH_SPLIT = re.compile(r"!/|/")
_DATE = re.compile(r"^(\d{4})[-:](\d{2})[-:](\d{2})")
_TS = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(\d{2})(\d{2})\d{6}(?!\d)")


@dataclass
class SearchDoc:
    kind: str  # page | row | item
    item_id: int
    sha256: str
    type: str
    text: str  # the original text, shown and highlighted
    alias: str = ""  # indexed, never shown: Latin readings of names, transliterations
    paths: str = ""  # indexed in the ``path`` column (item documents)
    title: str = ""
    path: str = ""
    county: str | None = None
    facility: str | None = None
    date: str | None = None
    has_findings: bool = False
    page_no: int | None = None
    method: str | None = None
    sheet: str | None = None
    sheet_index: int | None = None
    row: int | None = None


@dataclass
class Context:
    """Case-wide lookups the documents need: known counties and facilities, findings."""

    counties: list[str] = field(default_factory=list)
    facilities: list[str] = field(default_factory=list)
    items_with_findings: set[int] = field(default_factory=set)


def item_type(mime: str, ocr_texts: Iterable[str] = ()) -> str:
    """The ``type`` facet of an item: its kind, a scan being a document
    (``guwah.ingest.meta.content_kind``)."""
    return content_kind(mime, ocr_texts)


def findings_items(conn: Connection) -> set[int]:
    rows = conn.execute(select(FindingItem.item_id).where(FindingItem.item_id.is_not(None)))
    return {int(r[0]) for r in rows if r[0] is not None}


def load_context(conn: Connection) -> Context:
    ctx = Context()
    counties: Counter[str] = Counter()
    for (value,) in conn.execute(
        select(RecordValue.value).where(RecordValue.field == "county").distinct()
    ):
        if value:
            counties[value] += 1
    for (path,) in conn.execute(select(Occurrence.path).where(Occurrence.depth == 0)):
        for part in _PATH_SPLIT.split(path):
            m = _COUNTY_IN_PATH.match(part)
            if m:
                counties[m.group(1)] += 1
    # longest first, then by name: one order whatever order the database returns them in
    ctx.counties = sorted(counties, key=lambda c: (-len(c), c))
    facilities = conn.execute(
        select(RecordValue.value).where(RecordValue.field == "facility").distinct()
    )
    ctx.facilities = sorted({f for (f,) in facilities if f}, key=lambda f: (-len(f), f))
    ctx.items_with_findings = findings_items(conn)
    return ctx


def _first(text: str, names: list[str]) -> str | None:
    for name in names:
        if name in text:
            return name
    return None


def _county_of_paths(paths: list[str], ctx: Context) -> str | None:
    for path in paths:
        for part in _PATH_SPLIT.split(path):
            m = _COUNTY_IN_PATH.match(part)
            if m:
                return m.group(1)
        found = _first(path, ctx.counties)
        if found:
            return found
    return None


def _iso_date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    m = _DATE.match(value.strip())
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def item_date(meta: dict[str, Any], paths: list[str]) -> str | None:
    """When an item says it was made: EXIF original time, document creation, a mail's
    Date header, else a timestamp in its file name."""
    summary = meta.get("exif_summary") or {}
    for candidate in (
        summary.get("datetime_original"),
        (meta.get("office") or {}).get("created"),
        (meta.get("pdf") or {}).get("CreationDate_iso"),
        meta.get("date_iso"),  # mail
    ):
        found = _iso_date(candidate)
        if found:
            return found
    for path in paths:
        m = _TS.search(_PATH_SPLIT.split(path)[-1])
        if m:
            return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    return None


def _flatten(meta: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(meta, dict):
        for key, value in meta.items():
            if key in ("seconds", "warnings", "ocr_pages", "icc_profile", "exif_summary"):
                continue
            yield from _flatten(value, f"{prefix}{key} " if prefix or key else "")
    elif isinstance(meta, list):
        for value in meta[:50]:
            yield from _flatten(value, prefix)
    elif isinstance(meta, str) and meta and len(meta) < 2000:
        yield f"{prefix.strip()}: {meta}"


def name_aliases(names: Iterable[str]) -> str:
    """Latin readings of names written in Chinese (Uyghur transcriptions and Han names)."""
    from guwah.names.han import pinyin_word, split_surname, syllables
    from guwah.names.uyghur import coverage, transcription_to_latin

    out: list[str] = []
    for name in names:
        for part in re.split(r"[·•．・‧.\s]+", name):
            if not all_han(part):
                continue
            if "·" in name or coverage(part) >= 0.6:
                readings = transcription_to_latin(part)
                if readings:
                    out.append(readings[0])
                    continue
            split = split_surname(part)
            if split:
                sur, given = split
                out.append(pinyin_word(syllables(sur, surname=True)))
                if given:
                    out.append(pinyin_word(syllables(given)))
    return " ".join(out)


def arabic_aliases(text: str) -> str:
    """The Latin (ULY) form of Arabic-script Uyghur words, so Latin queries find them."""
    if not re.search(r"[\u0600-\u06ff]", text):
        return ""
    from guwah.names.uyghur import arabic_to_latin

    words = re.findall(r"[\u0600-\u06ff\u200c]+", text)
    return arabic_to_latin(" ".join(words))


def documents(conn: Connection, item_ids: list[int], ctx: Context) -> Iterator[SearchDoc]:
    """Every search document of the given items."""
    if not item_ids:
        return
    items = conn.execute(
        select(Item.id, Item.sha256, Item.mime, Item.meta).where(Item.id.in_(item_ids))
    ).all()
    paths: dict[int, list[str]] = defaultdict(list)
    for item_id, path in conn.execute(
        select(Occurrence.item_id, Occurrence.path)
        .where(Occurrence.item_id.in_(item_ids))
        .order_by(Occurrence.id)
    ):
        if item_id is not None:
            paths[item_id].append(path)
    pages: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for item_id, page_no, method, text in conn.execute(
        select(Page.item_id, Page.page_no, Page.method, Page.text)
        .where(Page.item_id.in_(item_ids))
        .order_by(Page.item_id, Page.page_no, Page.method)
    ):
        if text and text.strip():
            pages[item_id].append((page_no, method, text))
    sheets: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for sheet_id, item_id, index, name in conn.execute(
        select(Sheet.id, Sheet.item_id, Sheet.sheet_index, Sheet.name)
        .where(Sheet.item_id.in_(item_ids))
        .order_by(Sheet.item_id, Sheet.sheet_index)
    ):
        sheets[item_id].append((sheet_id, index, name))

    for item_id, sha256, mime, meta in items:
        ipaths = paths.get(item_id, [])
        meta = meta or {}
        base = {
            "item_id": item_id,
            "sha256": sha256,
            "type": item_type(mime or "", (t for _, m, t in pages[item_id] if m == "ocr")),
            "path": ipaths[0] if ipaths else "",
            "has_findings": item_id in ctx.items_with_findings,
        }
        county = _county_of_paths(ipaths, ctx)
        date = item_date(meta, ipaths)
        names = list(dict.fromkeys(_PATH_SPLIT.split(p)[-1] for p in ipaths))
        meta_lines = list(_flatten(meta))
        body = "\n".join([*names, *meta_lines])
        yield SearchDoc(
            kind="item",
            text=body,
            alias=arabic_aliases(body),
            paths="\n".join(ipaths),
            title=names[0] if names else sha256[:12],
            county=county,
            facility=_first(body, ctx.facilities),
            date=date,
            **base,
        )
        for page_no, method, text in pages.get(item_id, []):
            yield SearchDoc(
                kind="page",
                text=text,
                alias=arabic_aliases(text),
                title=f"{names[0] if names else sha256[:12]} p. {page_no}",
                county=_first(text, ctx.counties) or county,
                facility=_first(text, ctx.facilities),
                date=date,
                page_no=page_no,
                method=method,
                **base,
            )
        if item_id in sheets:
            yield from _rows(conn, sheets[item_id], base, county, date, names, ctx)


def _rows(
    conn: Connection,
    sheets: list[tuple[int, int, str]],
    base: dict[str, Any],
    county: str | None,
    date: str | None,
    names: list[str],
    ctx: Context,
) -> Iterator[SearchDoc]:
    sheet_ids = [s[0] for s in sheets]
    headers: dict[int, dict[int, tuple[str, str | None]]] = defaultdict(dict)
    for sheet_id, col, header, fld in conn.execute(
        select(ColumnMap.sheet_id, ColumnMap.col, ColumnMap.header, ColumnMap.field).where(
            ColumnMap.sheet_id.in_(sheet_ids)
        )
    ):
        headers[sheet_id][col] = (header or "", fld)
    facets: dict[tuple[int, int], dict[str, str]] = defaultdict(dict)
    for sheet_id, row, fld, value in conn.execute(
        select(Record.sheet_id, Record.row, RecordValue.field, RecordValue.value)
        .join(RecordValue, RecordValue.record_id == Record.id)
        .where(Record.sheet_id.in_(sheet_ids))
        .where(RecordValue.field.in_(("county", "facility", "detention_date", "household_address")))
    ):
        if value and fld:
            facets[(sheet_id, row)].setdefault(fld, value)
    by_id = {s[0]: s for s in sheets}
    current: tuple[int, int] | None = None
    cells: list[tuple[int, str]] = []
    query = (
        select(Cell.sheet_id, Cell.row, Cell.col, Cell.value)
        .where(Cell.sheet_id.in_(sheet_ids))
        .order_by(Cell.sheet_id, Cell.row, Cell.col)
    )
    for sheet_id, row, col, value in [*conn.execute(query), (None, None, None, None)]:
        key = (sheet_id, row)
        if current is not None and key != current and cells:
            sid, r = current
            yield _row_doc(
                by_id[sid],
                r,
                cells,
                headers.get(sid, {}),
                facets.get(current, {}),
                base,
                county,
                date,
                names,
                ctx,
            )
            cells = []
        current = key if sheet_id is not None else None
        if value is not None and str(value).strip():
            cells.append((col, str(value)))


def _row_doc(
    sheet: tuple[int, int, str],
    row: int,
    cells: list[tuple[int, str]],
    headers: dict[int, tuple[str, str | None]],
    facets: dict[str, str],
    base: dict[str, Any],
    county: str | None,
    date: str | None,
    names: list[str],
    ctx: Context,
) -> SearchDoc:
    sheet_id, index, name = sheet
    parts: list[str] = []
    name_values: list[str] = []
    for col, value in cells:
        header, fld = headers.get(col, ("", None))
        if header and header != value:
            parts.append(f"{header}: {value}")
        else:
            parts.append(value)
        if fld in NAME_FIELDS:
            name_values.append(value)
    text = " | ".join(parts)
    row_county = facets.get("county") or _first(facets.get("household_address", ""), ctx.counties)
    return SearchDoc(
        kind="row",
        text=text,
        alias=" ".join(filter(None, [name_aliases(name_values), arabic_aliases(text)])),
        title=f"{names[0] if names else base['sha256'][:12]} [{name}] row {row}",
        county=row_county or county,
        facility=facets.get("facility"),
        date=_iso_date(facets.get("detention_date")) or date,
        sheet=name,
        sheet_index=index,
        row=row,
        **base,
    )
