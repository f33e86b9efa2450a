"""``joins``: photos and records join by ID number, and one ID means one person.

The authentication of the Xinjiang Police Files rested on photos joining spreadsheet rows:
the ID number in a photo's name is a detainee's in the lists. This check reports what does
not join (photos no record names, detainees on rosters whose photographed fellow detainees
have photos while they have none) and ID numbers the records give to different names or
birth dates.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import exists, func, select

from guwah.store.models import Person
from guwah.verify import scratch
from guwah.verify.base import Check, register
from guwah.verify.context import CheckContext
from guwah.verify.finding import CheckResult, Finding, Involved
from guwah.verify.records_data import (
    PHOTO_COLUMNS,
    PersonInfo,
    RecordRow,
    RecordsData,
    _as_float,
    load,
    photo_of,
    records_ready,
)

#: the fields whose disagreement under one ID number is an id_conflict
CONFLICT_FIELDS = ("name", "birth_date", "sex")
FIELD_WORDS = {"name": "names", "birth_date": "birth dates", "sex": "sexes"}


@register
class JoinsCheck(Check):
    name = "joins"
    title = "Photos and records joined by ID number"
    compares = (
        "The 18-character ID numbers in photo file names against the ID numbers in the records "
        "(after the records stage's people resolution): a photo whose ID no record holds is an "
        "orphan; a detainee (a record with a detention date, facility, reason or release date) "
        "with an ID number but no photo is missing one when other detainees of the same roster "
        "sheet have photos. Every ID number held by records with different names, birth dates "
        "or sexes (the records stage's people.conflicts)."
    )
    why = (
        "Photos that join detainee rows tie the two halves of a leak together: a fabricated "
        "photo set would not match thousands of independent rows. Photos of people in no list "
        "may be of people the leaked lists do not cover; a detainee unphotographed on a roster "
        "where the others were photographed is a gap to explain. One ID number under two names "
        "or birth dates means a row was mistyped, altered or copied onto another person."
    )
    kinds = {
        "orphan_photo": "a photo's ID number appears in no record (info)",
        "missing_photo": "a detainee on a photographed roster has no photo (warning)",
        "id_conflict": "one ID number with several names, birth dates or sexes (warning)",
    }
    requires = "records"

    def ready(self, ctx: CheckContext) -> str | None:
        return records_ready(ctx)

    def run(self, ctx: CheckContext) -> CheckResult:
        data = load(ctx)
        out = ctx.result(params={"conflict_fields": list(CONFLICT_FIELDS)})
        self._orphans(data, out)
        self._missing(data, out)
        self._conflicts(data, out)
        return out

    # -- photos with no record -----------------------------------------------------------

    def _orphans(self, data: RecordsData, out: CheckResult) -> None:
        ph = scratch.photos
        rows = scratch.stream(
            data.conn,
            select(Person.n_records, *PHOTO_COLUMNS)
            .join(Person, Person.id == ph.c.person_id)
            .order_by(ph.c.person_id, ph.c.seq),
        )
        joined = 0
        for _pid, group in groupby(rows, key=itemgetter(1)):
            photos = [(r[0], photo_of(r[1:])) for r in group]
            if photos[0][0] > 0:
                joined += len(photos)
                continue
            refs = [p for _n, p in photos]
            number = refs[0].id_number
            f = _as_float(number)
            near = (
                f is not None
                and data.conn.scalar(
                    select(scratch.damaged.c.f).where(scratch.damaged.c.f == f).limit(1)
                )
                is not None
            )
            note = (
                " A record holds this number as a damaged float (digits lost): it may be that "
                "record's person."
                if near
                else ""
            )
            out.findings.append(
                Finding(
                    check=self.name,
                    kind="orphan_photo",
                    severity="info",
                    title="Photo whose ID number is in no record",
                    explanation=(
                        f"The ID number {number} in the file name of {len(refs)} photo(s) "
                        f"appears in none of the {data.n_records:,} records. The person "
                        f"may be outside the lists that leaked, or the number in the name is "
                        f"wrong.{note}"
                    ),
                    items=[data.photo_involved(p) for p in refs],
                    values={"id_number": number, "photos": len(refs), "damaged_float": near},
                )
            )
        out.total("photo occurrences with an ID number that join a record", joined, data.n_photos)

    # -- detainees with no photo ---------------------------------------------------------

    def _missing(self, data: RecordsData, out: CheckResult) -> None:
        conn, t = data.conn, scratch.records
        # the rosters (sheets) on which a detainee with a detention row has photos
        photographed_sheet = set(
            conn.scalars(
                select(t.c.sheet_id)
                .join(Person, Person.id == t.c.person_id)
                .where(t.c.detention_row, Person.detained, Person.n_photos > 0)
                .distinct()
            )
        )
        detainees = scratch.stream(
            conn,
            select(Person.id, Person.id_number, Person.name, Person.n_photos)
            .where(Person.detained, exists().where(t.c.person_id == Person.id))
            .order_by(Person.id),
        )
        rosters_of = scratch.stream(
            conn,
            select(t.c.person_id, t.c.sheet_id)
            .join(Person, Person.id == t.c.person_id)
            .where(t.c.detention_row, Person.detained)
            .order_by(t.c.person_id, t.c.rid),
        )
        n = with_photo = no_id = unphotographed_roster = 0
        roster = next(rosters_of, None)
        for pid, id_number, name, n_photos in detainees:
            rosters: set[int] = set()
            while roster is not None and roster[0] < pid:
                roster = next(rosters_of, None)
            while roster is not None and roster[0] == pid:
                rosters.add(roster[1])
                roster = next(rosters_of, None)
            n += 1
            if n_photos:
                with_photo += 1
                continue
            if not id_number:
                no_id += 1
                continue
            if not rosters & photographed_sheet:
                unphotographed_roster += 1
                continue
            person = PersonInfo(pid, id_number, name, True, 0, n_photos, {})
            out.findings.append(
                self._missing_finding(data, person, data.person_records(pid), rosters)
            )
        rosters_of.close()  # its last rows may be unread: end the statement
        out.total("detainees with a photo", with_photo, n)
        if no_id:
            out.notes.append(
                f"{no_id} detainee(s) without a usable ID number cannot be joined to photos"
            )
        if unphotographed_roster:
            out.notes.append(
                f"{unphotographed_roster} detainee(s) without photos are on rosters where no "
                "detainee has a photo (photos of that roster probably did not leak): not reported"
            )

    def _missing_finding(
        self, data: RecordsData, person: PersonInfo, recs: list[RecordRow], rosters: set[int]
    ) -> Finding:
        names = sorted({data.sheets[s].name for s in rosters if s in data.sheets})
        return Finding(
            check=self.name,
            kind="missing_photo",
            severity="warning",
            title="Detainee with no photo",
            explanation=(
                f"{person.name or 'A person'} (ID {person.id_number}) is listed as detained "
                f"(sheet {', '.join(names)}) but no photo carries the ID number, while other "
                "detainees of the same roster were photographed. The photo may be missing from "
                "the leak, filed under another number, or the person was never photographed."
            ),
            items=[data.involved(r, "id_number") for r in recs],
            values={"id_number": person.id_number, "name": person.name, "records": len(recs)},
        )

    # -- one ID, several people ----------------------------------------------------------

    def _conflicts(self, data: RecordsData, out: CheckResult) -> None:
        n_ids = int(
            data.conn.scalar(
                select(func.count())
                .select_from(Person)
                .where(Person.id_number.is_not(None), Person.id_number != "", Person.n_records > 0)
            )
            or 0
        )
        fields: Counter[str] = Counter()
        n_conf = 0
        people = scratch.stream(
            data.conn,
            select(Person.id, Person.id_number, Person.conflicts)
            .where(Person.id_number.is_not(None), Person.id_number != "")
            .order_by(Person.id),
        )
        for pid, id_number, person_conflicts in people:
            person = _Person(pid, id_number, person_conflicts or {})
            conflicts = {f: person.conflicts[f] for f in CONFLICT_FIELDS if f in person.conflicts}
            if not conflicts:
                continue
            wanted = sorted(
                {rid for groups in conflicts.values() for g in groups for rid in g["records"]}
            )
            recs_by_id = data.records_by_id(wanted)
            n_conf += 1
            fields.update(conflicts.keys())
            items: list[Involved] = []
            seen: set[tuple[int, str]] = set()
            parts = []
            for f, groups in conflicts.items():
                vals = []
                for g in groups:
                    vals.append(f"{g['value']} ({len(g['records'])} record(s))")
                    for rid in g["records"]:
                        rec = recs_by_id.get(rid)
                        if rec is not None and (rid, f) not in seen:
                            seen.add((rid, f))
                            items.append(data.involved(rec, f))
                parts.append(f"{FIELD_WORDS[f]} {', '.join(vals)}")
            in_conflict = {rid for rid, _f in seen}
            others = [r for r in data.person_records(person.id) if r.id not in in_conflict]
            items += [data.involved(r, "id_number", role="same ID number") for r in others]
            out.findings.append(
                Finding(
                    check=self.name,
                    kind="id_conflict",
                    severity="warning",
                    title="One ID number, several people",
                    explanation=(
                        f"The ID number {person.id_number} is given in the records with "
                        f"different {'; '.join(parts)}. An ID number belongs to one person: "
                        "a row was mistyped, altered or copied onto someone else."
                    ),
                    items=items,
                    values={
                        "id_number": person.id_number,
                        **{f: [g["value"] for g in groups] for f, groups in conflicts.items()},
                    },
                )
            )
        out.total(
            "ID numbers in the records without conflicting names, birth dates or sexes",
            n_ids - n_conf,
            n_ids,
        )
        out.distributions["ID conflicts by field"] = [[k, v] for k, v in fields.most_common()]


@dataclass
class _Person:
    id: int
    id_number: str
    conflicts: dict[str, Any]
