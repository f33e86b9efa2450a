"""Read people back: a person with every source (records with values and provenance, photos),
people by ID number, people by name as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guwah.cellrefs import col_letter
from guwah.store.models import (
    ColumnMap,
    Item,
    Occurrence,
    Person,
    PersonName,
    PersonRelation,
    PersonSource,
    Record,
    RecordValue,
    Sheet,
)


@dataclass
class ValueView:
    field: str | None
    value: str | None
    raw: str
    problem: str | None
    header: str
    row: int
    col: int

    @property
    def col_letter(self) -> str:
        return col_letter(self.col)


@dataclass
class RecordView:
    """One record with where it is: the original's SHA-256, a path, sheet, row."""

    id: int
    person_id: int | None
    sha256: str
    path: str | None  # the first place the file was found
    sheet: str
    sheet_index: int
    row: int
    method: str | None = None  # how it joined its person
    values: list[ValueView] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        for v in self.values:
            if v.field == name and v.value:
                return v.value
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sha256": self.sha256,
            "path": self.path,
            "sheet": self.sheet,
            "sheet_index": self.sheet_index,
            "row": self.row,
            "method": self.method,
            "values": [{**v.__dict__, "col_letter": v.col_letter} for v in self.values],
        }


@dataclass
class PhotoView:
    item_id: int
    sha256: str
    path: str


@dataclass
class RelationView:
    relation: str
    name: str
    relative_id: int | None
    record_id: int | None
    method: str


@dataclass
class PersonView:
    id: int
    id_number: str | None
    name: str | None
    birth_date: str | None
    sex: str | None
    ethnicity: str | None
    detained: bool
    method: str
    conflicts: dict[str, Any]
    names: list[str]
    records: list[RecordView]
    photos: list[PhotoView]
    relations: list[RelationView]

    def as_dict(self) -> dict[str, Any]:
        out = {
            k: v for k, v in self.__dict__.items() if k not in ("records", "photos", "relations")
        }
        out["records"] = [r.as_dict() for r in self.records]
        out["photos"] = [p.__dict__ for p in self.photos]
        out["relations"] = [r.__dict__ for r in self.relations]
        return out


def first_paths(session: Session, item_ids: list[int]) -> dict[int, str]:
    """The first occurrence path of each item."""
    if not item_ids:
        return {}
    first = (
        select(Occurrence.item_id, func.min(Occurrence.id).label("occ"))
        .where(Occurrence.item_id.in_(item_ids))
        .group_by(Occurrence.item_id)
        .subquery()
    )
    rows = session.execute(
        select(Occurrence.item_id, Occurrence.path).join(first, Occurrence.id == first.c.occ)
    )
    return {item_id: path for item_id, path in rows if item_id is not None}


def records(session: Session, record_ids: list[int]) -> list[RecordView]:
    """Records with their values and provenance, in the order of ``record_ids``."""
    if not record_ids:
        return []
    rows = session.execute(
        select(
            Record.id,
            Record.person_id,
            Record.item_id,
            Record.row,
            Record.sheet_id,
            Item.sha256,
            Sheet.name,
            Sheet.sheet_index,
        )
        .join(Item, Item.id == Record.item_id)
        .join(Sheet, Sheet.id == Record.sheet_id)
        .where(Record.id.in_(record_ids))
    ).all()
    paths = first_paths(session, sorted({r.item_id for r in rows}))
    sheet_ids = sorted({r.sheet_id for r in rows})
    headers = {
        (s, c): h
        for s, c, h in session.execute(
            select(ColumnMap.sheet_id, ColumnMap.col, ColumnMap.header).where(
                ColumnMap.sheet_id.in_(sheet_ids)
            )
        )
    }
    views = {
        r.id: RecordView(
            r.id, r.person_id, r.sha256, paths.get(r.item_id), r.name, r.sheet_index, r.row
        )
        for r in rows
    }
    sheet_of = {r.id: r.sheet_id for r in rows}
    for v in session.scalars(
        select(RecordValue)
        .where(RecordValue.record_id.in_(record_ids))
        .order_by(RecordValue.record_id, RecordValue.col)
    ):
        views[v.record_id].values.append(
            ValueView(
                v.field,
                v.value,
                v.raw,
                v.problem,
                headers.get((sheet_of[v.record_id], v.col), ""),
                v.row,
                v.col,
            )
        )
    return [views[i] for i in record_ids if i in views]


def get_person(session: Session, person_id: int) -> PersonView | None:
    """A person with all sources: records (values + provenance), photos, names, relatives."""
    p = session.get(Person, person_id)
    if p is None:
        return None
    sources = (
        session.execute(
            select(PersonSource)
            .where(PersonSource.person_id == person_id)
            .order_by(PersonSource.id)
        )
        .scalars()
        .all()
    )
    rec_ids = [s.record_id for s in sources if s.kind == "record" and s.record_id is not None]
    recs = records(session, rec_ids)
    method = {s.record_id: s.method for s in sources if s.kind == "record"}
    for r in recs:
        r.method = method.get(r.id)
    shas = dict(
        session.execute(
            select(Item.id, Item.sha256).where(
                Item.id.in_([s.item_id for s in sources if s.kind == "photo"])
            )
        ).all()
    )
    photos = [
        PhotoView(s.item_id, shas.get(s.item_id, ""), s.path or "")
        for s in sources
        if s.kind == "photo" and s.item_id is not None
    ]
    names = list(
        dict.fromkeys(
            session.scalars(
                select(PersonName.name)
                .where(PersonName.person_id == person_id)
                .order_by(PersonName.id)
            )
        )
    )
    relations = [
        RelationView(r.relation, r.relative_name, r.relative_id, r.record_id, r.method)
        for r in session.scalars(
            select(PersonRelation)
            .where(PersonRelation.person_id == person_id)
            .order_by(PersonRelation.id)
        )
    ]
    return PersonView(
        p.id,
        p.id_number,
        p.name,
        p.birth_date,
        p.sex,
        p.ethnicity,
        p.detained,
        p.method,
        p.conflicts,
        names,
        recs,
        photos,
        relations,
    )


def people_by_id_number(session: Session, id_number: str) -> list[Person]:
    """People with this ID number (upper-cased, spaces dropped); one, unless none."""
    key = "".join(id_number.split()).upper()
    return list(session.scalars(select(Person).where(Person.id_number == key).order_by(Person.id)))


def people_by_name(session: Session, name: str) -> list[Person]:
    """People who go by exactly this name (as normalised: separators unified to ·)."""
    from guwah.records.normalise import name as norm

    key = norm(name)[0] or ""
    ids = select(PersonName.person_id).where(PersonName.name == key).distinct()
    return list(session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.id)))
