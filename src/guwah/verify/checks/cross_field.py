"""``cross_field``: what an ID number encodes agrees with what its record says.

An 18-digit number encodes the birth date, the sex (17th digit odd: male) and the county of
first registration (GB/T 2260). The record beside it states a birth date, a sex, an address
and sometimes an age; a genuine register, filled from the ID system, agrees with itself.
"""

from __future__ import annotations

import pickle
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter

from sqlalchemy import func, select

from guwah.gb11643 import regions, same_place
from guwah.verify import scratch
from guwah.verify.base import Check, register
from guwah.verify.context import CheckContext
from guwah.verify.finding import CheckResult, Finding, Involved
from guwah.verify.idnumbers import IdInfo, parse_id
from guwah.verify.records_data import (
    ADDRESS_FIELDS,
    RECORD_COLUMNS,
    RecordRow,
    RecordsData,
    counties_in,
    day_of,
    load,
    record_of,
    records_ready,
)

#: recorded age vs the age the ID's birth date gives at the person's photo date: the date the
#: age was written is unknown, so one year either way is tolerated
AGE_TOLERANCE_YEARS = 1
SEX_WORDS = {"male": "male", "female": "female"}


@dataclass
class Mismatch:
    rec: RecordRow
    field: str | None
    recorded: str
    expected: str
    note: str = ""


def age_on(born: date, when: date) -> int:
    return when.year - born.year - ((when.month, when.day) < (born.month, born.day))


def id_county_names(info: IdInfo) -> set[str]:
    """Every county name the ID's region code, and every other code of the same county, has
    had: old and new codes are one place (Tekes is 652427 before 1984, 654127 until 2001 and
    654027 since, all 特克斯县; ``guwah.gb11643.same_place``)."""
    return {r.county for code in same_place(info.region) for r in regions(code) if r.county}


@register
class CrossFieldCheck(Check):
    name = "cross_field"
    title = "ID numbers against their records"
    compares = (
        "For every record with a well-formed ID number: the birth date it encodes against the "
        "recorded birth date (a partial date compared as far as it goes); the sex of its 17th "
        "digit (15-digit: last digit; odd is male) against the recorded sex; the county name of "
        "its region code (every name python-stdnum's code history gives it, so historical "
        "codes such as Tekes 652427/654127 count as Tekes) against the county named in the "
        "household address, current address or county column, else in the sheet's title or "
        "the file's path; and the recorded age against the age the ID's birth date gives on "
        f"the person's earliest photo (tolerance {AGE_TOLERANCE_YEARS} year)."
    )
    why = (
        "Registers exported from the police and household-registration systems copy birth "
        "date, sex and home county from the ID number, so genuine rows agree with it. A row "
        "that disagrees was typed by hand, altered, or belongs to someone else. A different "
        "county can also mean a person registered elsewhere who moved: look at the address."
    )
    kinds = {
        "id_birthdate_mismatch": "the recorded birth date is not the one the ID encodes (warning)",
        "id_sex_mismatch": "the recorded sex is not the one the ID's sex digit encodes (warning)",
        "id_region_mismatch": "the ID's county is not the county of the address (warning)",
        "age_mismatch": "the recorded age disagrees with the ID's birth date at the photo date "
        "(warning)",
    }
    requires = "records"

    def ready(self, ctx: CheckContext) -> str | None:
        return records_ready(ctx)

    def run(self, ctx: CheckContext) -> CheckResult:
        data = load(ctx)
        out = ctx.result(
            params={
                "age_tolerance_years": AGE_TOLERANCE_YEARS,
                "county_names": "python-stdnum cn/loc, all eras",
            }
        )
        conn, t, ph = data.conn, scratch.records, scratch.photos
        first_photo = (
            select(ph.c.person_id.label("pid"), func.min(ph.c.time).label("first"))
            .where(ph.c.time.is_not(None))
            .group_by(ph.c.person_id)
            .subquery()
        )
        rows = scratch.stream(
            conn,
            select(t.c.id_value, first_photo.c.first, *RECORD_COLUMNS)
            .outerjoin(first_photo, first_photo.c.pid == t.c.person_id)
            .where(t.c.id_value.is_not(None), t.c.id_value != "")
            .order_by(scratch.binary(conn, t.c.id_value), t.c.rid),
        )
        scratch.create(conn, scratch.pending)
        held = scratch.Batch(conn, scratch.pending, 500)
        seq = 0
        n = Counter[str]()
        agree = Counter[str]()
        county_source: Counter[str] = Counter()
        for number, group in groupby(rows, key=itemgetter(0)):
            info = parse_id(number)
            if info is None:
                continue
            same_id: list[RecordRow] = []
            found: dict[str, list[Mismatch]] = defaultdict(list)
            for row in group:
                rec = record_of(row[2:])
                same_id.append(rec)
                when = day_of(row[1])
                for kind, m in self._compare(data, rec, info, when, n, agree, county_source):
                    found[kind].append(m)
            for kind, ms in sorted(found.items()):
                seq += 1
                held.add(
                    {
                        "seq": seq,
                        "key": kind,
                        "finding": pickle.dumps(self._finding(data, kind, number, ms, same_id)),
                    }
                )
        held.flush()
        # stored by kind, then ID number, as the in-memory check wrote them (the report
        # lists a check's findings of one severity in that order)
        p = scratch.pending
        for (blob,) in scratch.stream(conn, select(p.c.finding).order_by(p.c.key, p.c.seq)):
            out.findings.append(pickle.loads(blob))
        scratch.drop(conn, p)
        labels = {
            "birth_date": "records whose birth date agrees with their ID number",
            "sex": "records whose sex agrees with their ID number's sex digit",
            "county": "records whose county agrees with their ID number's region",
            "age": "records whose age agrees with their ID number at the photo date",
        }
        for key, label in labels.items():
            out.total(label, agree[key], n[key])
        out.distributions["Where the county compared with the ID comes from"] = [
            [k, v] for k, v in county_source.most_common()
        ]
        return out

    # -- comparisons ---------------------------------------------------------------------

    def _compare(
        self,
        data: RecordsData,
        rec: RecordRow,
        info: IdInfo,
        when: date | None,
        n: Counter[str],
        agree: Counter[str],
        county_source: Counter[str],
    ) -> list[tuple[str, Mismatch]]:
        out: list[tuple[str, Mismatch]] = []
        born = info.birth_date
        recorded_birth = rec.get("birth_date")
        if born is not None and recorded_birth:
            n["birth_date"] += 1
            if born.isoformat().startswith(recorded_birth):
                agree["birth_date"] += 1
            else:
                out.append(
                    (
                        "id_birthdate_mismatch",
                        Mismatch(rec, "birth_date", recorded_birth, born.isoformat()),
                    )
                )
        sex = rec.get("sex")
        if sex in SEX_WORDS and info.sex:
            n["sex"] += 1
            if sex == info.sex:
                agree["sex"] += 1
            else:
                digit = info.number[14] if info.legacy else info.number[16]
                out.append(
                    (
                        "id_sex_mismatch",
                        Mismatch(rec, "sex", sex, info.sex, f"sex digit {digit}"),
                    )
                )
        names = id_county_names(info)
        if names:
            place = self._county(data, rec)
            if place is not None:
                counties, field_name, source = place
                n["county"] += 1
                county_source[source] += 1
                if names & set(counties):
                    agree["county"] += 1
                else:
                    out.append(
                        (
                            "id_region_mismatch",
                            Mismatch(
                                rec,
                                field_name,
                                counties[0],
                                " / ".join(sorted(names)),
                                source,
                            ),
                        )
                    )
        age = rec.get("age")
        if age and age.isdigit() and born is not None and when is not None:
            n["age"] += 1
            expected = age_on(born, when)
            if abs(int(age) - expected) <= AGE_TOLERANCE_YEARS:
                agree["age"] += 1
            else:
                out.append(
                    (
                        "age_mismatch",
                        Mismatch(rec, "age", age, str(expected), f"photo {when.isoformat()}"),
                    )
                )
        return out

    @staticmethod
    def _county(data: RecordsData, rec: RecordRow) -> tuple[list[str], str | None, str] | None:
        """The county names the record states: (names, field, where from)."""
        names: list[str] = []
        first_field: str | None = None
        for f in ADDRESS_FIELDS:
            found = counties_in(rec.get(f))
            if found and first_field is None:
                first_field = f
            names += [c for c in found if c not in names]
        if names:
            return names, first_field, first_field or ""
        sheet = data.sheets.get(rec.sheet_id)
        if sheet is not None:
            for text, source in ((sheet.title, "sheet title"), (sheet.name, "sheet name")):
                found = counties_in(text)
                if found:
                    return found[:1], None, source
        path = data.items.get(rec.item_id, ("", None))[1]
        found = counties_in(path)
        if found:
            return found[-1:], None, "file path"
        return None

    # -- findings ------------------------------------------------------------------------

    def _finding(
        self,
        data: RecordsData,
        kind: str,
        number: str,
        ms: list[Mismatch],
        same_id: list[RecordRow],
    ) -> Finding:
        items: list[Involved] = [data.involved(m.rec, m.field) for m in ms]
        flagged = {m.rec.id for m in ms}
        # the number's other records (agreeing, or not stating the field): context
        others = [r for r in same_id if r.id not in flagged]
        items += [data.involved(r, "id_number", role="same ID number") for r in others]
        recorded = sorted({m.recorded for m in ms})
        expected = ms[0].expected
        rows = f"{len(ms)} record(s)"
        if kind == "id_birthdate_mismatch":
            title = "Recorded birth date disagrees with the ID number"
            text = (
                f"ID {number} encodes the birth date {expected}, but {rows} say "
                f"{', '.join(recorded)}."
            )
        elif kind == "id_sex_mismatch":
            title = "Recorded sex disagrees with the ID number"
            text = (
                f"ID {number} encodes {expected} ({ms[0].note}: odd is male, even female), "
                f"but {rows} say {', '.join(recorded)}."
            )
        elif kind == "id_region_mismatch":
            title = "ID number's county is not the address county"
            sources = sorted({m.note for m in ms})
            text = (
                f"The region code {number[:6]} of ID {number} is {expected} (GB/T 2260, every "
                f"name the code has had), but {rows} place the person in "
                f"{', '.join(recorded)} (from the {', '.join(sources)}). The ID region is the "
                "county of first registration: a person who moved keeps it, so check the "
                "address before concluding the number is wrong."
            )
        else:
            title = "Recorded age disagrees with the ID number at the photo date"
            text = (
                f"ID {number} gives age {expected} on the person's first photo "
                f"({ms[0].note.removeprefix('photo ')}), but {rows} say {', '.join(recorded)} "
                f"(tolerance {AGE_TOLERANCE_YEARS} year)."
            )
        if others:
            text += (
                f" The number is also in {len(others)} other record(s) that do not disagree "
                "(listed as 'same ID number')."
            )
        return Finding(
            check=self.name,
            kind=kind,
            severity="warning",
            title=title,
            explanation=text,
            items=items,
            values={
                "id_number": number,
                "expected": expected,
                "recorded": recorded,
                "records": len(ms),
            },
        )
