"""Resident identity numbers (GB 11643): what one says, and what is wrong with it.

An 18-digit number is 6 digits of region (GB/T 2260), 8 of birth date, 3 of sequence (odd
for men) and an ISO 7064 MOD 11-2 check digit (0-9 or X). A 15-digit legacy number (before
1999) is region, a 6-digit birth date in the 1900s and a 3-digit sequence, without a check
digit. Region codes and their history come from python-stdnum's ``cn/loc`` database: a
code retired or introduced later is valid only for the birth years it was in use (Tekes is
652427 before 1984, 654127 from 1984 to 2001, 654027 from 2001).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from stdnum.cn import ric

_ID18 = re.compile(r"^\d{17}[\dX]$")
_ID15 = re.compile(r"^\d{15}$")
_YEARS = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


@dataclass(frozen=True)
class Region:
    code: str
    province: str | None
    county: str | None  # None: the code is not in GB/T 2260 as stdnum knows it
    start: int | None = None  # first year in use (None: always)
    end: int | None = None  # last year in use

    def in_use(self, year: int) -> bool:
        return (self.start is None or year >= self.start) and (self.end is None or year <= self.end)


@dataclass(frozen=True)
class IdProblem:
    """One thing wrong with an ID number; ``code`` is the finding kind."""

    code: str  # id_bad_format | id_bad_checksum | id_bad_date | id_unknown_region | …
    severity: str
    message: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IdInfo:
    """What an ID number encodes (fields are None where the number does not say)."""

    number: str
    legacy: bool
    region: str
    birth_date: date | None
    sex: str | None  # male | female
    county: str | None
    province: str | None


def normalise(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


@lru_cache(maxsize=4096)
def regions(code: str) -> tuple[Region, ...]:
    """Every county ever named by a 6-digit region code, with the years it was in use."""
    from stdnum import numdb

    parts = numdb.get("cn/loc").info(code)
    info = {k: v for _part, props in parts for k, v in props.items()}
    province = info.get("province")
    if "county" not in info:
        return (Region(code, province, None),)
    out: list[Region] = []
    for county in info["county"].split(","):
        m = _YEARS.match(county)
        if m:
            start, end, name = m.groups()
            first, last = (int(start) if start else None), (int(end) if end else None)
            out.append(Region(code, province, name, first, last))
        else:
            out.append(Region(code, province, county))
    return tuple(out)


def _birth_date(number: str) -> date | None:
    digits = number[6:14] if len(number) == 18 else "19" + number[6:12]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def parse_id(text: str) -> IdInfo | None:
    """What a well-formed number encodes; None if it is not 15 or 18 digits (X last)."""
    number = normalise(text)
    if not (_ID18.match(number) or _ID15.match(number)):
        return None
    legacy = len(number) == 15
    born = _birth_date(number)
    seq_digit = int(number[14] if legacy else number[16])
    known = [r for r in regions(number[:6]) if r.county]
    in_use = [r for r in known if born is None or r.in_use(born.year)]
    best: Region | None = (in_use or known or [None])[0]  # type: ignore[list-item]
    return IdInfo(
        number=number,
        legacy=legacy,
        region=number[:6],
        birth_date=born,
        sex="male" if seq_digit % 2 else "female",
        county=best.county if best else None,
        province=best.province if best else regions(number[:6])[0].province,
    )


def check_id_number(text: str, today: date | None = None) -> list[IdProblem]:
    """Everything wrong with an ID number; an empty list if it validates.

    Checks the form, the MOD 11-2 check digit (18 digits), a real birth date not after
    ``today`` (default: no upper bound) and after 1880, and a GB/T 2260 region code in use in
    the birth year.
    """
    number = normalise(text)
    if not (_ID18.match(number) or _ID15.match(number)):
        return [
            IdProblem(
                "id_bad_format",
                "error",
                f"{text!r} is not an ID number: 18 digits (the last may be X) or 15 digits",
                {"number": text, "length": len(number)},
            )
        ]
    problems: list[IdProblem] = []
    if len(number) == 18:
        expected = ric.calc_check_digit(number)
        if number[-1] != expected:
            problems.append(
                IdProblem(
                    "id_bad_checksum",
                    "error",
                    f"the check digit of {number} is {number[-1]}, but ISO 7064 MOD 11-2 over "
                    f"its first 17 digits gives {expected}",
                    {"number": number, "check_digit": number[-1], "expected": expected},
                )
            )
    born = _birth_date(number)
    date_text = number[6:14] if len(number) == 18 else number[6:12]
    if born is None or born.year < 1880 or (today is not None and born > today):
        why = "is not a real date" if born is None else "is not a plausible birth date"
        problems.append(
            IdProblem(
                "id_bad_date",
                "error",
                f"the birth date digits {date_text} of {number} {why}",
                {"number": number, "date_digits": date_text},
            )
        )
    code = number[:6]
    known = [r for r in regions(code) if r.county]
    if not known:
        problems.append(
            IdProblem(
                "id_unknown_region",
                "error",
                f"the region code {code} of {number} is not a GB/T 2260 county code",
                {"number": number, "region": code},
            )
        )
    elif born is not None and not any(r.in_use(born.year) for r in known):
        spans = ", ".join(f"{r.county} {r.start or ''}–{r.end or ''}" for r in known)
        problems.append(
            IdProblem(
                "id_region_not_in_use",
                "warning",
                f"the region code {code} of {number} was not in use in the birth year "
                f"{born.year} (in use: {spans})",
                {"number": number, "region": code, "birth_year": born.year, "in_use": spans},
            )
        )
    return problems
