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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select, union
from sqlalchemy.orm import Session

from guwah.analyse.places import county_code, parse_place
from guwah.analyse.taxonomy import statuses
from guwah.core import iso_date
from guwah.records.relations import house_key
from guwah.store.models import (
    Cell,
    ColumnMap,
    Item,
    Occurrence,
    Person,
    PersonRelation,
    Record,
    RecordValue,
    Sheet,
    SheetLayout,
)
from guwah.store.scratch import stream

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
CACHE = 1 << 16  # entries of a cache of what repeats across people, at most
#: addresses: one per household, its members next to each other in the stream (id order)
ADDRESS_CACHE = 1024


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
    first = values[0]
    if all(v == first for v in values):
        return first
    counts = Counter(values)
    best = max(counts.values())
    return next(v for v in values if counts[v] == best)


def load_facts(session: Session) -> dict[int, PersonFacts]:
    """Every resolved person with records, by id (all held: for small cases and tests; the
    analysis streams :func:`iter_facts`)."""
    return {p.id: p for p in iter_facts(session)}


def iter_facts(session: Session) -> Iterator[PersonFacts]:
    """Every resolved person with records, as the analysis sees them, one at a time in id
    order (only one person's facts and values are held).

    Linear in people, records and record values: each table is read once, with no
    per-person query; the people, their records with their values and their parents come
    in three streams ordered by person, merged; what repeats across people (an address's
    place, a set of status words) is worked out once."""
    conn = session.connection()
    sheets = _sheets(conn)
    items = _items(conn)
    person_rows = stream(
        conn,
        select(
            Person.id,
            Person.name,
            Person.id_number,
            Person.sex,
            Person.ethnicity,
            Person.birth_date,
            Person.detained,
            Person.conflicts,
        )
        .where(Person.n_records > 0)
        .order_by(Person.id),
        1000,  # a buffered row per person: what the buffer holds must not be the leak
    )
    # each person's records in reading order (file, sheet, row), each with its values in
    # FIELDS as stored (a value that could not be normalised is never used: it is not read)
    unknown_sheet = _SheetInfo("", 0, False, "")
    resolver = _Resolver(sheets, {i: path for i, (_sha, path) in items.items()})
    wanted = (
        (RecordValue.record_id == Record.id)
        & RecordValue.field.in_(FIELDS)
        & RecordValue.value.is_not(None)
    )
    records = stream(
        conn,
        select(
            Record.person_id,
            Record.id,
            Record.item_id,
            Record.sheet_id,
            Record.row,
            RecordValue.field,
            RecordValue.value,
        )
        .outerjoin(RecordValue, wanted)
        .where(Record.person_id.is_not(None))
        .order_by(
            Record.person_id, Record.item_id, Record.sheet_id, Record.row, Record.id, RecordValue.id
        ),
        5000,
    )
    parents = stream(conn, _parents_query(), 2000)
    rec = next(records, None)
    par = next(parents, None)
    for pid, name, id_number, sex, ethnicity, born, detained, conflicts in person_rows:
        pf = PersonFacts(pid, name, id_number, sex, ethnicity, iso_date(born))
        pf.detained = bool(detained)
        if conflicts:
            for fld in ("name", "birth_date", "sex", "ethnicity"):
                if fld in conflicts:
                    pf.conflicts[fld] = [str(c.get("value")) for c in conflicts[fld]]
        while rec is not None and rec[0] < pid:
            rec = next(records, None)  # records of a person without n_records: not counted
        rows: list[tuple[int, int, int, list[tuple[str, str]]]] = []
        last_record: int | None = None
        while rec is not None and rec[0] == pid:
            _person, rid, item_id, sheet_id, row, column, val = rec
            if rid != last_record:
                info = sheets.get(sheet_id, unknown_sheet)
                sha, path = items.get(item_id, ("", ""))
                pf.sources.append(Source(rid, sha, path, info.name, info.index, row))
                if info.register:
                    pf.resident = True
                rows.append((rid, item_id, sheet_id, []))
                last_record = rid
            if column is not None:
                rows[-1][3].append((column, val))
            rec = next(records, None)
        if rows:
            resolver.resolve(pf, rows)
        while par is not None and par[0] < pid:
            par = next(parents, None)
        while par is not None and par[0] == pid:
            pf.parents.add(par[1])
            par = next(parents, None)
        yield pf


@dataclass
class _SheetInfo:
    name: str
    index: int
    register: bool
    title: str


def _items(conn: Connection) -> dict[int, tuple[str, str]]:
    """Each item that holds records: its SHA-256 and the path it was first found at."""
    with_records = select(Record.item_id).distinct().subquery()
    first = (
        select(Occurrence.item_id, func.min(Occurrence.id).label("occ"))
        .join(with_records, with_records.c.item_id == Occurrence.item_id)
        .group_by(Occurrence.item_id)
        .subquery()
    )
    paths = dict(
        conn.execute(
            select(Occurrence.item_id, Occurrence.path).join(first, Occurrence.id == first.c.occ)
        ).all()
    )
    return {
        item_id: (sha, paths.get(item_id, ""))
        for item_id, sha in conn.execute(
            select(Item.id, Item.sha256).join(with_records, with_records.c.item_id == Item.id)
        )
    }


def _sheets(conn: Connection) -> dict[int, _SheetInfo]:
    """Each read sheet: its name, whether it is a resident register, and its title rows
    (the cells above its first header row, at most the first four rows: read through the
    sheet-and-row index, never a scan of every cell)."""
    register = {
        s
        for (s,) in conn.execute(
            select(ColumnMap.sheet_id).where(ColumnMap.field.in_(REGISTER_FIELDS)).distinct()
        )
    }
    above: dict[int, int] = {}  # sheet → the rows above its first header row (at most 4)
    for sid, rows in conn.execute(select(SheetLayout.sheet_id, SheetLayout.header_rows)):
        first_header = min(rows) if rows else 1
        if first_header > 1:
            above[sid] = min(first_header - 1, 4)
    titles: dict[int, list[str]] = defaultdict(list)
    ids = sorted(above)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for sid, row, value in conn.execute(
            select(Cell.sheet_id, Cell.row, Cell.value)
            .where(Cell.sheet_id.in_(chunk), Cell.row <= 4)
            .order_by(Cell.sheet_id, Cell.row, Cell.col)
        ):
            if row <= above[sid]:
                titles[sid].append(value)
    out = {}
    for sid, name, index in conn.execute(select(Sheet.id, Sheet.name, Sheet.sheet_index)):
        title = " ".join(titles.get(sid, []))
        is_register = sid in register or any(t in title for t in REGISTER_TITLES)
        out[sid] = _SheetInfo(name, index, is_register, title)
    return out


_NO_PLACE: tuple[str | None, str | None, str | None] = (None, None, None)


class _Resolver:
    """One person's facts from their records (the rules in the module's docstring), with
    what repeats across people worked out once: the place and house of an address, the
    status of a set of words, the code of a county."""

    def __init__(self, sheets: dict[int, _SheetInfo], paths: dict[int, str]) -> None:
        self.sheets = sheets
        self.paths = paths
        self.tax = statuses()
        self.status_fields = frozenset(self.tax.fields)
        self.places: dict[tuple[str | None, str | None], tuple[str | None, ...]] = {}
        self.statuses: dict[tuple[tuple[str, ...], bool], tuple[str, list[str]]] = {}
        self.codes: dict[tuple[str | None, str | None], str | None] = {}

    def _address(self, household: str | None, current: str | None) -> tuple[str | None, ...]:
        """(county, township, village, house) of a record's address columns."""
        key = (household, current)
        got = self.places.get(key)
        if got is None:
            got = (*parse_place(household or current), house_key(household, current))
            if len(self.places) >= ADDRESS_CACHE:
                self.places.clear()  # addresses grow with the leak; they repeat in a household
            self.places[key] = got
        return got

    def _fallback(
        self, pf: PersonFacts, rows: list[tuple[int, int, int, list[tuple[str, str]]]], i: int
    ) -> str | None:
        """The place at level ``i`` from the first of the person's records whose sheet title,
        sheet name or file path names one."""
        sources = {s.record_id: s for s in pf.sources}
        for rid, item_id, sheet_id, _vals in rows:
            src = sources.get(rid)
            sheet = self.sheets.get(sheet_id)
            for text in (
                sheet.title if sheet else None,
                src.sheet if src else None,
                self.paths.get(item_id),
            ):
                got = parse_place(text)[i]
                if got:
                    return got
        return None

    def resolve(
        self, pf: PersonFacts, rows: list[tuple[int, int, int, list[tuple[str, str]]]]
    ) -> None:
        lo, hi = self.tax.plausible
        status_fields = self.status_fields
        det_dates: list[date] = []
        rel_dates: list[date] = []
        facilities: list[str] = []
        households: list[str] = []  # register household numbers: preferred
        houses: list[str] = []  # addresses down to the house number
        texts: list[str] = []
        places: tuple[list[str], list[str], list[str]] = ([], [], [])
        for rid, item_id, _sheet_id, vals in rows:
            first: dict[str, str] = {}
            for fld, v in vals:
                if fld not in first:
                    first[fld] = v
                if fld == "detention_date" or fld == "release_date":
                    d = iso_date(v)
                    if d is None:
                        pass
                    elif not lo <= d <= hi or (pf.birth_date and d < pf.birth_date):
                        pf.bad_dates.append((fld, v, rid))
                    elif fld == "detention_date":
                        det_dates.append(d)
                    else:
                        rel_dates.append(d)
                elif fld == "reason" and v.strip() and v not in pf.reasons:
                    pf.reasons.append(v)
                if fld in status_fields:
                    texts.append(v)
            if not first:
                continue
            facility = first.get("facility")
            if facility:
                facilities.append(facility)
            household_address = first.get("household_address")
            current_address = first.get("current_address")
            addr = (
                self._address(household_address, current_address)
                if household_address or current_address
                else _NO_PLACE + (None,)
            )
            household_no = first.get("household_no")
            if household_no:
                households.append(f"{item_id}/{household_no}")
            elif addr[3]:
                houses.append(addr[3])
            for i, lvl in enumerate(PLACE_LEVELS):
                level_value = first.get(lvl) or addr[i]
                if level_value:
                    places[i].append(level_value)
        for i, lvl in enumerate(PLACE_LEVELS):
            stated = places[i]
            setattr(pf, lvl, _pick(stated) if stated else self._fallback(pf, rows, i))
            if len(stated) > 1 and len(set(stated)) > 1:
                pf.conflicts[lvl] = sorted(set(stated))
        hint = (pf.id_number or "")[:2] or None
        code_key = (pf.county, hint)
        if code_key not in self.codes:
            if len(self.codes) >= CACHE:
                self.codes.clear()
            self.codes[code_key] = county_code(pf.county, hint)
        pf.county_code = self.codes[code_key]
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
        status_key = (tuple(sorted(set(texts))), pf.release_date is not None)
        got = self.statuses.get(status_key)
        if got is None:
            if len(self.statuses) >= CACHE:
                self.statuses.clear()
            got = self.statuses[status_key] = self.tax.classify(list(status_key[0]), status_key[1])
        pf.status, pf.status_words = got[0], list(got[1])
        if pf.status != "unknown" or pf.facility or pf.reasons or pf.detention_date:
            pf.detained = True


def _parents_query() -> Any:
    """(child, parent) pairs ordered by child, from the records: a father/mother named in a
    person's record, or the head of a household (and the head's spouse) of whom the person
    is a son or daughter."""
    rel = PersonRelation.__table__
    kid = rel.alias("kid")
    spouse = rel.alias("spouse")
    named = select(rel.c.person_id.label("child"), rel.c.relative_id.label("parent")).where(
        rel.c.relation.in_(("father", "mother")), rel.c.relative_id.is_not(None)
    )
    heads = select(rel.c.relative_id, rel.c.person_id).where(
        rel.c.relation.in_(("son", "daughter")), rel.c.relative_id.is_not(None)
    )
    spouses = (
        select(kid.c.relative_id, spouse.c.relative_id)
        .join(spouse, spouse.c.person_id == kid.c.person_id)
        .where(
            kid.c.relation.in_(("son", "daughter")),
            kid.c.relative_id.is_not(None),
            spouse.c.relation.in_(("wife", "husband")),
            spouse.c.relative_id.is_not(None),
        )
    )
    pairs = union(named, heads, spouses).subquery()
    return select(pairs.c.child, pairs.c.parent).order_by(pairs.c.child, pairs.c.parent)
