"""Find a person in a case: by ID number, or by name in any script, ranked and explained.

Names come from the records stage (``person_names``: every spelling a person has in the
sources); matching and blocking from :mod:`guwah.names`. Filters by birth year and county
use the records' values and the region and birth date encoded in the ID number.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import ric

from guwah.names.index import NameIndex
from guwah.records.people import PersonView, get_person, people_by_id_number
from guwah.store.models import FindingItem, FindingRow, PersonName

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
    """An index of every name of every person (built in memory from ``person_names``)."""
    rows = session.execute(select(PersonName.person_id, PersonName.name)).all()
    return NameIndex.build((pid, name) for pid, name in rows)


def find_people(
    session: Session,
    query: str,
    born: int | None = None,
    county: str | None = None,
    limit: int = 10,
    index: NameIndex | None = None,
) -> list[PersonHit]:
    """People matching ``query`` (an ID number or a name), best first, after the filters."""
    hits: list[PersonHit] = []
    if ID_QUERY.match(query):
        number = query.strip().upper()
        for person in people_by_id_number(session, number):
            view = get_person(session, person.id)
            if view is not None:
                hits.append(PersonHit(view, 1.0, f"ID number {number}", number))
    else:
        index = index or name_index(session)
        seen: set[int] = set()
        for key, match in index.search(query, limit=max(50, limit * 10)):
            pid = int(key)  # type: ignore[call-overload]
            if pid in seen:
                continue
            seen.add(pid)
            view = get_person(session, pid)
            if view is None:
                continue
            hits.append(PersonHit(view, match.score, match.explanation, view.name or ""))
    hits = [h for h in hits if _born_in(h.person, born) and _lives_in(h.person, county)]
    hits.sort(key=lambda h: -h.score)
    hits = hits[:limit]
    for hit in hits:
        hit.findings = person_findings(session, hit.person)
    return hits


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


def _born_in(person: PersonView, year: int | None) -> bool:
    if year is None:
        return True
    dates = [person.birth_date or ""]
    if person.id_number and len(person.id_number) == 18:
        dates.append(person.id_number[6:10])
    return any(d.startswith(str(year)) for d in dates if d)


def _lives_in(person: PersonView, county: str | None) -> bool:
    if not county:
        return True
    wanted = county.strip().lower()
    places: list[str] = []
    if person.id_number:
        with suppress(ValueError):  # stdnum's InvalidComponent: a region code it does not know
            places.extend(str(v) for v in ric.get_birth_place(person.id_number).values())
    for record in person.records:
        places.extend(v.value or v.raw for v in record.values if v.field in ADDRESS_FIELDS)
    return any(wanted in p.lower() for p in places if p)
