"""Find a person in a case: by ID number, or by name in any script, ranked and explained.

Names come from the records stage (``person_names``: every spelling a person has in the
sources); matching and blocking from :mod:`guwah.names`. Filters by birth year (within a
tolerance) and county (in any script: :mod:`guwah.person.places`) use the records' values
and the region and birth date encoded in the ID number, and run before the list is cut.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.cn import ric

from guwah.names.index import NameIndex
from guwah.person.places import place_matcher
from guwah.records.people import PersonView, get_person, people_by_id_number
from guwah.store.models import (
    CustodyEvent,
    FindingItem,
    FindingRow,
    Person,
    PersonName,
    Record,
    RecordValue,
)

BORN_WITHIN = 1  # years either side of a birth year a family gives
BATCH = 500
_INDEXES: dict[str, tuple[tuple[Any, ...], NameIndex]] = {}  # database → (its stamp, index)
ID_QUERY = re.compile(r"^\s*(\d{17}[\dXx]|\d{15})\s*$")
ADDRESS_FIELDS = ("household_address", "current_address", "address", "township", "village")


@dataclass
class PersonHit:
    person: PersonView
    score: float
    explanation: str
    matched_name: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 3),
            "explanation": self.explanation,
            "matched_name": self.matched_name,
            "person": self.person.as_dict(),
            "findings": self.findings,
        }


def name_index(session: Session) -> NameIndex:
    """An index of every name of every person (built in memory from ``person_names``; kept
    for the next search while the table is unchanged — a records build renumbers its rows)."""
    bind = session.get_bind()
    where = str(bind.engine.url)
    stamp = (
        *session.execute(select(func.count(PersonName.id), func.max(PersonName.id))).one(),
        session.scalar(select(func.max(CustodyEvent.seq))),  # every records build is logged
    )
    cached = _INDEXES.get(where)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    rows = session.execute(select(PersonName.person_id, PersonName.name)).all()
    index = NameIndex.build((pid, name) for pid, name in rows)
    _INDEXES[where] = (stamp, index)
    return index


def find_people(
    session: Session,
    query: str,
    born: int | None = None,
    county: str | None = None,
    limit: int = 10,
    index: NameIndex | None = None,
    born_within: int = BORN_WITHIN,
    age: tuple[int, int] | None = None,
) -> list[PersonHit]:
    """People matching ``query`` (an ID number or a name), best first, among those who pass
    the filters: born within ``born_within`` years of ``born`` (families often know the year
    only roughly), living or registered in ``county`` (any script). The filters run before
    the list is cut, so a hit never depends on ``limit``."""
    hits: list[PersonHit] = []
    years = birth_years(born, born_within, age)
    passes = _filter(session, years, county)
    if ID_QUERY.match(query):
        number = query.strip().upper()
        for person in people_by_id_number(session, number):
            view = get_person(session, person.id)
            if view is not None and passes({person.id}):
                hits.append(PersonHit(view, 1.0, f"ID number {number}", number))
    else:
        index = index or name_index(session)
        filtered = years is not None or bool(county)
        best: dict[int, Any] = {}
        for key, match in index.search(query, limit=sys.maxsize if filtered else limit * 10):
            best.setdefault(int(key), match)  # type: ignore[call-overload]
        ranked = sorted(best, key=lambda pid: -best[pid].score)
        kept = passes(set(ranked)) if filtered else set(ranked)
        for pid in ranked:
            if len(hits) >= limit:
                break
            view = get_person(session, pid) if pid in kept else None
            if view is not None:
                m = best[pid]
                hits.append(PersonHit(view, m.score, m.explanation, view.name or ""))
    hits.sort(key=lambda h: -h.score)
    hits = hits[:limit]
    for hit in hits:
        hit.findings = person_findings(session, hit.person)
    return hits


def parse_age(text: str, today: int | None = None) -> tuple[int, int]:
    """``"40"`` (this year) or ``"40@2018"`` → (40, 2018); a clear error otherwise."""
    m = re.fullmatch(r"\s*(\d{1,3})\s*(?:@\s*(\d{4}))?\s*", text)
    if not m or not 0 <= int(m.group(1)) <= 120:
        raise ValueError(f"the age {text!r} is not AGE or AGE@YEAR (e.g. 40 or 40@2018)")
    return int(m.group(1)), int(m.group(2)) if m.group(2) else (today or date.today().year)


def birth_years(
    born: int | None, within: int, age: tuple[int, int] | None = None
) -> tuple[int, int] | None:
    """The birth years that count: ``born`` give or take ``within``; or, for ``age`` =
    (AGE, IN_YEAR) — "he was 40 in 2018" — IN_YEAR − AGE or the year before (the birthday may
    not have come yet), give or take ``within``; both given: the years both allow."""
    spans = []
    if born is not None:
        spans.append((born - within, born + within))
    if age is not None:
        years_old, in_year = age
        spans.append((in_year - years_old - 1 - within, in_year - years_old + within))
    if not spans:
        return None
    return max(lo for lo, _ in spans), min(hi for _, hi in spans)


def _filter(
    session: Session, years: tuple[int, int] | None, county: str | None
) -> Callable[[set[int]], set[int]]:
    """Which of a set of person ids pass the filters, read in batches (no person loaded)."""
    matcher = place_matcher(county) if county and county.strip() else None

    def passes(pids: set[int]) -> set[int]:
        ids = sorted(pids)
        ok: set[int] = set()
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            people = session.execute(
                select(Person.id, Person.birth_date, Person.id_number).where(Person.id.in_(chunk))
            ).all()
            good = {pid for pid, birth, number in people if _born_near(birth, number, years)}
            if matcher is not None:
                good &= _places_match(session, good, matcher)
            ok |= good
        return ok

    return passes


def _born_near(birth: str | None, number: str | None, span: tuple[int, int] | None) -> bool:
    if span is None:
        return True
    years = [birth[:4] if birth else "", number[6:10] if number and len(number) == 18 else ""]
    return any(y.isdigit() and span[0] <= int(y) <= span[1] for y in years)


def _places_match(session: Session, pids: set[int], matcher: Callable[[str], bool]) -> set[int]:
    """The people some place of whom — in records or coded in the ID number — matches."""
    places: dict[int, list[str]] = {pid: [] for pid in pids}
    for pid, number in session.execute(
        select(Person.id, Person.id_number).where(Person.id.in_(pids))
    ):
        if number:
            with suppress(ValueError):  # stdnum's InvalidComponent: a region it does not know
                places[pid].extend(str(v) for v in ric.get_birth_place(number).values())
    for owner, value, raw in session.execute(
        select(Record.person_id, RecordValue.value, RecordValue.raw)
        .join(RecordValue, RecordValue.record_id == Record.id)
        .where(Record.person_id.in_(pids), RecordValue.field.in_(ADDRESS_FIELDS))
    ):
        if owner is not None:
            places[owner].append(value or raw)
    return {pid for pid, ps in places.items() if any(p and matcher(p) for p in ps)}


def person_findings(session: Session, person: PersonView) -> list[dict[str, Any]]:
    """Verification findings on this person's photos or on the rows of their records."""
    photo_ids = [p.item_id for p in person.photos]
    rows = {(r.sha256, r.sheet, r.row) for r in person.records}
    shas = {r.sha256 for r in person.records}
    query = (
        select(FindingRow, FindingItem)
        .join(FindingItem, FindingItem.finding_id == FindingRow.id)
        .where(FindingItem.item_id.in_(photo_ids) | FindingItem.sha256.in_(shas))
    )
    found: dict[int, dict[str, Any]] = {}
    for finding, involved in session.execute(query).all():
        loc = involved.location or {}
        on_photo = involved.item_id in photo_ids
        on_row = (involved.sha256, loc.get("sheet"), loc.get("row")) in rows
        if (on_photo or on_row) and finding.id not in found:
            found[finding.id] = finding.as_dict()
    return list(found.values())
