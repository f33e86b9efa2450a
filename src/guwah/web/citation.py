"""Citations: what a researcher quotes to point at one item, record, finding or person so
that anyone holding the case (or a copy of the evidence) can find exactly it again.

A citation names the original by SHA-256, the first path it was found at in the leak, the
place inside it (page, sheet, row, column, EXIF tag), the custody log's head at the time of
citing (its sequence number and hash: the state of the evidence the citation refers to), the
custodian the evidence was received by, the guwah version and the time of access (UTC).

Every value is leaked data or derived from it: the pages escape it, and a role without
``identities`` gets it through the same redaction as every page and JSON answer (the
template ``finalize`` and :func:`guwah.web.access._redacted_json`); a person is then named
by pseudonym only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah import __version__
from guwah.access.pseudonym import Pseudonymiser
from guwah.case import Case
from guwah.cellrefs import col_letter
from guwah.records.people import first_paths, get_person
from guwah.store.models import (
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
from guwah.verify.report import location_text
from guwah.web.queries import custody_head, location_link

MAX_CITED_ITEMS = 200  # the items a finding or person citation lists (the text: fewer)
ITEMS_IN_TEXT = 20


class CiteError(LookupError):
    """Nothing to cite at what the request names (a 404 with this message)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _custodian(session: Session, case: Case, item_id: int | None) -> str:
    """Who received the evidence: the custodian of the ``received`` event of the source the
    item was first found in, as given at ingest; else the case's custodian; else the last
    custodian who received anything."""
    if item_id is not None:
        uri = session.scalar(
            select(Source.uri)
            .join(Occurrence, Occurrence.source_id == Source.id)
            .where(Occurrence.item_id == item_id)
            .order_by(Occurrence.id)
            .limit(1)
        )
        if uri is not None:
            given = session.scalar(
                select(CustodyEvent.custodian)
                .where(CustodyEvent.event == "received", CustodyEvent.source_path == uri)
                .order_by(CustodyEvent.seq)
                .limit(1)
            )
            if given:
                return given
    if case.settings.custodian:
        return case.settings.custodian
    return (
        session.scalar(
            select(CustodyEvent.custodian)
            .where(CustodyEvent.event == "received")
            .order_by(CustodyEvent.seq.desc())
            .limit(1)
        )
        or ""
    )


def _cited(
    session: Session, item: Item, location: dict[str, Any], role: str = ""
) -> dict[str, Any]:
    path = first_paths(session, [item.id]).get(item.id, "")
    return {
        "sha256": item.sha256,
        "path": path,
        "role": role,
        "location": location,
        "location_text": location_text(location),
        "url": location_link(item.sha256, location),
    }


def _item_phrase(it: dict[str, Any]) -> str:
    where = f", {it['location_text']}" if it["location_text"] else ""
    return f"{it['path'] or '(no path)'}{where} (SHA-256 {it['sha256']})"


def _finish(
    session: Session,
    case: Case,
    kind: str,
    what: str,
    url: str,
    items: list[dict[str, Any]],
    item_id: int | None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    head = custody_head(session)
    custodian = _custodian(session, case, item_id)
    accessed = _now()
    shown = items[:ITEMS_IN_TEXT]
    listed = "; ".join(_item_phrase(it) for it in shown)
    if len(items) > len(shown):
        listed += f"; and {len(items) - len(shown)} more"
    text = (
        f"{what}. {listed + '. ' if listed else ''}"
        f"Custodian: {custodian or 'not recorded'}. "
        f"Custody log head #{head['seq']} {head['hash']}. "
        f"guwah {__version__}, {url}, accessed {accessed}."
    )
    first = items[0] if items else None
    return {
        "kind": kind,
        "what": what,
        "sha256": first["sha256"] if first else None,
        "path": first["path"] if first else None,
        "location": first["location"] if first else {},
        "location_text": first["location_text"] if first else "",
        "items": items,
        **(extra or {}),
        "custody_head": {"seq": head["seq"], "hash": head["hash"], "at": head["at"]},
        "custodian": custodian,
        "tool": f"guwah {__version__}",
        "accessed": accessed,
        "url": url,
        "text": text,
    }


def cite_item(
    session: Session,
    case: Case,
    sha256: str,
    sheet: int | None = None,
    row: int | None = None,
    col: int | None = None,
    page: int | None = None,
    exif_tag: str | None = None,
) -> dict[str, Any]:
    """An original, or a place in it: a page, a sheet's row or cell, an EXIF tag."""
    item = session.scalar(select(Item).where(Item.sha256 == sha256))
    if item is None:
        raise CiteError(f"no item with SHA-256 {sha256} in this case")
    location: dict[str, Any] = {}
    if exif_tag is not None:
        if exif_tag not in ((item.meta or {}).get("exif") or {}):
            raise CiteError(f"item {sha256} has no EXIF tag {exif_tag!r}")
        location["exif_tag"] = exif_tag
    if page is not None:
        if (
            session.scalar(select(Page.id).where(Page.item_id == item.id, Page.page_no == page))
            is None
        ):
            raise CiteError(f"item {sha256} has no page {page}")
        location["page"] = page
    if sheet is not None:
        s = session.scalar(
            select(Sheet).where(Sheet.item_id == item.id, Sheet.sheet_index == sheet)
        )
        if s is None:
            raise CiteError(f"item {sha256} has no sheet {sheet}")
        location.update({"sheet": s.name, "sheet_index": sheet})
        if row is not None:
            location["row"] = row
            if col is not None:
                location.update({"col": col_letter(col), "col_no": col})
    elif row is not None or col is not None:
        raise CiteError("a row or column needs its sheet (sheet=INDEX)")
    cited = _cited(session, item, location)
    name = (cited["path"] or sha256).replace("!/", "/").rsplit("/", 1)[-1]
    what = f"{name} ({item.mime or 'unknown type'}, {item.size} bytes)"
    extra = {"name": name, "mime": item.mime, "size": item.size}
    return _finish(session, case, "item", what, cited["url"], [cited], item.id, extra)


def cite_record(session: Session, case: Case, record_id: int) -> dict[str, Any]:
    """A record: one row of a sheet that describes a person."""
    found = session.execute(
        select(Record, Sheet, Item)
        .join(Sheet, Sheet.id == Record.sheet_id)
        .join(Item, Item.id == Record.item_id)
        .where(Record.id == record_id)
    ).first()
    if found is None:
        raise CiteError(f"no record {record_id} in this case")
    record, sheet, item = found
    location = {"sheet": sheet.name, "sheet_index": sheet.sheet_index, "row": record.row}
    cited = _cited(session, item, location, "record")
    of = f" of person {record.person_id}" if record.person_id is not None else ""
    what = f"Record {record.id}{of}: sheet {sheet.name}, row {record.row}"
    extra = {"record_id": record.id, "person_id": record.person_id}
    return _finish(session, case, "record", what, cited["url"], [cited], item.id, extra)


def cite_finding(session: Session, case: Case, finding_id: int) -> dict[str, Any]:
    """A verification finding, with every item it involves and where in each."""
    finding = session.get(FindingRow, finding_id)
    if finding is None:
        raise CiteError(f"no finding {finding_id} in this case")
    involved = session.execute(
        select(FindingItem, Item)
        .join(Item, Item.sha256 == FindingItem.sha256)
        .where(FindingItem.finding_id == finding_id)
        .order_by(FindingItem.id)
        .limit(MAX_CITED_ITEMS)
    ).all()
    items = [_cited(session, item, fi.location or {}, fi.role) for fi, item in involved]
    for it, (fi, _item) in zip(items, involved, strict=True):
        it["path"] = fi.path or it["path"]  # the path the check looked at
    what = (
        f"Finding {finding.id} of guwah verify, {finding.check}/{finding.kind} "
        f"({finding.severity}): {finding.title}"
    )
    extra = {
        "finding_id": finding.id,
        "check": finding.check,
        "finding_kind": finding.kind,
        "severity": finding.severity,
        "title": finding.title,
    }
    first_id = involved[0][1].id if involved else None
    return _finish(
        session, case, "finding", what, f"/report#finding-{finding.id}", items, first_id, extra
    )


def cite_person(
    session: Session, case: Case, person_id: int, pseudo: Pseudonymiser | None
) -> dict[str, Any]:
    """A person, with every record and photo that make them up. A role without
    ``identities`` (``pseudo``) gets the person's pseudonym, never the name."""
    view = get_person(session, person_id)
    if view is None:
        raise CiteError(f"no person {person_id} in this case")
    shas = {r.sha256 for r in view.records} | {p.sha256 for p in view.photos}
    by_sha = {i.sha256: i for i in session.scalars(select(Item).where(Item.sha256.in_(shas)))}
    items = []
    for r in view.records[:MAX_CITED_ITEMS]:
        loc = {"sheet": r.sheet, "sheet_index": r.sheet_index, "row": r.row}
        items.append(_cited(session, by_sha[r.sha256], loc, f"record {r.id}"))
    for p in view.photos[: max(0, MAX_CITED_ITEMS - len(items))]:
        items.append({**_cited(session, by_sha[p.sha256], {}, "photo"), "path": p.path})
    name = pseudo.of_person(view.id) if pseudo is not None else (view.name or "no name")
    what = (
        f"Person {view.id} ({name}), resolved by {view.method} from "
        f"{len(view.records)} records and {len(view.photos)} photos"
    )
    first = [by_sha[it["sha256"]].id for it in items[:1]]
    extra = {
        "person_id": view.id,
        "name": name,
        "method": view.method,
        "n_records": len(view.records),
        "n_photos": len(view.photos),
    }
    return _finish(
        session, case, "person", what, f"/people/{view.id}", items, next(iter(first), None), extra
    )
