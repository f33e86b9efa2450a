"""What the records-based checks read: records with their values and provenance, people, and
the photos joined to them, streamed once into scratch tables (``tmp_verify_records``,
``tmp_verify_photos``) and read back by the checks of one run in order or by key.

Every value keeps its place in the original (the file's SHA-256, sheet, row, column), so a
finding can name it: :meth:`RecordsData.involved`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby, islice
from operator import itemgetter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from guwah.cellrefs import col_letter
from guwah.core import iso_date
from guwah.gb11643 import county_names
from guwah.store.models import (
    Cell,
    CustodyEvent,
    Item,
    Occurrence,
    Person,
    PersonSource,
    Record,
    RecordValue,
    Sheet,
    SheetLayout,
)
from guwah.verify import scratch
from guwah.verify.context import CheckContext
from guwah.verify.filenames import parse_photo_name
from guwah.verify.finding import Involved

#: the record fields the checks compare
FIELDS = (
    "id_number",
    "name",
    "birth_date",
    "sex",
    "age",
    "household_address",
    "current_address",
    "county",
    "detention_date",
    "release_date",
    "facility",
    "reason",
)
ADDRESS_FIELDS = ("household_address", "current_address", "county")
STASH_KEY = "records_data"
NOT_BUILT = (
    "the records stage has not run on this case: run `guwah records --case CASE` first, "
    "then `guwah verify` again"
)


def records_ready(ctx: CheckContext) -> str | None:
    """None once ``guwah records`` has built records for the case, else what to run first."""
    built = ctx.session.scalar(
        select(CustodyEvent.seq).where(CustodyEvent.event == "records_built").limit(1)
    )
    return None if built is not None else NOT_BUILT


@dataclass(slots=True)
class Value:
    value: str | None  # normalised (None: could not be read)
    raw: str
    col: int
    problem: str | None


@dataclass(slots=True)
class RecordRow:
    id: int
    item_id: int
    sheet_id: int
    row: int
    person_id: int | None
    values: dict[str, Value] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        v = self.values.get(name)
        return v.value if v is not None else None


@dataclass(slots=True)
class SheetInfo:
    id: int
    item_id: int
    name: str
    index: int
    title: str = ""  # the text above the data (title rows, header)


@dataclass(slots=True)
class PersonInfo:
    id: int
    id_number: str | None
    name: str | None
    detained: bool
    n_records: int
    n_photos: int
    conflicts: dict[str, Any]


@dataclass(slots=True)
class PhotoRef:
    """One photo occurrence joined to a person by the ID number in its file name."""

    person_id: int
    item_id: int
    sha256: str
    path: str
    id_number: str
    time: datetime | None
    time_source: str  # "file name" | "EXIF DateTimeOriginal" | ""


@dataclass
class RecordsData:
    """The records of a case as the checks read them: the records and the photos joined to
    people are in scratch tables (``tmp_verify_records``, ``tmp_verify_photos``), read back
    in order or by key; only sheets and files (not rows) are held here."""

    conn: Connection
    sheets: dict[int, SheetInfo]
    items: dict[int, tuple[str, str | None]]  # item id → (sha256, first path)
    n_records: int
    n_photos: int

    def involved(
        self, rec: RecordRow, field_name: str | None = None, role: str = "record"
    ) -> Involved:
        """The record's place (file, sheet, row, and the column of ``field_name``)."""
        sha, path = self.items[rec.item_id]
        sheet = self.sheets.get(rec.sheet_id)
        loc: dict[str, Any] = {"sheet": sheet.name if sheet else None, "row": rec.row}
        v = self.values_of(rec, field_name)
        if v is not None:
            loc["col"] = col_letter(v.col)
            loc["col_no"] = v.col
            loc["field"] = field_name
            loc["value"] = v.raw
        if sheet is not None:
            loc["sheet_index"] = sheet.index
        return Involved(sha, path, rec.item_id, role, loc)

    @staticmethod
    def values_of(rec: RecordRow, field_name: str | None) -> Value | None:
        return rec.values.get(field_name) if field_name else None

    def photo_involved(self, photo: PhotoRef, role: str = "photo") -> Involved:
        return Involved(
            photo.sha256,
            photo.path,
            photo.item_id,
            role,
            {"file_name": photo.path.rsplit("/", 1)[-1]},
        )

    # -- reading the scratch tables ------------------------------------------------------

    def records(self, *where: Any, order: tuple[Any, ...] = ()) -> Iterator[RecordRow]:
        """Records matching ``where`` (all), streamed in ``order``, then record id."""
        t = scratch.records
        stmt = select(*RECORD_COLUMNS).where(*where).order_by(*order, t.c.rid)
        for row in scratch.stream(self.conn, stmt):
            yield record_of(row)

    def person_records(self, person_id: int) -> list[RecordRow]:
        return list(self.records(scratch.records.c.person_id == person_id))

    def records_by_id(self, rids: list[int]) -> dict[int, RecordRow]:
        out: dict[int, RecordRow] = {}
        for k in range(0, len(rids), 500):
            chunk = rids[k : k + 500]
            out.update((r.id, r) for r in self.records(scratch.records.c.rid.in_(chunk)))
        return out

    def photos(self, *where: Any, order: tuple[Any, ...] = ()) -> Iterator[PhotoRef]:
        """Photos joined to people matching ``where``, in ``order``, then PersonSource
        order."""
        t = scratch.photos
        stmt = select(*PHOTO_COLUMNS).where(*where).order_by(*order, t.c.seq)
        for row in scratch.stream(self.conn, stmt):
            yield photo_of(row)


RECORD_COLUMNS = (
    scratch.records.c.rid,
    scratch.records.c.item_id,
    scratch.records.c.sheet_id,
    scratch.records.c.row,
    scratch.records.c.person_id,
    scratch.records.c.payload,
)
PHOTO_COLUMNS = (
    scratch.photos.c.person_id,
    scratch.photos.c.item_id,
    scratch.photos.c.sha256,
    scratch.photos.c.path,
    scratch.photos.c.id_number,
    scratch.photos.c.time,
    scratch.photos.c.time_source,
)


def record_of(row: Any) -> RecordRow:
    rid, item_id, sheet_id, r, person_id, payload = row[:6]
    rec = RecordRow(rid, item_id, sheet_id, r, person_id)
    rec.values = {f: Value(*v) for f, v in json.loads(payload).items()}
    return rec


def photo_of(row: Any) -> PhotoRef:
    person_id, item_id, sha, path, number, t, src = row[:7]
    return PhotoRef(
        person_id, item_id, sha, path, number, datetime.fromisoformat(t) if t else None, src
    )


def day_of(iso: str | None) -> date | None:
    """The date of a stored photo time (ISO text)."""
    return datetime.fromisoformat(iso).date() if iso else None


def load(ctx: CheckContext) -> RecordsData:
    """The case's records and joined photos in scratch tables (built once per run)."""
    cached = ctx.stash.get(STASH_KEY)
    if isinstance(cached, RecordsData):
        return cached
    s = ctx.session
    conn = ctx.conn
    scratch.create(conn, scratch.records, scratch.photos, scratch.damaged)
    n_records = _fill_records(conn)
    sheets = {
        sid: SheetInfo(sid, item_id, name, index)
        for sid, item_id, name, index in s.execute(
            select(Sheet.id, Sheet.item_id, Sheet.name, Sheet.sheet_index).where(
                Sheet.id.in_(select(Record.sheet_id).distinct())
            )
        )
    }
    _attach_titles(ctx, sheets)
    items: dict[int, tuple[str, str | None]] = {}
    paths: dict[int, str] = {
        i: path
        for i, path in s.execute(
            select(Occurrence.item_id, func.min(Occurrence.path))
            .where(Occurrence.item_id.in_(select(Record.item_id).distinct()))
            .group_by(Occurrence.item_id)
        )
        if i is not None
    }
    for i, sha in s.execute(
        select(Item.id, Item.sha256).where(Item.id.in_(select(Record.item_id).distinct()))
    ):
        items[i] = (sha, paths.get(i))
    n_photos = _fill_photos(ctx)
    data = RecordsData(conn, sheets, items, n_records, n_photos)
    ctx.stash[STASH_KEY] = data
    return data


def _fill_records(conn: Connection) -> int:
    """One stream over records and their values (in record and column order) into
    ``tmp_verify_records``; returns the number of records."""
    stmt = (
        select(
            Record.id,
            Record.item_id,
            Record.sheet_id,
            Record.row,
            Record.person_id,
            RecordValue.field,
            RecordValue.value,
            RecordValue.raw,
            RecordValue.col,
            RecordValue.problem,
        )
        .outerjoin(
            RecordValue,
            (RecordValue.record_id == Record.id) & RecordValue.field.in_(FIELDS),
        )
        .order_by(Record.id, RecordValue.col, RecordValue.id)
    )
    batch = scratch.Batch(conn, scratch.records, 2000)
    dmg = scratch.Batch(conn, scratch.damaged)
    n = 0
    for rid, group in groupby(scratch.stream(conn, stmt, 5000), key=itemgetter(0)):
        values: dict[str, list[Any]] = {}
        head = None
        for row in group:
            head = row
            fname = row[5]
            if fname and fname not in values:  # a field's first column
                values[fname] = [row[6], row[7], row[8], row[9]]
        assert head is not None
        n += 1
        idv = values.get("id_number")
        float_raw = idv[1].strip() if idv is not None and idv[3] == "id_float" else None
        if float_raw is not None:
            f = _as_float(float_raw)
            if f is not None and f == f:  # NaN equals nothing, as in a Python set
                dmg.add({"f": f})

        def get(name: str, values: dict[str, list[Any]] = values) -> str | None:
            v = values.get(name)
            return v[0] if v is not None else None

        det, rel = iso_date(get("detention_date")), iso_date(get("release_date"))
        batch.add(
            {
                "rid": rid,
                "item_id": head[1],
                "sheet_id": head[2],
                "row": head[3],
                "person_id": head[4],
                "id_value": idv[0] if idv is not None else None,
                "has_id": idv is not None,
                "id_problem": idv[3] if idv is not None else None,
                "id_float_raw": float_raw,
                "detention_day": det.isoformat() if det else None,
                "release_day": rel.isoformat() if rel else None,
                "detention_row": any(get(f) for f in DETENTION_FIELDS),
                "payload": json.dumps(values, ensure_ascii=False),
            }
        )
    batch.flush()
    dmg.flush()
    return n


def _attach_titles(ctx: CheckContext, sheets: dict[int, SheetInfo]) -> None:
    """The text of every cell above a sheet's data (titles like 疏附县某乡在押人员花名册)."""
    rows = ctx.session.execute(
        select(Cell.sheet_id, Cell.value)
        .join(SheetLayout, SheetLayout.sheet_id == Cell.sheet_id)
        .where(SheetLayout.status == "read", Cell.row < SheetLayout.first_data_row)
        .order_by(Cell.sheet_id, Cell.row, Cell.col)
    )
    for sheet_id, group in groupby(rows, key=itemgetter(0)):
        texts = [value for _sid, value in group]
        if sheet_id in sheets:
            sheets[sheet_id].title = " ".join(texts)


def _fill_photos(ctx: CheckContext) -> int:
    """The photos joined to people (PersonSource order) into ``tmp_verify_photos``, with
    their time: the file name's, else EXIF DateTimeOriginal."""
    s = ctx.session
    stmt = (
        select(
            PersonSource.id,
            PersonSource.person_id,
            PersonSource.item_id,
            PersonSource.path,
            Item.sha256,
            Person.id_number,
        )
        .join(Item, Item.id == PersonSource.item_id)
        .outerjoin(Person, Person.id == PersonSource.person_id)
        .where(PersonSource.kind == "photo")
        .order_by(PersonSource.id)
    )
    batch = scratch.Batch(ctx.conn, scratch.photos, 2000)
    n = 0
    rows = iter(scratch.stream(ctx.conn, stmt))
    while chunk := list(islice(rows, 900)):
        out: list[dict[str, Any]] = []
        need_exif: list[int] = []
        for seq, person_id, item_id, path, sha, person_number in chunk:
            if item_id is None or path is None:
                continue
            pn = parse_photo_name(path)
            t = pn.timestamp
            number = person_number if person_number else (pn.ids or [""])[0]
            out.append(
                {
                    "seq": seq,
                    "person_id": person_id,
                    "item_id": item_id,
                    "sha256": sha,
                    "path": path,
                    "id_number": number,
                    "time": t.isoformat() if t else None,
                    "time_source": "file name" if t else "",
                }
            )
            if t is None:
                need_exif.append(item_id)
        if need_exif:
            exif: dict[int, datetime] = {}
            for item_id, meta in s.execute(
                select(Item.id, Item.meta).where(Item.id.in_(sorted(set(need_exif))))
            ):
                iso = ((meta or {}).get("exif_summary") or {}).get("datetime_original")
                if iso:
                    with contextlib.suppress(ValueError):
                        exif[item_id] = datetime.fromisoformat(iso[:19])
            for p in out:
                if p["time"] is None and p["item_id"] in exif:
                    p["time"] = exif[p["item_id"]].isoformat()
                    p["time_source"] = "EXIF DateTimeOriginal"
        for p in out:
            n += 1
            batch.add(p)
    batch.flush()
    return n


#: as the records stage decides who is detained
DETENTION_FIELDS = ("detention_date", "release_date", "facility", "reason")


def _as_float(text: str) -> float | None:
    try:
        return float(text.replace("X", ""))
    except ValueError:
        return None


# -- county names ----------------------------------------------------------------------

_SUFFIXES = ("县", "市", "区", "旗")


def counties_in(text: str | None) -> list[str]:
    """The county names a text mentions, in order (the longest name ending at each 县/市/区)."""
    if not text:
        return []
    known = county_names()
    found: list[str] = []
    for i, ch in enumerate(text):
        if ch not in _SUFFIXES:
            continue
        for n in range(min(i + 1, 9), 1, -1):
            cand = text[i + 1 - n : i + 1]
            if cand in known:
                if cand not in found:
                    found.append(cand)
                break
    return found
