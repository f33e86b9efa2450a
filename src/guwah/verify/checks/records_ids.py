"""``record_ids``: the resident ID numbers in the records validate (GB 11643, GB/T 2260), and
numbers damaged by a spreadsheet (stored as floats) are reported as such."""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from operator import itemgetter

from sqlalchemy import func, select

from guwah.store.models import Person
from guwah.verify import scratch
from guwah.verify.base import Check, register
from guwah.verify.context import CheckContext
from guwah.verify.finding import CheckResult, Finding
from guwah.verify.idnumbers import LATER, IdProblem, check_id_number, parse_id
from guwah.verify.records_data import (
    RECORD_COLUMNS,
    PhotoRef,
    RecordRow,
    RecordsData,
    day_of,
    load,
    record_of,
    records_ready,
)

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
        out = ctx.result(params={"source": "python-stdnum cn.ric / cn/loc"})
        conn, t, ph = data.conn, scratch.records, scratch.photos
        last_photo = (
            select(ph.c.id_number.label("number"), func.max(ph.c.time).label("last"))
            .where(ph.c.time.is_not(None))
            .group_by(ph.c.id_number)
            .subquery()
        )
        rows = scratch.stream(
            conn,
            select(t.c.id_value, last_photo.c.last, *RECORD_COLUMNS)
            .outerjoin(last_photo, last_photo.c.number == t.c.id_value)
            .where(t.c.id_value.is_not(None), t.c.id_value != "", t.c.id_float_raw.is_(None))
            .order_by(scratch.binary(conn, t.c.id_value), t.c.rid),
        )
        today = ctx.received.date() if ctx.received else None
        n = valid = legacy = later = n_readable = 0
        regions: Counter[str] = Counter()
        for number, group in groupby(rows, key=itemgetter(0)):
            raw_rows = list(group)  # decoded only for a finding
            last = raw_rows[0][1]
            n += 1
            n_readable += len(raw_rows)
            problems = check_id_number(number, today=today, seen=day_of(last) or today)
            legacy += len(number) == 15
            later += any(p.code == LATER for p in problems)
            problems = [p for p in problems if p.code != LATER]
            if not problems:
                valid += 1
                info = parse_id(number)
                regions[f"{number[:6]} {info.county if info and info.county else '?'}"] += 1
            if problems:
                recs = [record_of(row[2:]) for row in raw_rows]
                photos = list(data.photos(ph.c.id_number == number))
                for problem in problems:
                    out.findings.append(self._finding(data, number, problem, recs, photos))
        n_damaged = 0
        damaged = scratch.stream(
            conn,
            select(t.c.id_float_raw, *RECORD_COLUMNS)
            .where(t.c.id_float_raw.is_not(None))
            .order_by(scratch.binary(conn, t.c.id_float_raw), t.c.rid),
        )
        for raw, group in groupby(damaged, key=itemgetter(0)):
            recs = [record_of(row[1:]) for row in group]
            n_damaged += len(recs)
            out.findings.append(self._damaged(data, raw, recs))
        n_with = int(conn.scalar(select(func.count()).select_from(t).where(t.c.has_id)) or 0)
        out.total("distinct ID numbers in the records valid", valid, n)
        out.total("records with a readable ID number", n_readable, n_with)
        out.total("records whose ID number was damaged (stored as a float)", n_damaged, n_with)
        out.total("distinct record ID numbers in the 15-digit legacy form", legacy, n)
        out.total(
            "distinct record ID numbers whose region code came into use after the birth "
            "(assigned later: normal)",
            later,
            n,
        )
        out.total("records with an ID number", n_with, data.n_records)
        out.distributions["Valid record ID numbers by region code"] = [
            [k, v] for k, v in regions.most_common()
        ]
        cell_problem = func.coalesce(func.nullif(t.c.id_problem, ""), "none")
        seen = conn.execute(
            select(cell_problem, func.count(), func.min(t.c.rid))
            .where(t.c.has_id)
            .group_by(cell_problem)
        ).all()
        # counts first, ties in the order the problems first occur (Counter.most_common)
        out.distributions["ID cells by records-stage problem"] = [
            [k, int(v)] for k, v, _first in sorted(seen, key=lambda r: (-r[1], r[2]))
        ]
        if not data.n_records:
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
        pids = sorted({r.person_id for r in recs if r.person_id is not None})
        joined = sorted(
            {n for n in data.conn.scalars(select(Person.id_number).where(Person.id.in_(pids))) if n}
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
