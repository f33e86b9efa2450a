"""Resident identity numbers (GB 11643): what one says, and what is wrong with it.

The form, check digit and region table are ``guwah.gb11643``'s. The region code is the county
of permanent residence when the number was assigned, not at birth, and a number keeps its code
when the county is re-coded: a code is wrong only if it was in use at no time between the
birth and the date the number was seen (a code retired before the birth, or created after
the photo or the leak). A code created after the birth is normal; it is reported as an
``info`` note (the number was assigned later), never as a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from guwah.gb11643 import Region, check_digit, is_id_form, normalise, regions

#: the info note of a number assigned after its birth year: counted, never a finding
LATER = "id_region_assigned_later"

__all__ = [
    "LATER",
    "IdInfo",
    "IdProblem",
    "Region",
    "check_id_number",
    "normalise",
    "parse_id",
    "regions",
]


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


def _birth_date(number: str) -> date | None:
    digits = number[6:14] if len(number) == 18 else "19" + number[6:12]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def parse_id(text: str) -> IdInfo | None:
    """What a well-formed number encodes; None if it is not 15 or 18 digits (X last)."""
    number = normalise(text)
    if not is_id_form(number):
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


def check_id_number(
    text: str, today: date | None = None, seen: date | None = None
) -> list[IdProblem]:
    """Everything wrong with an ID number; an empty list if it validates.

    Checks the form, the MOD 11-2 check digit (18 digits), a real birth date not after
    ``today`` (default: no upper bound) and after 1880, and a GB/T 2260 region code in use at
    some time between the birth and ``seen`` (the date of the photo or record; default
    ``today``, else no upper bound). A code that came into use only after the birth year is
    returned as an ``info`` problem (``id_region_assigned_later``): normal, not a finding.
    """
    number = normalise(text)
    if not is_id_form(number):
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
        expected = check_digit(number)
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
        born = None
    region = region_problem(number, born, seen or today)
    if region is not None:
        problems.append(region)
    return problems


def region_problem(number: str, born: date | None, seen: date | None) -> IdProblem | None:
    """The region code against its years of use (GB 11643-1999 § 5.2: the county when the
    number was assigned, which is after the birth and before ``seen``)."""
    code = number[:6]
    known = [r for r in regions(code) if r.county]
    if not known:
        return IdProblem(
            "id_unknown_region",
            "error",
            f"the region code {code} of {number} is not a GB/T 2260 county code",
            {"number": number, "region": code},
        )
    if born is None:
        return None
    last = seen.year if seen is not None else max(born.year, date.today().year)
    spans = ", ".join(f"{r.county} {r.span}" for r in known)
    values = {"number": number, "region": code, "birth_year": born.year, "in_use": spans}
    if not any(r.in_use_between(born.year, last) for r in known):
        until = f"the number was seen in {last}" if seen is not None else "today"
        return IdProblem(
            "id_region_not_in_use",
            "warning",
            f"the region code {code} of {number} was in use at no time between the birth year "
            f"{born.year} and {until} (in use: {spans}), so no number with it could have "
            "been assigned to this person",
            {**values, "seen_year": last},
        )
    if not any(r.in_use(born.year) for r in known):
        first = min(r.start or born.year for r in known if r.in_use_between(born.year, last))
        return IdProblem(
            LATER,
            "info",
            f"the region code {code} of {number} came into use in {first}, after the birth "
            f"year {born.year}: the number was assigned after {first} (in use: {spans})",
            values,
        )
    return None
