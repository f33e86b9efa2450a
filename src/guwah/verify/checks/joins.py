"""``joins``: photos and records join by ID number, and one ID means one person.

The authentication of the Xinjiang Police Files rested on photos joining spreadsheet rows:
the ID number in a photo's name is a detainee's in the lists. This check reports what does
not join (photos no record names, detainees on rosters whose photographed fellow detainees
have photos while they have none) and ID numbers the records give to different names or
birth dates.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from guwah.verify.base import Check, register
from guwah.verify.context import CheckContext
from guwah.verify.finding import CheckResult, Finding, Involved
from guwah.verify.records_data import PersonInfo, RecordRow, RecordsData, load, records_ready

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
        out = CheckResult(params={"conflict_fields": list(CONFLICT_FIELDS)})
        self._orphans(data, out)
        self._missing(data, out)
        self._conflicts(data, out)
        return out

    # -- photos with no record -----------------------------------------------------------

    def _orphans(self, data: RecordsData, out: CheckResult) -> None:
        damaged = {
            v.raw.strip()
            for r in data.records
            if (v := r.values.get("id_number")) is not None and v.problem == "id_float"
        }
        damaged_f = {f for f in map(_as_float, damaged) if f is not None}
        by_person: dict[int, list[int]] = defaultdict(list)
        for i, p in enumerate(data.photos):
            by_person[p.person_id].append(i)
        joined = 0
        for pid, idx in sorted(by_person.items()):
            person = data.people.get(pid)
            if person is None:
                continue
            if person.n_records > 0:
                joined += len(idx)
                continue
            photos = [data.photos[i] for i in idx]
            number = photos[0].id_number
            near = _as_float(number) in damaged_f
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
                        f"The ID number {number} in the file name of {len(photos)} photo(s) "
                        f"appears in none of the {len(data.records):,} records. The person "
                        f"may be outside the lists that leaked, or the number in the name is "
                        f"wrong.{note}"
                    ),
                    items=[data.photo_involved(p) for p in photos],
                    values={"id_number": number, "photos": len(photos), "damaged_float": near},
                )
            )
        out.total(
            "photo occurrences with an ID number that join a record", joined, len(data.photos)
        )

    # -- detainees with no photo ---------------------------------------------------------

    def _missing(self, data: RecordsData, out: CheckResult) -> None:
        by_person: dict[int, list[RecordRow]] = defaultdict(list)
        for r in data.records:
            if r.person_id is not None:
                by_person[r.person_id].append(r)
        detainee_sheets: dict[int, list[int]] = defaultdict(list)  # sheet → detainees
        detention_rows: dict[int, list[RecordRow]] = {}
        for pid, recs in by_person.items():
            person = data.people.get(pid)
            if person is None or not person.detained:
                continue
            rows = [r for r in recs if _detention_row(r)]
            detention_rows[pid] = rows
            for sid in {r.sheet_id for r in rows}:
                detainee_sheets[sid].append(pid)
        photographed_sheet = {
            sid
            for sid, pids in detainee_sheets.items()
            if any(data.people[p].n_photos for p in pids)
        }
        n = with_photo = no_id = unphotographed_roster = 0
        for pid in sorted(detention_rows):
            person = data.people[pid]
            n += 1
            if person.n_photos:
                with_photo += 1
                continue
            if not person.id_number:
                no_id += 1
                continue
            rosters = {r.sheet_id for r in detention_rows[pid]}
            if not rosters & photographed_sheet:
                unphotographed_roster += 1
                continue
            out.findings.append(self._missing_finding(data, person, by_person[pid], rosters))
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
        recs_by_id = {r.id: r for r in data.records}
        by_person: dict[int, list[RecordRow]] = defaultdict(list)
        for r in data.records:
            if r.person_id is not None:
                by_person[r.person_id].append(r)
        n_ids = sum(1 for p in data.people.values() if p.id_number and p.n_records)
        fields: Counter[str] = Counter()
        n_conf = 0
        for person in sorted(data.people.values(), key=lambda p: p.id):
            if not person.id_number:
                continue
            conflicts = {f: person.conflicts[f] for f in CONFLICT_FIELDS if f in person.conflicts}
            if not conflicts:
                continue
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
            others = [r for r in by_person.get(person.id, []) if r.id not in in_conflict]
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


#: as the records stage decides who is detained
DETENTION_FIELDS = ("detention_date", "release_date", "facility", "reason")


def _detention_row(rec: RecordRow) -> bool:
    return any(rec.get(f) for f in DETENTION_FIELDS)


def _as_float(text: str) -> float | None:
    try:
        return float(text.replace("X", ""))
    except ValueError:
        return None
