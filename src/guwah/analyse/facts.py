"""What the analysis knows of each resolved person, from all of their records at once.

A person in five sheets is one person here. Where their records disagree the rule is:

- detention date: the earliest plausible date; release date: the latest plausible date;
- facility, household, county, township, village: the value most records give; on a tie,
  the value of the record read first (file, sheet, row order);
- sex, ethnicity, birth date: the records stage's resolution (the most frequent value);
- status: the first status of the taxonomy whose words any record shows;
- reasons: every distinct reason any record gives (multi-label).

Every field with more than one distinct value is listed in ``conflicts`` and counted in the
"conflicting" line. A date outside the plausible window (``status.json``) or before the
person's birth is listed in ``bad_dates`` and not used.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.analyse.places import county_code, parse_place
from guwah.analyse.taxonomy import statuses
from guwah.core import iso_date
from guwah.records.people import first_paths
from guwah.records.relations import house_key
from guwah.store.models import (
    Cell,
    ColumnMap,
    Item,
    Person,
    PersonRelation,
    Record,
    RecordValue,
    Sheet,
    SheetLayout,
)

FIELDS = (
    "county",
    "township",
    "village",
    "household_address",
    "current_address",
    "household_no",
    "relation_to_head",
    "category",
    "reason",
    "facility",
    "detention_date",
    "release_date",
    "notes",
)
#: a sheet is a resident register when one of its columns is one of these fields
REGISTER_FIELDS = ("household_no", "relation_to_head")
REGISTER_TITLES = ("户籍", "人口信息", "人口登记", "常住人口")
PLACE_LEVELS = ("county", "township", "village")


@dataclass
class Source:
    """One record of a person, with where it is."""

    record_id: int
    sha256: str
    path: str
    sheet: str
    sheet_index: int
    row: int

    def ref(self) -> str:
        return f"record:{self.sha256}:{self.sheet_index}:{self.row}"


@dataclass
class PersonFacts:
    id: int
    name: str | None
    id_number: str | None
    sex: str | None
    ethnicity: str | None
    birth_date: date | None
    detained: bool = False
    county: str | None = None
    county_code: str | None = None
    township: str | None = None
    village: str | None = None
    facility: str | None = None
    status: str = "unknown"
    status_words: list[str] = field(default_factory=list)
    detention_date: date | None = None
    release_date: date | None = None
    reasons: list[str] = field(default_factory=list)
    household: str | None = None
    resident: bool = False  # listed in a resident register
    sources: list[Source] = field(default_factory=list)
    conflicts: dict[str, list[str]] = field(default_factory=dict)
    bad_dates: list[tuple[str, str, int]] = field(default_factory=list)  # field, value, record
    parents: set[int] = field(default_factory=set)

    def place(self, level: str) -> tuple[str, ...]:
        """The place key at a level: (county,), (county, township) or (…, village)."""
        parts = (self.county, self.township, self.village)
        n = PLACE_LEVELS.index(level) + 1
        return tuple(p or "(unknown)" for p in parts[:n])


def _pick(values: list[str]) -> str | None:
    """Most frequent; on a tie the first seen (values are in reading order)."""
    if not values:
        return None
    counts = Counter(values)
    best = max(counts.values())
    return next(v for v in values if counts[v] == best)


def load_facts(session: Session) -> dict[int, PersonFacts]:
    """Every resolved person with records, as the analysis sees them."""
    people: dict[int, PersonFacts] = {}
    for p in session.execute(
        select(
            Person.id,
            Person.name,
            Person.id_number,
            Person.sex,
            Person.ethnicity,
            Person.birth_date,
            Person.detained,
            Person.conflicts,
        ).where(Person.n_records > 0)
    ):
        pf = PersonFacts(p.id, p.name, p.id_number, p.sex, p.ethnicity, iso_date(p.birth_date))
        pf.detained = bool(p.detained)
        for fld in ("name", "birth_date", "sex", "ethnicity"):
            if fld in (p.conflicts or {}):
                pf.conflicts[fld] = [str(c.get("value")) for c in p.conflicts[fld]]
        people[p.id] = pf
    sheets = _sheets(session)
    recs = session.execute(
        select(Record.id, Record.person_id, Record.item_id, Record.sheet_id, Record.row)
        .where(Record.person_id.is_not(None))
        .order_by(Record.item_id, Record.sheet_id, Record.row)
    ).all()
    items = sorted({r.item_id for r in recs})
    paths = first_paths(session, items)
    shas = dict(session.execute(select(Item.id, Item.sha256).where(Item.id.in_(items))).all())
    values: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for rid, column, val, raw in session.execute(
        select(RecordValue.record_id, RecordValue.field, RecordValue.value, RecordValue.raw).where(
            RecordValue.field.in_(FIELDS)
        )
    ):
        values[rid][column or ""].append(val if val is not None else f"\x00{raw}")
    per_person: dict[int, list[tuple[int, int, int, dict[str, list[str]]]]] = defaultdict(list)
    for r in recs:
        owner = people.get(r.person_id)
        if owner is None:
            continue
        pf = owner
        info = sheets.get(r.sheet_id, _SheetInfo("", 0, False, ""))
        pf.sources.append(
            Source(
                r.id,
                shas.get(r.item_id, ""),
                paths.get(r.item_id, ""),
                info.name,
                info.index,
                r.row,
            )
        )
        pf.resident = pf.resident or info.register
        per_person[r.person_id].append((r.id, r.item_id, r.sheet_id, values.get(r.id, {})))
    for pid, rows in per_person.items():
        _resolve(people[pid], rows, sheets, paths, {s.record_id: s for s in people[pid].sources})
    _parents(session, people)
    return people


@dataclass
class _SheetInfo:
    name: str
    index: int
    register: bool
    title: str


def _sheets(session: Session) -> dict[int, _SheetInfo]:
    """Each read sheet: its name, whether it is a resident register, and its title rows."""
    register = {
        s
        for (s,) in session.execute(
            select(ColumnMap.sheet_id).where(ColumnMap.field.in_(REGISTER_FIELDS)).distinct()
        )
    }
    first_header = {
        sid: min(rows) if rows else 1
        for sid, rows in session.execute(select(SheetLayout.sheet_id, SheetLayout.header_rows))
    }
    titles: dict[int, list[str]] = defaultdict(list)
    for sid, row, value in session.execute(
        select(Cell.sheet_id, Cell.row, Cell.value).where(Cell.row <= 4).order_by(Cell.row)
    ):
        if row < first_header.get(sid, 1):
            titles[sid].append(value)
    out = {}
    for sid, name, index in session.execute(select(Sheet.id, Sheet.name, Sheet.sheet_index)):
        title = " ".join(titles.get(sid, []))
        is_register = sid in register or any(t in title for t in REGISTER_TITLES)
        out[sid] = _SheetInfo(name, index, is_register, title)
    return out


def _resolve(
    pf: PersonFacts,
    rows: list[tuple[int, int, int, dict[str, list[str]]]],
    sheets: dict[int, _SheetInfo],
    paths: dict[int, str],
    sources: dict[int, Source],
) -> None:
    tax = statuses()
    lo, hi = tax.plausible
    det_dates: list[date] = []
    rel_dates: list[date] = []
    facilities: list[str] = []
    households: list[str] = []  # register household numbers: preferred
    houses: list[str] = []  # addresses down to the house number
    texts: list[str] = []
    places: dict[str, list[str]] = {lvl: [] for lvl in PLACE_LEVELS}
    fallback: dict[str, list[str]] = {lvl: [] for lvl in PLACE_LEVELS}
    for rid, item_id, sheet_id, vals in rows:
        first = {k: next((x for x in v if not x.startswith("\x00")), None) for k, v in vals.items()}
        for fld, out in (("detention_date", det_dates), ("release_date", rel_dates)):
            for v in vals.get(fld, []):
                d = iso_date(v) if not v.startswith("\x00") else None
                if d is None:
                    continue
                if not lo <= d <= hi or (pf.birth_date and d < pf.birth_date):
                    pf.bad_dates.append((fld, v, rid))
                else:
                    out.append(d)
        if first.get("facility"):
            facilities.append(first["facility"] or "")
        for r in vals.get("reason", []):
            if not r.startswith("\x00") and r.strip() and r not in pf.reasons:
                pf.reasons.append(r)
        for fld in tax.fields:
            texts += [v for v in vals.get(fld, []) if not v.startswith("\x00")]
        if first.get("household_no"):
            households.append(f"{item_id}/{first['household_no']}")
        else:
            house = house_key(first.get("household_address"), first.get("current_address"))
            if house:
                houses.append(house)
        stated = (first.get("county"), first.get("township"), first.get("village"))
        addr = parse_place(first.get("household_address") or first.get("current_address"))
        for i, lvl in enumerate(PLACE_LEVELS):
            level_value = stated[i] or addr[i]
            if level_value:
                places[lvl].append(level_value)
        src = sources.get(rid)
        sheet = sheets.get(sheet_id)
        for text in (
            sheet.title if sheet else None,
            src.sheet if src else None,
            paths.get(item_id),
        ):
            got = parse_place(text)
            for i, lvl in enumerate(PLACE_LEVELS):
                if got[i]:
                    fallback[lvl].append(got[i] or "")
    for lvl in PLACE_LEVELS:
        setattr(pf, lvl, _pick(places[lvl] or fallback[lvl][:1]))
        if len(set(places[lvl])) > 1:
            pf.conflicts[lvl] = sorted(set(places[lvl]))
    pf.county_code = county_code(pf.county, (pf.id_number or "")[:2] or None)
    pf.facility = _pick(facilities)
    if len(set(facilities)) > 1:
        pf.conflicts["facility"] = sorted(set(facilities))
    keys = households or houses
    pf.household = _pick(keys)
    if len(set(keys)) > 1:
        pf.conflicts["household"] = sorted(set(keys))
    if det_dates:
        pf.detention_date = min(det_dates)
        if len(set(det_dates)) > 1:
            pf.conflicts["detention_date"] = sorted({f"{d:%Y-%m-%d}" for d in det_dates})
    if rel_dates:
        pf.release_date = max(rel_dates)
        if len(set(rel_dates)) > 1:
            pf.conflicts["release_date"] = sorted({f"{d:%Y-%m-%d}" for d in rel_dates})
    pf.status, pf.status_words = tax.classify(texts, pf.release_date is not None)
    if pf.status != "unknown" or pf.facility or pf.reasons or pf.detention_date:
        pf.detained = True


def _parents(session: Session, people: dict[int, PersonFacts]) -> None:
    """Parents from the records: a father/mother named in a person's record, or the head of
    a household (and the head's spouse) of whom the person is a son or daughter."""
    spouse: dict[int, set[int]] = defaultdict(set)
    children: dict[int, set[int]] = defaultdict(set)
    rows: list[Any] = list(
        session.execute(
            select(
                PersonRelation.person_id, PersonRelation.relation, PersonRelation.relative_id
            ).where(PersonRelation.relative_id.is_not(None))
        )
    )
    for pid, rel, other in rows:
        if rel in ("father", "mother") and pid in people:
            people[pid].parents.add(other)
        elif rel in ("son", "daughter"):
            children[pid].add(other)
        elif rel in ("wife", "husband"):
            spouse[pid].add(other)
    for parent, kids in children.items():
        for kid in kids:
            if kid in people:
                people[kid].parents.add(parent)
                people[kid].parents.update(spouse.get(parent, set()))
