"""``record_ids``: the resident ID numbers in the records validate (GB 11643, GB/T 2260), and
numbers damaged by a spreadsheet (stored as floats) are reported as such."""

from __future__ import annotations

from collections import Counter, defaultdict

from guwah.verify.base import Check, register
from guwah.verify.context import CheckContext
from guwah.verify.finding import CheckResult, Finding
from guwah.verify.idnumbers import LATER, IdProblem, check_id_number, parse_id
from guwah.verify.records_data import PhotoRef, RecordRow, RecordsData, load, records_ready

TITLES = {
    "id_bad_format": "ID number in the records is not 18 or 15 digits",
    "id_bad_checksum": "ID number in the records fails its check digit",
    "id_bad_date": "ID number in the records encodes no real birth date",
    "id_unknown_region": "ID number in the records has an unknown region code",
    "id_region_not_in_use": "ID number's region code was in use at no time in its holder's life",
    "id_damaged": "ID number stored as a floating-point number: digits may be lost",
}


@register
class RecordIdsCheck(Check):
    name = "record_ids"
    title = "Resident ID numbers in the records"
    compares = (
        "Every ID number in the records' ID columns against the GB 11643 rules: the ISO 7064 "
        "MOD 11-2 check digit (18 digits), a real birth date, and a GB/T 2260 region code in "
        "use at some time between the birth and the person's last photo or the leak's date "
        "(the code is the county when the number was assigned, GB 11643-1999 § 5.2; "
        "python-stdnum's code history; 15-digit legacy numbers have no check digit). Cells the records stage read as floating-point numbers "
        "(6.53121199001011e+17) are reported as damaged, never repaired."
    )
    why = (
        "A detainee list produced by a police system holds ID numbers the system validated; "
        "numbers that fail were mistyped or invented. A number that went through a float has "
        "lost its last digits: it cannot identify anyone by itself, and the row is joined to a "
        "person only by name."
    )
    kinds = {
        "id_bad_checksum": "the check digit is wrong (error)",
        "id_bad_date": "the birth-date digits are not a real date (error)",
        "id_unknown_region": "the region code is not a GB/T 2260 code (error)",
        "id_region_not_in_use": "the region code was in use at no time between the birth and the "
        "photo or leak date, e.g. retired before the birth (warning)",
        "id_bad_format": "not 18 digits (X last) or 15 digits (error)",
        "id_damaged": "stored as a float by a spreadsheet: digits may be lost (warning)",
    }
    requires = "records"

    def ready(self, ctx: CheckContext) -> str | None:
        return records_ready(ctx)

    def run(self, ctx: CheckContext) -> CheckResult:
        data = load(ctx)
        out = CheckResult(params={"source": "python-stdnum cn.ric / cn/loc"})
        by_number: dict[str, list[RecordRow]] = defaultdict(list)
        damaged: dict[str, list[RecordRow]] = defaultdict(list)
        n_with = 0
        for rec in data.records:
            v = rec.values.get("id_number")
            if v is None:
                continue
            n_with += 1
            if v.problem == "id_float":
                damaged[v.raw.strip()].append(rec)
            elif v.value:
                by_number[v.value].append(rec)
        photos = data.photos_by_id()
        today = ctx.received.date() if ctx.received else None
        valid = legacy = later = 0
        regions: Counter[str] = Counter()
        for number, recs in sorted(by_number.items()):
            times = [p.time.date() for p in photos.get(number, []) if p.time is not None]
            problems = check_id_number(number, today=today, seen=max(times, default=today))
            legacy += len(number) == 15
            later += any(p.code == LATER for p in problems)
            problems = [p for p in problems if p.code != LATER]
            if not problems:
                valid += 1
                info = parse_id(number)
                regions[f"{number[:6]} {info.county if info and info.county else '?'}"] += 1
            for problem in problems:
                out.findings.append(
                    self._finding(data, number, problem, recs, photos.get(number, []))
                )
        for raw, recs in sorted(damaged.items()):
            out.findings.append(self._damaged(data, raw, recs))
        n = len(by_number)
        out.total("distinct ID numbers in the records valid", valid, n)
        out.total("records with a readable ID number", sum(map(len, by_number.values())), n_with)
        out.total(
            "records whose ID number was damaged (stored as a float)",
            sum(map(len, damaged.values())),
            n_with,
        )
        out.total("distinct record ID numbers in the 15-digit legacy form", legacy, n)
        out.total(
            "distinct record ID numbers whose region code came into use after the birth "
            "(assigned later: normal)",
            later,
            n,
        )
        out.total("records with an ID number", n_with, len(data.records))
        out.distributions["Valid record ID numbers by region code"] = [
            [k, v] for k, v in regions.most_common()
        ]
        problems_seen = Counter(
            rec.values["id_number"].problem or "none"
            for rec in data.records
            if "id_number" in rec.values
        )
        out.distributions["ID cells by records-stage problem"] = [
            [k, v] for k, v in problems_seen.most_common()
        ]
        if not data.records:
            out.notes.append("the records stage found no records in this case")
        return out

    def _finding(
        self,
        data: RecordsData,
        number: str,
        problem: IdProblem,
        recs: list[RecordRow],
        photos: list[PhotoRef],
    ) -> Finding:
        items = [data.involved(r, "id_number") for r in recs]
        items += [data.photo_involved(p) for p in photos]
        n_files = len({r.item_id for r in recs})
        also = f" and names {len(photos)} photo(s)" if photos else ""
        return Finding(
            check=self.name,
            kind=problem.code,
            severity="error" if problem.severity == "error" else "warning",
            title=TITLES.get(problem.code, "Invalid ID number in the records"),
            explanation=(
                f"{problem.message}. It appears in {len(recs)} record(s) in {n_files} "
                f"file(s){also}."
            ),
            items=items,
            values={"id_number": number, **problem.values, "records": len(recs)},
        )

    def _damaged(self, data: RecordsData, raw: str, recs: list[RecordRow]) -> Finding:
        joined = sorted(
            {
                data.people[r.person_id].id_number or ""
                for r in recs
                if r.person_id in data.people and data.people[r.person_id].id_number
            }
        )
        how = (
            f" The records stage joined the row(s) by name to the person with ID {', '.join(joined)}."
            if joined
            else " No person with that number and name was found: the row stands alone."
        )
        return Finding(
            check=self.name,
            kind="id_damaged",
            severity="warning",
            title=TITLES["id_damaged"],
            explanation=(
                f"The ID cell holds {raw!r}, a floating-point number: a spreadsheet keeps only "
                f"15 significant digits, so the last digits of the 18-digit number (and its "
                f"check digit) are lost and cannot be verified.{how}"
            ),
            items=[data.involved(r, "id_number") for r in recs],
            values={"raw": raw, "records": len(recs), "joined_to": joined},
        )
