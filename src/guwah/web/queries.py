"""What the pages and the JSON API read from a case: one item with everything known about it,
a window of a sheet, findings, the custody head, a person with names in every script.

Plain dicts of JSON-friendly values, so the API returns exactly what the pages show.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guwah.cellrefs import col_letter
from guwah.ingest.meta import content_kind, item_kind
from guwah.names.parse import HAN, parse
from guwah.names.romanise import romanise
from guwah.names.scripts import Script
from guwah.names.uyghur import latin_to_arabic
from guwah.person.stage import person_findings
from guwah.records.people import PersonView, first_paths, get_person
from guwah.store.models import (
    Cell,
    CheckRun,
    ColumnMap,
    CustodyEvent,
    FindingItem,
    FindingRow,
    Item,
    Occurrence,
    Page,
    Record,
    Sheet,
    Source,
)
from guwah.textsafe import visible_controls

SHA256 = re.compile(r"^[0-9a-f]{64}$")
SHEET_ROWS = 100  # rows of a sheet shown at a time
MAX_COLS = 60  # columns of a sheet shown (the rest is in the API and the original)


def verify_has_run(session: Session) -> bool:
    """Whether any verification check has run on this case."""
    return session.scalar(select(CheckRun.id).limit(1)) is not None


def custody_head(session: Session) -> dict[str, Any]:
    ev = session.scalar(select(CustodyEvent).order_by(CustodyEvent.seq.desc()).limit(1))
    if ev is None:
        return {"seq": 0, "hash": "0" * 64, "at": None, "event": None}
    return {"seq": ev.seq, "hash": ev.hash, "at": ev.at, "event": ev.event}


def get_item(session: Session, sha256: str) -> Item | None:
    if not SHA256.match(sha256):
        return None
    return session.scalar(select(Item).where(Item.sha256 == sha256))


SIDE_BY_SIDE = ("near_duplicates",)  # checks whose findings show their photos side by side


def item_findings(session: Session, sha256: str) -> list[dict[str, Any]]:
    """Findings that involve this item, with where in the item (location)."""
    out: dict[int, dict[str, Any]] = {}
    rows = session.execute(
        select(FindingRow, FindingItem)
        .join(FindingItem, FindingItem.finding_id == FindingRow.id)
        .where(FindingItem.sha256 == sha256)
        .order_by(FindingRow.id, FindingItem.id)
    ).all()
    for finding, involved in rows:
        f = out.setdefault(
            finding.id,
            {
                "id": finding.id,
                "check": finding.check,
                "kind": finding.kind,
                "severity": finding.severity,
                "title": finding.title,
                "explanation": finding.explanation,
                "locations": [],
            },
        )
        f["locations"].append(
            {"role": involved.role, "path": involved.path, "location": involved.location or {}}
        )
    shown_together = [f["id"] for f in out.values() if f["check"] in SIDE_BY_SIDE]
    for fi in session.scalars(
        select(FindingItem)
        .where(FindingItem.finding_id.in_(shown_together))
        .order_by(FindingItem.id)
    ):
        out[fi.finding_id].setdefault("photos", []).append(fi.as_dict())
    return list(out.values())


def item_detail(session: Session, item: Item) -> dict[str, Any]:
    """Everything known about one original: hashes, paths, custody, pages, sheets, findings."""
    sources = dict(session.execute(select(Source.id, Source.uri)).all())
    occurrences = [
        {
            "path": o.path,
            "source": sources.get(o.source_id, ""),
            "source_id": o.source_id,
            "folder": o.path.rpartition("/")[0] + "/" if "/" in o.path else "",
            "depth": o.depth,
            "mtime": o.mtime.isoformat() if o.mtime else None,
            "extension_mismatch": o.extension_mismatch,
            "inside": _sha_of(session, o.parent_item_id),
        }
        for o in session.scalars(
            select(Occurrence).where(Occurrence.item_id == item.id).order_by(Occurrence.path)
        )
    ]
    custody = item_custody(session, item, [str(o["source"]) for o in occurrences])
    sheets = [
        {"index": s.sheet_index, "name": s.name, "rows": s.n_rows, "cols": s.n_cols}
        for s in session.scalars(
            select(Sheet).where(Sheet.item_id == item.id).order_by(Sheet.sheet_index)
        )
    ]
    pages: dict[int, dict[str, Any]] = defaultdict(dict)
    for p in session.scalars(
        select(Page).where(Page.item_id == item.id).order_by(Page.page_no, Page.method)
    ):
        pages[p.page_no][p.method] = {
            "text": p.text,
            "confidence": p.confidence,
            "language": p.language,
        }
    meta = item.meta or {}
    unreliable = set((meta.get("ocr") or {}).get("unreliable") or ())
    for n, methods in pages.items():
        if "ocr" in methods:
            methods["ocr"]["unreliable"] = n in unreliable
    ocr_texts = [m["ocr"]["text"] for m in pages.values() if "ocr" in m]
    return {
        "sha256": item.sha256,
        "md5": item.md5,
        "sha1": item.sha1,
        "size": item.size,
        "mime": item.mime,
        "magic": item.magic,
        "kind": item_kind(item.mime),
        "scan": content_kind(item.mime, ocr_texts) != item_kind(item.mime),
        "unreliable_below": (meta.get("ocr") or {}).get("unreliable_below"),
        "status": item.status,
        "error_cause": item.error_cause,
        "error": item.error,
        "extractor": item.extractor,
        "ocr_status": item.ocr_status,
        "created_at": item.created_at.isoformat() if item.created_at else None,
        "exif": meta.get("exif") or {},
        "meta": meta,
        "paths": occurrences,
        "custody": custody,
        "sheets": sheets,
        "pages": [{"page_no": n, **methods} for n, methods in sorted(pages.items())],
        "findings": item_findings(session, item.sha256),
        "exif_anchors": {tag: exif_anchor(tag) for tag in meta.get("exif") or {}},
        **item_members(session, item),
    }


MAX_MEMBERS = 1000  # members of an archive, mailbox or document listed on its page


def item_members(session: Session, item: Item) -> dict[str, Any]:
    """What was found inside this item (the members of an archive, the messages and
    attachments of a mailbox, the images embedded in a document): every occurrence whose
    container it is, the first ``MAX_MEMBERS`` by path, with the member's own item."""
    inside = Occurrence.parent_item_id == item.id
    total = session.scalar(select(func.count()).select_from(Occurrence).where(inside)) or 0
    rows = session.execute(
        select(Occurrence, Item)
        .outerjoin(Item, Item.id == Occurrence.item_id)
        .where(inside)
        .order_by(Occurrence.path, Occurrence.id)
        .limit(MAX_MEMBERS)
    ).all()
    members = [
        {
            "path": occ.path,
            "name": occ.path.rsplit("!/", 1)[-1],
            "sha256": member.sha256 if member is not None else None,
            "mime": member.mime if member is not None else None,
            "size": member.size if member is not None else None,
            "status": member.status if member is not None else occ.status,
            "error": occ.error,
        }
        for occ, member in rows
    ]
    return {"members": members, "n_members": total}


def exif_anchor(tag: str) -> str:
    """The id of an EXIF tag's row on the item page (``EXIF DateTimeOriginal`` →
    ``exif-EXIF-DateTimeOriginal``): what a finding's ``exif_tag`` location links to."""
    return "exif-" + re.sub(r"[^A-Za-z0-9_-]+", "-", tag).strip("-")


CASE_EVENTS = ("verified", "records_built")  # steps over the whole case, this item included


def item_custody(session: Session, item: Item, source_uris: list[str]) -> list[dict[str, Any]]:
    """The item's whole chain of custody, in order: the ``received`` event of every source
    it was found in (with its custodian and note), its own events (stored, extracted, OCR,
    exported, …) and the steps run over the whole case since it was stored (verified,
    records built). Each with the custodian and host as recorded, and its hash."""
    own = list(
        session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.item_sha256 == item.sha256)
            .order_by(CustodyEvent.seq)
        )
    )
    received = list(
        session.scalars(
            select(CustodyEvent).where(
                CustodyEvent.event == "received",
                CustodyEvent.item_sha256.is_(None),
                CustodyEvent.source_path.in_(sorted(set(source_uris))),
            )
        )
    )
    case_wide: list[CustodyEvent] = []
    if own:
        case_wide = list(
            session.scalars(
                select(CustodyEvent).where(
                    CustodyEvent.event.in_(CASE_EVENTS),
                    CustodyEvent.item_sha256.is_(None),
                    CustodyEvent.seq > own[0].seq,
                )
            )
        )
    scope = {id(e): "source" for e in received} | {id(e): "case" for e in case_wide}
    return [
        {
            "seq": e.seq,
            "at": e.at,
            "event": e.event,
            "scope": scope.get(id(e), "item"),
            "source_path": e.source_path,
            "custodian": e.custodian,
            "host": e.host,
            "tool_version": e.tool_version,
            "details": e.details,
            "note": (e.details or {}).get("note", "") if e.event == "received" else "",
            "hash": e.hash,
        }
        for e in sorted([*received, *own, *case_wide], key=lambda e: e.seq)
    ]


def _sha_of(session: Session, item_id: int | None) -> str | None:
    if item_id is None:
        return None
    return session.scalar(select(Item.sha256).where(Item.id == item_id))


def record_at(session: Session, item: Item, sheet_index: int, row: int) -> int | None:
    """The id of the record that is this row of this sheet, if the row describes a person."""
    return session.scalar(
        select(Record.id)
        .join(Sheet, Sheet.id == Record.sheet_id)
        .where(Sheet.item_id == item.id, Sheet.sheet_index == sheet_index, Record.row == row)
    )


def sheet_window(
    session: Session, item: Item, sheet_index: int, row: int | None, start: int | None
) -> dict[str, Any] | None:
    """A window of ``SHEET_ROWS`` rows of one sheet: around ``row``, or from ``start``."""
    sheet = session.scalar(
        select(Sheet).where(Sheet.item_id == item.id, Sheet.sheet_index == sheet_index)
    )
    if sheet is None:
        return None
    n_rows = sheet.n_rows or (
        session.scalar(select(func.max(Cell.row)).where(Cell.sheet_id == sheet.id)) or 0
    )
    if start is None:  # around a row: a full window, ending at the last row at most
        start = max(1, min((row or 1) - 10, n_rows - SHEET_ROWS + 1))
    else:  # paging: from exactly ``start``, so consecutive pages never overlap
        start = max(1, min(start, n_rows))
    end = min(n_rows, start + SHEET_ROWS - 1)
    cells: dict[int, dict[int, str]] = defaultdict(dict)
    n_cols = 0
    for r, c, v in session.execute(
        select(Cell.row, Cell.col, Cell.value).where(
            Cell.sheet_id == sheet.id, Cell.row >= start, Cell.row <= end, Cell.col <= MAX_COLS
        )
    ):
        cells[r][c] = v
        n_cols = max(n_cols, c)
    n_cols = max(n_cols, min(sheet.n_cols, MAX_COLS))
    fields = dict(
        session.execute(
            select(ColumnMap.col, ColumnMap.field).where(ColumnMap.sheet_id == sheet.id)
        ).all()
    )
    return {
        "index": sheet.sheet_index,
        "name": sheet.name,
        "n_rows": n_rows,
        "n_cols": sheet.n_cols,
        "truncated": sheet.truncated,
        "start": start,
        "end": end,
        "prev": max(1, start - SHEET_ROWS) if start > 1 else None,
        "next": end + 1 if end < n_rows else None,
        "columns": [(c, col_letter(c)) for c in range(1, n_cols + 1)],
        "fields": [fields.get(c) for c in range(1, n_cols + 1)],  # the records stage's map
        "rows": [
            (r, [cells[r].get(c, "") for c in range(1, n_cols + 1)]) for r in range(start, end + 1)
        ],
    }


def findings_list(
    session: Session,
    severity: str | None = None,
    check: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """Stored findings (filtered), each with the items it involves."""
    query = select(FindingRow)
    if severity:
        query = query.where(FindingRow.severity == severity)
    if check:
        query = query.where(FindingRow.check == check)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(FindingRow.id).limit(limit).offset(offset)).all()
    involved: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for fi in session.scalars(
        select(FindingItem)
        .where(FindingItem.finding_id.in_([r.id for r in rows]))
        .order_by(FindingItem.id)
    ):
        involved[fi.finding_id].append(fi.as_dict())
    return {
        "total": total,
        "findings": [{**r.as_dict(), "items": involved.get(r.id, [])} for r in rows],
    }


def person_detail(session: Session, person_id: int) -> dict[str, Any] | None:
    """A person with every source, every name with its Latin forms, and findings."""
    view = get_person(session, person_id)
    return None if view is None else person_view_detail(session, view)


def person_view_detail(session: Session, view: PersonView) -> dict[str, Any]:
    """:func:`person_detail` of a person already read."""
    out = view.as_dict()
    names = list(dict.fromkeys([n for n in [view.name, *view.names] if n]))
    out["scripts"] = [_scripts(n) for n in names]
    out["findings"] = person_findings(session, view)
    return out


def _scripts(name: str) -> dict[str, Any]:
    """A name as written, its Latin forms, and (a Uyghur name) its Uyghur Arabic-script form."""
    try:
        parsed = parse(name)
        latin = [r for r in romanise(parsed) if r and r != name]
    except Exception:  # a name the romaniser cannot parse is shown as written
        return {"name": name, "latin": [], "arabic": None}
    arabic = None
    if parsed.kind != HAN and parsed.script is not Script.ARABIC and latin:
        arabic = latin_to_arabic(latin[0])
    return {"name": name, "latin": latin, "arabic": arabic}


def cell_link(sha256: str, sheet_index: int | None, row: int | None, col: int | None) -> str:
    """The item viewer at a sheet's cell (or row)."""
    url = f"/items/{sha256}"
    if sheet_index is None:
        return url
    url += f"?sheet={sheet_index}"
    if row is not None:
        url += f"&row={row}"
        if col is not None:
            url += f"&col={col}"
        url += "#cell"
    return url


def location_link(sha256: str, location: dict[str, Any]) -> str:
    """The item viewer at a finding's location (a sheet cell, a page), else the item."""
    if location.get("sheet_index") is not None:
        col = location.get("col_no")
        return cell_link(
            sha256,
            int(location["sheet_index"]),
            location.get("row"),
            int(col) if isinstance(col, int) else None,
        )
    if isinstance(location.get("page"), int):
        return f"/items/{sha256}?page={location['page']}#page-{location['page']}"
    if isinstance(location.get("exif_tag"), str):
        return f"/items/{sha256}#{exif_anchor(location['exif_tag'])}"
    return f"/items/{sha256}"


def download_name(session: Session, item: Item) -> str:
    """The original's file name as first found (``a.zip!/照片/x.jpg`` → ``x.jpg``): NFC,
    control characters made visible; its SHA-256 where it has no usable name."""
    path = first_paths(session, [item.id]).get(item.id, "")
    name = unicodedata.normalize("NFC", path.replace("!/", "/").rsplit("/", 1)[-1]).strip()
    name = visible_controls(name).replace('"', "'")
    return name if name not in ("", ".", "..") else item.sha256
