"""``guwah export ftm``: the case as FollowTheMoney (FtM 4.x) entities, one JSON object a line.

What is written (ids are ``guwah-<kind>-`` + the SHA-256 of the guwah key, so a re-export of
the same case gives the same ids, and a rebuild of the officials registry does not change
them):

- ``Person`` for every official (key ``name|jurisdiction``), topic ``role.pep``; detainees
  only with ``detainees=True`` (pseudonymised with a :class:`Pseudonymiser`).
- ``PublicBody`` for every unit, ``parent`` the unit above it.
- ``Position`` (title + unit, ``organization`` the unit) and ``Occupancy`` (official ↔
  position, ``startDate``/``endDate`` the first and last date the evidence shows).
- ``Document`` / ``Pages`` (PDF) / ``Image`` / ``Table`` (spreadsheets) for every original that
  carries evidence, ``contentHash`` its SHA-256 (the checksum the case stores it under).
- ``Mention`` (name as written, ``document``, ``resolved`` the official) and
  ``Documentation`` (document ↔ entity, ``role`` the mention's role, ``summary`` the sentence)
  for every mention of an official (and every record of an exported detainee).
- ``Sanction`` for every official or unit the sanctions gap calls *listed* on an imported
  list (never *possible*).

Provenance is carried twice, in FtM's own fields: every statement (property value) has an
``origin`` — ``sha256:<hex>#page=3&chars=12-15`` (text), ``sha256:<hex>#sheet=0&row=3&col=2``
(a cell), ``list:<name>@<as_of>#<version>;sha256:<file hex>#<location>`` (a list entity) or
``import:<source>`` (the officials CSV) — and every entity has ``proof`` links to the
Document entities that evidence it. The entity lines (``to_dict``) gather the origins of their
statements in ``origin``; with ``statements=True`` the file holds FtM statements instead,
one a line, each with its own ``origin`` (``ftm aggregate-statements`` reads them). A value
evidenced in several places keeps the first place as its origin; the Mention and
Documentation entities list every place.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.case import Case, CaseError
from guwah.core import Progress, case_lock
from guwah.officials.review import mention_place as mention_origin
from guwah.store.custody import CustodyLog
from guwah.store.models import Item, Occurrence, Person, PersonName, Record, Sheet
from guwah.store.models_lists import ListEntityRow, ListVersion
from guwah.store.models_officials import (
    Official,
    OfficialDocument,
    OfficialMention,
    OfficialPost,
    OfficialUnit,
)

if TYPE_CHECKING:
    from followthemoney import StatementEntity

    from guwah.access.pseudonym import Pseudonymiser

DATASET = "guwah"
SEX = {"M": "male", "F": "female", "男": "male", "女": "female", "male": "male"}


def entity_id(kind: str, *key: object) -> str:
    """A stable id: the kind and the SHA-256 of the guwah key (parts joined by U+001F)."""
    raw = "\x1f".join(str(k) for k in key).encode("utf-8")
    return f"guwah-{kind}-{hashlib.sha256(raw).hexdigest()[:40]}"


def official_id(key: str) -> str:
    return entity_id("official", key)


def document_id(sha256: str) -> str:
    return entity_id("doc", sha256)


def unit_id(name: str) -> str:
    return entity_id("unit", name)


def mention_location(m: OfficialMention) -> str:
    if m.method == "sheet":
        return f"sheet {m.sheet_index}, row {m.row}, column {m.col}"
    return f"page {m.page_no} ({m.method}), characters {m.start}–{m.end}"


@dataclass
class FtmResult:
    path: Path
    entities: int = 0
    statements: int = 0
    by_schema: dict[str, int] = field(default_factory=dict)
    custody_head: str = ""
    seconds: float = 0.0


class _Writer:
    """Streams entities (or their statements) to the file as they are made."""

    def __init__(self, fh: IO[str], result: FtmResult, statements: bool) -> None:
        from followthemoney import Dataset

        self.fh = fh
        self.result = result
        self.statements = statements
        self.dataset = Dataset.make({"name": DATASET, "title": "guwah case export"})

    def new(self, schema: str, id_: str) -> StatementEntity:
        from followthemoney import StatementEntity

        return StatementEntity(self.dataset, {"schema": schema, "id": id_})

    def emit(self, entity: StatementEntity) -> None:
        r = self.result
        r.entities += 1
        r.by_schema[entity.schema.name] = r.by_schema.get(entity.schema.name, 0) + 1
        if self.statements:
            for stmt in sorted(entity.statements, key=lambda st: (st.prop, st.value)):
                self._line(dict(stmt.to_dict()))
                r.statements += 1
        else:
            r.statements += len(entity) - 1
            data = entity.to_dict()
            # FtM keeps values in sets: sorted here, so one case gives one file, byte for byte
            data["properties"] = {k: sorted(v) for k, v in sorted(data["properties"].items())}
            for k in ("origin", "referents", "datasets"):
                if k in data:
                    data[k] = sorted(data[k])
            self._line(data)

    def _line(self, data: dict[str, Any]) -> None:
        self.fh.write(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")


def put(
    e: StatementEntity, prop: str, values: Iterable[str | None] | str | None, origin: str
) -> None:
    """Add each value (cleaned by FtM's type; the raw value kept as ``original_value``)."""
    if values is None or isinstance(values, str):
        values = [values]
    for v in values:
        if v is None or v == "":
            continue
        e.add(prop, v, original_value=v, origin=origin)


def _schema_of(mime: str, sheets: bool) -> str:
    if sheets:
        return "Table"
    if mime == "application/pdf":
        return "Pages"
    if mime.startswith("image/"):
        return "Image"
    return "Document"


def export_ftm(
    case: Case,
    out: Path,
    progress: Progress,
    *,
    detainees: bool = False,
    pseudonymiser: Pseudonymiser | None = None,
    statements: bool = False,
    custodian: str = "",
) -> FtmResult:
    """Write the case's officials (and, if asked, detainees) with their evidence to ``out``."""
    t0 = time.perf_counter()
    if out.exists():
        raise CaseError(f"{out} already exists: name a new file (or remove that one)")
    if not out.parent.is_dir():
        raise CaseError(f"{out.parent}: no such directory")
    result = FtmResult(out)
    pseudo = pseudonymiser
    with case_lock(case):
        case.migrate()
        tmp = out.with_name(out.name + ".part")
        try:
            evidence = _write(case, tmp, result, progress, detainees, pseudo, statements)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        tmp.replace(out)
        with case.sessions() as session:
            log = CustodyLog(session, custodian or case.settings.custodian)
            result.custody_head = log.append(
                "exported_ftm",
                details={
                    "file": out.name,
                    "entities": result.entities,
                    "originals": evidence,
                    "detainees": detainees,
                    **({"pseudonymised": True} if pseudo else {}),
                },
            )
            session.commit()
    result.seconds = time.perf_counter() - t0
    return result


def _write(
    case: Case,
    tmp: Path,
    result: FtmResult,
    progress: Progress,
    detainees: bool,
    pseudo: Pseudonymiser | None,
    statements: bool,
) -> int:
    """Write the entities to ``tmp``; returns how many originals carry evidence."""
    from guwah.lists.match import ListMatcher
    from guwah.officials.gap import LISTED, gap_table

    red = pseudo.redact if pseudo else (lambda s: s)
    with case.sessions() as session, tmp.open("w", encoding="utf-8", newline="\n") as fh:
        w = _Writer(fh, result, statements)
        offs = session.scalars(select(Official).order_by(Official.key)).all()
        if not offs and not detainees:
            raise CaseError("no officials: run `guwah officials build` first")
        mentions = session.scalars(
            select(OfficialMention).order_by(OfficialMention.sha256, OfficialMention.id)
        ).all()
        by_official: dict[int, list[OfficialMention]] = defaultdict(list)
        for m in mentions:
            if m.official_id is not None:
                by_official[m.official_id].append(m)
        by_mention_id = {m.id: m for m in mentions}
        key_of = {o.id: o.key for o in offs}
        # Which originals carry evidence: every mentioned one (and detainees' sheets).
        evidence: dict[str, list[str]] = defaultdict(list)  # sha → origins
        for m in mentions:
            evidence[m.sha256].append(mention_origin(m))
        records: list[tuple[int, str, int, int]] = []
        if detainees:
            records = [
                (pid, sha, si, row)
                for pid, sha, si, row in session.execute(
                    select(Record.person_id, Item.sha256, Sheet.sheet_index, Record.row)
                    .join(Item, Item.id == Record.item_id)
                    .join(Sheet, Sheet.id == Record.sheet_id)
                    .join(Person, Person.id == Record.person_id)
                    .where(Person.detained.is_(True))
                    .order_by(Record.id)
                )
                if pid is not None
            ]
            for _pid, sha, si, row in records:
                evidence[sha].append(f"sha256:{sha}#sheet={si}&row={row}")
        n_units = session.query(OfficialUnit).count()
        progress.total("FtM documents", len(evidence))
        _documents(session, w, evidence, red, progress)
        progress.total("FtM units", n_units)
        known_units = _units(session, w, progress)
        for unit in sorted(
            {p.unit for p in session.scalars(select(OfficialPost))} - known_units - {""}
        ):
            e = w.new("PublicBody", unit_id(unit))
            put(e, "name", unit, "import:post unit")
            put(e, "country", "cn", "import:post unit")
            w.emit(e)
        progress.total("FtM officials", len(offs))
        matcher = ListMatcher.from_session(session)
        rows, _names = gap_table(session, matcher)
        listed = [(r, name, s) for r in rows for name, s in r.lists.items() if s.status == LISTED]
        posts = defaultdict(list)
        for p in session.scalars(select(OfficialPost).order_by(OfficialPost.id)):
            posts[p.official_id].append(p)
        for o in offs:
            progress.advance("FtM officials")
            _official(w, o, by_official[o.id], posts[o.id], by_mention_id, red)
        progress.total("FtM sanctions", len(listed))
        unit_names = {u.id: u.name for u in session.scalars(select(OfficialUnit))}
        for r, name, s in listed:
            progress.advance("FtM sanctions")
            target = (
                official_id(key_of[r.id]) if r.kind == "official" else unit_id(unit_names[r.id])
            )
            _sanction(session, w, target, name, s)
        if detainees:
            _detainees(session, w, records, pseudo, progress)
        fh.flush()
    return len(evidence)


def _documents(
    session: Session, w: _Writer, evidence: dict[str, list[str]], red: Any, progress: Progress
) -> None:
    shas = sorted(evidence)
    headers: dict[str, list[OfficialDocument]] = defaultdict(list)
    for d in session.scalars(select(OfficialDocument).order_by(OfficialDocument.id)):
        headers[d.sha256].append(d)
    for i in range(0, len(shas), 500):
        chunk = shas[i : i + 500]
        items = session.execute(
            select(Item.id, Item.sha256, Item.mime, Item.size).where(Item.sha256.in_(chunk))
        ).all()
        ids = [it[0] for it in items]
        with_sheets = set(session.scalars(select(Sheet.item_id).where(Sheet.item_id.in_(ids))))
        paths: dict[int, list[str]] = defaultdict(list)
        for item_id, path in session.execute(
            select(Occurrence.item_id, Occurrence.path)
            .where(Occurrence.item_id.in_(ids))
            .order_by(Occurrence.id)
        ):
            if item_id is not None:
                paths[item_id].append(path)
        for item_id, sha, mime, size in sorted(items, key=lambda it: it[1]):
            progress.advance("FtM documents")
            origin = f"sha256:{sha}"
            e = w.new(_schema_of(mime or "", item_id in with_sheets), document_id(sha))
            put(e, "contentHash", sha, origin)
            put(e, "fileSize", str(size), origin)
            put(e, "mimeType", mime or None, origin)
            for path in paths[item_id]:
                name = red(path.rsplit("!/", 1)[-1].rsplit("/", 1)[-1])
                put(e, "fileName", name, origin)
            for d in headers.get(sha, []):
                where = f"sha256:{sha}#page={d.page_no}&method={d.method}"
                put(e, "date", d.date, where)
                put(e, "author", red(d.issuer) or None, where)
                if d.number:
                    put(e, "title", red(d.number), where)
                parts = [
                    f"number {d.number}" if d.number else "",
                    f"issued by {d.issuer}" if d.issuer else "",
                    f"to {'、'.join(d.recipients)}" if d.recipients else "",
                    f"copies to {'、'.join(d.copies)}" if d.copies else "",
                ]
                text = "; ".join(p for p in parts if p)
                put(e, "description", red(text) or None, where)
            w.emit(e)


def _units(session: Session, w: _Writer, progress: Progress) -> set[str]:
    units = session.scalars(select(OfficialUnit).order_by(OfficialUnit.name)).all()
    names = {u.id: u.name for u in units}
    for u in units:
        progress.advance("FtM units")
        origin = f"unit:{u.source}"
        e = w.new("PublicBody", unit_id(u.name))
        put(e, "name", u.name, origin)
        put(e, "country", "cn", origin)
        put(e, "classification", u.kind or None, origin)
        put(e, "jurisdiction", "cn", origin)
        if u.jurisdiction and u.jurisdiction != u.name:
            put(e, "address", u.jurisdiction, origin)
        if u.parent_id is not None and u.parent_id in names:
            put(e, "parent", unit_id(names[u.parent_id]), origin)
        w.emit(e)
    return set(names.values())


def _official(
    w: _Writer,
    o: Official,
    ms: list[OfficialMention],
    posts: list[OfficialPost],
    by_mention_id: dict[int, OfficialMention],
    red: Any,
) -> None:
    pid = official_id(o.key)
    first = mention_origin(ms[0]) if ms else ""
    imported = "import:" + (o.sources[0] if o.sources else "guwah officials import")
    name_origin = first if o.source == "leak" else imported
    e = w.new("Person", pid)
    put(e, "name", o.name, name_origin)
    origins: dict[str, str] = {}
    for m in ms:
        origins.setdefault(m.name, mention_origin(m))
    for n in o.names or []:
        if n != o.name:
            put(e, "alias", n, origins.get(n, imported))
    put(e, "birthDate", o.birth_date, imported)
    put(e, "topics", "role.pep", name_origin)
    put(e, "country", "cn", name_origin)
    put(e, "status", o.status, "guwah:officials")
    if o.jurisdiction:
        put(e, "address", o.jurisdiction, name_origin)
    for s in o.sources or []:
        put(e, "notes", f"source: {s}", f"import:{s}")
    for m in ms:
        put(e, "proof", document_id(m.sha256), mention_origin(m))
    for p in posts:
        if p.title:
            ev = [
                by_mention_id[i]
                for i in p.evidence or []
                if isinstance(i, int) and i in by_mention_id
            ]
            put(e, "position", p.title, mention_origin(ev[0]) if ev else imported)
    w.emit(e)
    for p in posts:
        _occupancy(w, o, pid, p, by_mention_id, imported)
    for m in ms:
        origin = mention_origin(m)
        mention = w.new("Mention", entity_id("mention", m.sha256, mention_location(m), m.name))
        put(mention, "name", m.name, origin)
        put(mention, "document", document_id(m.sha256), origin)
        put(mention, "resolved", pid, origin)
        put(mention, "detectedSchema", "Person", origin)
        put(mention, "contextCountry", "cn", origin)
        w.emit(mention)
        doc = w.new(
            "Documentation", entity_id("documentation", m.sha256, mention_location(m), o.key)
        )
        put(doc, "document", document_id(m.sha256), origin)
        put(doc, "entity", pid, origin)
        put(doc, "role", m.role, origin)
        put(doc, "summary", red(m.sentence) or None, origin)
        put(doc, "description", mention_location(m), origin)
        put(doc, "date", m.doc_date, origin)
        put(doc, "recordId", f"{m.sha256}#{mention_origin(m).split('#', 1)[1]}", origin)
        w.emit(doc)


def _occupancy(
    w: _Writer,
    o: Official,
    pid: str,
    p: OfficialPost,
    by_mention_id: dict[int, OfficialMention],
    imported: str,
) -> None:
    pos_id = entity_id("position", p.title, p.unit)
    ev = [by_mention_id[i] for i in p.evidence or [] if isinstance(i, int) and i in by_mention_id]
    origin = mention_origin(ev[0]) if ev else imported
    pos = w.new("Position", pos_id)
    put(pos, "name", "".join(x for x in (p.unit, p.title) if x), origin)
    put(pos, "country", "cn", origin)
    if p.unit:
        put(pos, "organization", unit_id(p.unit), origin)
    if p.unit_id is None and p.unit:
        put(pos, "subnationalArea", p.unit, origin)
    w.emit(pos)
    occ = w.new("Occupancy", entity_id("occupancy", o.key, p.title, p.unit, p.source))
    put(occ, "holder", pid, origin)
    put(occ, "post", pos_id, origin)
    dated = sorted((m for m in ev if m.doc_date), key=lambda m: m.doc_date or "")
    put(occ, "startDate", p.date_from, mention_origin(dated[0]) if dated else imported)
    put(occ, "endDate", p.date_to, mention_origin(dated[-1]) if dated else imported)
    put(
        occ,
        "description",
        "dates as evidenced: first and last dated document naming the post"
        if p.source == "leak"
        else "dates as published (imported)",
        origin,
    )
    for m in ev:
        put(occ, "proof", document_id(m.sha256), mention_origin(m))
    for s in p.evidence or []:
        if isinstance(s, str):
            put(occ, "sourceUrl", s if s.startswith(("http://", "https://")) else None, imported)
    w.emit(occ)


def _sanction(session: Session, w: _Writer, target: str, list_name: str, s: Any) -> None:
    version_id = int(s.version.rsplit("#", 1)[1])
    v = session.get(ListVersion, version_id)
    row = session.scalar(
        select(ListEntityRow).where(
            ListEntityRow.version_id == version_id, ListEntityRow.entity_id == s.entity_id
        )
    )
    sha = v.sha256 if v else ""
    where = row.location if row else ""
    origin = f"list:{s.version};sha256:{sha}#{where}"
    e = w.new("Sanction", entity_id("sanction", list_name, s.entity_id, target))
    put(e, "entity", target, origin)
    put(e, "authority", list_name, origin)
    put(e, "authorityId", s.entity_id, origin)
    put(e, "recordId", s.entity_id, origin)
    props = (row.properties if row else {}) or {}
    for prop in ("program", "programId", "listingDate", "startDate", "reason", "provisions"):
        for value in props.get(prop, []) if isinstance(props.get(prop), list) else []:
            put(e, prop, value, origin)
    put(e, "status", "listed", origin)
    put(
        e,
        "summary",
        f"{s.caption} — score {s.score:.2f}: {s.explanation} [{s.version}]",
        origin,
    )
    put(e, "publisher", f"{v.name} ({v.file_name}, as of {v.as_of})" if v else None, origin)
    w.emit(e)


def _detainees(
    session: Session,
    w: _Writer,
    records: list[tuple[int, str, int, int]],
    pseudo: Pseudonymiser | None,
    progress: Progress,
) -> None:
    by_person: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for pid, sha, si, row in records:
        by_person[pid].append((sha, si, row))
    names: dict[int, list[str]] = defaultdict(list)
    for pid, name in session.execute(
        select(PersonName.person_id, PersonName.name).order_by(PersonName.id)
    ):
        names[pid].append(name)
    progress.total("FtM detainees", len(by_person))
    for p in session.scalars(select(Person).where(Person.id.in_(list(by_person)))):
        progress.advance("FtM detainees")
        recs = by_person[p.id]
        first = f"sha256:{recs[0][0]}#sheet={recs[0][1]}&row={recs[0][2]}"
        if pseudo is not None:
            tag = pseudo.of_person(p.id)
            e = w.new("Person", entity_id("detainee", tag))
            put(e, "name", tag, "guwah:pseudonym")
            put(e, "birthDate", (p.birth_date or "")[:4] or None, first)
        else:
            key = p.id_number or f"{p.name}|{p.birth_date}"
            e = w.new("Person", entity_id("detainee", key))
            put(e, "name", p.name, first)
            for n in names[p.id]:
                put(e, "alias", n if n != p.name else None, first)
            put(e, "birthDate", p.birth_date, first)
            put(e, "idNumber", p.id_number, first)
            put(e, "ethnicity", p.ethnicity, first)
        put(e, "gender", SEX.get(p.sex or ""), first)
        put(e, "country", "cn", first)
        for sha, _si, _row in recs:
            put(e, "proof", document_id(sha), f"sha256:{sha}")
        w.emit(e)
        for sha, si, row in recs:
            origin = f"sha256:{sha}#sheet={si}&row={row}"
            doc = w.new("Documentation", entity_id("documentation", sha, si, row, e.id))
            put(doc, "document", document_id(sha), origin)
            put(doc, "entity", e.id, origin)
            put(doc, "role", "record", origin)
            put(doc, "description", f"sheet {si}, row {row}", origin)
            w.emit(doc)
