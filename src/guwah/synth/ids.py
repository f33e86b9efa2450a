"""Resident identity numbers (GB 11643) as they are really assigned, with region codes from
python-stdnum's GB/T 2260 table (``guwah.gb11643``).

The region code is the county's code *when the number was assigned*, and numbers do not change
when a county is re-coded (GB 11643-1999 § 5.2). People born before the first ID cards (1984)
got theirs in the first campaign (1984–1990) or, when they re-registered later, after it; the
young are numbered at birth. So most older residents of Tekes carry Ili's 654127 (1984–2001),
some the current 654027, and those born since 2001 654027.
"""

from __future__ import annotations

import random
from datetime import date

from guwah.gb11643 import Region, check_digit, codes_for_county, region_table

#: the first resident identity cards were issued in 1984 (15-digit numbers)
FIRST_CARDS = 1984
#: share of people born before the first cards whose number was assigned (or re-assigned on
#: re-registration) in a later year, not in the first campaign
LATER_SHARE = 0.25


def _codes(county: str, year: int) -> list[Region]:
    valid = [rc for rc in codes_for_county(county, "65") if rc.in_use(year)]
    if not valid:
        raise ValueError(f"no GB/T 2260 code for {county} in {year}")
    valid.sort(key=lambda rc: (rc.start or 0, rc.code), reverse=True)
    return valid


def region_code(county: str, year: int) -> str:
    """The code of ``county`` in use in ``year`` (the newest if two overlap that year)."""
    return _codes(county, year)[0].code


def assignment_year(rng: random.Random, birth: date, today: date) -> int:
    """When a person's number was assigned: at birth for the young; for people born before
    the first cards, mostly in the first campaign (at 16 at the earliest), some later."""
    if birth.year >= FIRST_CARDS:
        return birth.year
    first = max(FIRST_CARDS, min(birth.year + 16, today.year))
    first = min(first + rng.randrange(0, 7), today.year)
    if rng.random() < LATER_SHARE:
        return rng.randint(min(first + 1, today.year), today.year)
    return first


def assigned_region(rng: random.Random, county: str, birth: date, today: date) -> str:
    """The region code a person of ``county`` born on ``birth`` carries."""
    return region_code(county, assignment_year(rng, birth, today))


def retired_before(county: str, year: int, province: str = "65") -> list[Region]:
    """Codes of ``province`` retired before ``year`` (a number with one was assigned before its
    holder was born: impossible): the county's own old codes first, then counties whose every
    code was retired by then (never a prefecture row or a generic 市区)."""
    own = [r for r in codes_for_county(county, province) if r.end is not None and r.end < year]
    rest = [
        r
        for code, rs in sorted(region_table().items())
        if code.startswith(province) and not code.endswith("00")
        for r in rs
        if r.end is not None
        and r.end < year
        and r.county not in (county, "市区", "郊区")
        and not any(x.end is None or x.end >= year for x in rs)
    ]
    return own + rest


def county_of(code: str, year: int) -> str | None:
    """The county name ``code`` stood for in ``year`` (or at any time, if not then)."""
    rs = region_table().get(code, ())
    for rc in rs:
        if rc.in_use(year):
            return rc.county
    return rs[0].county if rs else None


def make_id(region: str, birth: date, seq: int) -> str:
    """An 18-digit ID with a correct check digit; ``seq`` is the 3-digit sequence (odd = male)."""
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


def break_check_digit(number: str, rng: random.Random) -> str:
    """The same ID with a wrong check digit."""
    good = number[-1]
    bad = rng.choice([c for c in "0123456789X" if c != good])
    return number[:-1] + bad
