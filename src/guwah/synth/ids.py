"""Resident identity numbers (GB 11643) with region codes from python-stdnum's GB/T 2260 table."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from stdnum.cn import ric


@dataclass(frozen=True)
class RegionCode:
    """One GB/T 2260 county code and the years it was in use (inclusive, None = open)."""

    code: str
    name: str
    start: int | None
    end: int | None

    def valid_in(self, year: int) -> bool:
        return (self.start is None or year >= self.start) and (self.end is None or year <= self.end)


@cache
def region_codes() -> dict[str, list[RegionCode]]:
    """All six-digit codes of ``stdnum/cn/loc.dat``, keyed by code."""
    text = (resources.files("stdnum") / "cn" / "loc.dat").read_text("utf-8")
    out: dict[str, list[RegionCode]] = {}
    prefix = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            prefix = line.split()[0]
            continue
        code, _, rest = line.strip().partition(" ")
        if not rest.startswith('county="'):
            continue
        full = prefix + code
        for part in rest[len('county="') : -1].split(","):
            start = end = None
            name = part
            if part.startswith("["):
                span, name = part[1:].split("]", 1)
                s, e = span.split("-")
                start = int(s) if s else None
                end = int(e) if e else None
            out.setdefault(full, []).append(RegionCode(full, name, start, end))
    return out


@cache
def codes_for_county(name: str, province: str = "65") -> tuple[RegionCode, ...]:
    """Every code (current and historic) a county of ``province`` has carried."""
    return tuple(
        rc
        for code, rcs in region_codes().items()
        if code.startswith(province)
        for rc in rcs
        if rc.name == name
    )


def region_code(county: str, birth_year: int) -> str:
    """The code of ``county`` in use in ``birth_year`` (as stdnum checks it), newest first."""
    valid = [rc for rc in codes_for_county(county) if rc.valid_in(birth_year)]
    if not valid:
        raise ValueError(f"no GB/T 2260 code for {county} in {birth_year}")
    valid.sort(key=lambda rc: (rc.start or 0, rc.code), reverse=True)
    return valid[0].code


def county_of(code: str, birth_year: int) -> str | None:
    """The county name ``code`` stood for in ``birth_year``."""
    for rc in region_codes().get(code, []):
        if rc.valid_in(birth_year):
            return rc.name
    return None


def make_id(region: str, birth: date, seq: int) -> str:
    """An 18-digit ID with a correct check digit; ``seq`` is the 3-digit sequence (odd = male)."""
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def break_check_digit(number: str, rng: random.Random) -> str:
    """The same ID with a wrong check digit."""
    good = number[-1]
    bad = rng.choice([c for c in "0123456789X" if c != good])
    return number[:-1] + bad
