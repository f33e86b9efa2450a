"""What the records-based checks read: records with their values and provenance, people, and
the photos joined to them, loaded in a few bulk queries and shared by the checks of one run.

Every value keeps its place in the original (the file's SHA-256, sheet, row, column), so a
finding can name it: :meth:`RecordsData.involved`.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from guwah.cellrefs import col_letter
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
    records: list[RecordRow]
    sheets: dict[int, SheetInfo]
    items: dict[int, tuple[str, str | None]]  # item id → (sha256, first path)
    people: dict[int, PersonInfo]
    photos: list[PhotoRef]

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

    def photos_by_person(self) -> dict[int, list[PhotoRef]]:
        out: dict[int, list[PhotoRef]] = defaultdict(list)
        for p in self.photos:
            out[p.person_id].append(p)
        return out

    def photos_by_id(self) -> dict[str, list[PhotoRef]]:
        out: dict[str, list[PhotoRef]] = defaultdict(list)
        for p in self.photos:
            out[p.id_number].append(p)
        return out


def load(ctx: CheckContext) -> RecordsData:
    """The case's records, people and joined photos (loaded once per verify run)."""
    cached = ctx.stash.get(STASH_KEY)
    if isinstance(cached, RecordsData):
        return cached
    s = ctx.session
    records: dict[int, RecordRow] = {}
    for rid, item_id, sheet_id, row, person_id in s.execute(
        select(Record.id, Record.item_id, Record.sheet_id, Record.row, Record.person_id).order_by(
            Record.id
        )
    ):
        records[rid] = RecordRow(rid, item_id, sheet_id, row, person_id)
    values = s.execute(
        select(
            RecordValue.record_id,
            RecordValue.field,
            RecordValue.value,
            RecordValue.raw,
            RecordValue.col,
            RecordValue.problem,
        )
        .where(RecordValue.field.in_(FIELDS))
        .order_by(RecordValue.record_id, RecordValue.col)
    ).yield_per(20000)
    for rid, fname, value, raw, col, problem in values:
        rec = records.get(rid)
        if rec is not None and fname and fname not in rec.values:  # a field's first column
            rec.values[fname] = Value(value, raw, col, problem)
    item_ids = {r.item_id for r in records.values()}
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
    shas: dict[int, str] = {
        i: sha
        for i, sha in s.execute(
            select(Item.id, Item.sha256).where(Item.id.in_(select(Record.item_id).distinct()))
        )
    }
    paths: dict[int, str] = {
        i: path
        for i, path in s.execute(
            select(Occurrence.item_id, func.min(Occurrence.path))
            .where(Occurrence.item_id.in_(select(Record.item_id).distinct()))
            .group_by(Occurrence.item_id)
        )
        if i is not None
    }
    for item_id in item_ids:
        items[item_id] = (shas[item_id], paths.get(item_id))
    people = {
        pid: PersonInfo(pid, idn, name, bool(det), nr, np_, conf or {})
        for pid, idn, name, det, nr, np_, conf in s.execute(
            select(
                Person.id,
                Person.id_number,
                Person.name,
                Person.detained,
                Person.n_records,
                Person.n_photos,
                Person.conflicts,
            )
        )
    }
    data = RecordsData(list(records.values()), sheets, items, people, _photos(ctx, people))
    ctx.stash[STASH_KEY] = data
    return data


def _attach_titles(ctx: CheckContext, sheets: dict[int, SheetInfo]) -> None:
    """The text of every cell above a sheet's data (titles like 疏附县某乡在押人员花名册)."""
    rows = ctx.session.execute(
        select(Cell.sheet_id, Cell.value)
        .join(SheetLayout, SheetLayout.sheet_id == Cell.sheet_id)
        .where(SheetLayout.status == "read", Cell.row < SheetLayout.first_data_row)
        .order_by(Cell.sheet_id, Cell.row, Cell.col)
    )
    parts: dict[int, list[str]] = defaultdict(list)
    for sheet_id, value in rows:
        parts[sheet_id].append(value)
    for sheet_id, texts in parts.items():
        if sheet_id in sheets:
            sheets[sheet_id].title = " ".join(texts)


def _photos(ctx: CheckContext, people: dict[int, PersonInfo]) -> list[PhotoRef]:
    s = ctx.session
    rows = s.execute(
        select(PersonSource.person_id, PersonSource.item_id, PersonSource.path, Item.sha256)
        .join(Item, Item.id == PersonSource.item_id)
        .where(PersonSource.kind == "photo")
        .order_by(PersonSource.id)
    ).all()
    out: list[PhotoRef] = []
    need_exif: list[int] = []
    for person_id, item_id, path, sha in rows:
        if item_id is None or path is None:
            continue
        pn = parse_photo_name(path)
        t = pn.timestamp
        person = people.get(person_id)
        number = person.id_number if person and person.id_number else (pn.ids or [""])[0]
        out.append(PhotoRef(person_id, item_id, sha, path, number, t, "file name" if t else ""))
        if t is None:
            need_exif.append(item_id)
    if need_exif:
        exif: dict[int, datetime] = {}
        for i in range(0, len(need_exif), 900):
            chunk = need_exif[i : i + 900]
            for item_id, meta in s.execute(select(Item.id, Item.meta).where(Item.id.in_(chunk))):
                iso = ((meta or {}).get("exif_summary") or {}).get("datetime_original")
                if iso:
                    with contextlib.suppress(ValueError):
                        exif[item_id] = datetime.fromisoformat(iso[:19])
        for p in out:
            if p.time is None and p.item_id in exif:
                p.time, p.time_source = exif[p.item_id], "EXIF DateTimeOriginal"
    return out


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
