"""Resident identity numbers (GB 11643-1999): the one place for their form, check digit and
region codes, used by records, verify, search and the synthetic leak alike.

An 18-digit number is 6 digits of region (GB/T 2260), 8 of birth date, 3 of sequence (odd for
men) and an ISO 7064 MOD 11-2 check character (0-9 or X); a 15-digit legacy number is region,
a 6-digit birth date in the 1900s and a 3-digit sequence. The check digit is python-stdnum's
(``stdnum.cn.ric``); the region table, with each code's years of use, is python-stdnum's
``cn/loc`` database, read once here.

The region is the county of permanent residence *when the number was assigned* (GB 11643-1999
§ 5.2, 地址码: 编码对象常住户口所在县的行政区划代码), and a number never changes when its county is re-coded: Tekes
was 652427 until 1984, 654127 until 2001 and 654027 since, and people born before 1984 hold
any of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from stdnum.cn import ric

#: an ID number inside other text: 17 digits and a digit or X, or 15 digits, not part of a
#: longer run of letters or digits (Han characters and separators may touch it)
ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_FULL = re.compile(r"^(?:\d{17}[\dX]|\d{15})$")
_YEARS = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


def normalise(text: str) -> str:
    """Spaces removed, ``x`` upper-cased."""
    return re.sub(r"\s+", "", text).upper()


def is_id_form(text: str) -> bool:
    """18 characters (17 digits and a digit or X) or 15 digits, after :func:`normalise`."""
    return bool(_FULL.match(normalise(text)))


def check_digit(body: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits (python-stdnum).

    ``ric.calc_check_digit`` expects the check digit's place: it is given 17 digits plus one.
    """
    return ric.calc_check_digit(body[:17] + "0")


def ids_in_name(path: str) -> tuple[str, ...]:
    """The ID numbers in a file name (``a.zip!/b/6531…_20180301.jpg``), upper-cased, in order.

    The one rule for photo names, in records and verify alike: 18 characters or 15 digits not
    touching other letters or digits.
    """
    name = re.split(r"!/|/|\\", path)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return tuple(dict.fromkeys(m.group(1).upper() for m in ID_IN_TEXT.finditer(stem)))


@dataclass(frozen=True)
class Region:
    """One county name a GB/T 2260 code has stood for, with its years of use (inclusive)."""

    code: str
    province: str | None
    county: str | None  # None: the code is not in GB/T 2260 as stdnum knows it
    start: int | None = None  # first year in use (None: always)
    end: int | None = None  # last year in use (None: still in use)

    def in_use(self, year: int) -> bool:
        return (self.start is None or year >= self.start) and (self.end is None or year <= self.end)

    def in_use_between(self, first: int, last: int) -> bool:
        """In use in some year from ``first`` to ``last`` (inclusive)."""
        return (self.start is None or self.start <= last) and (
            self.end is None or self.end >= first
        )

    @property
    def span(self) -> str:
        return f"{self.start or ''}–{self.end or ''}"


@cache
def region_table() -> dict[str, tuple[Region, ...]]:
    """Every county-level GB/T 2260 code, all eras, from python-stdnum's ``cn/loc`` (once)."""
    from stdnum import numdb

    out: dict[str, tuple[Region, ...]] = {}
    for _l1, prov_code, _p2, pinfo, counties in numdb.get("cn/loc").prefixes:
        province = pinfo.get("province")
        for _l2, code, _c2, cinfo, _rest in counties:
            full = prov_code + code
            names = cinfo.get("county")
            if not names:
                continue
            regions: list[Region] = []
            for part in names.split(","):
                m = _YEARS.match(part)
                if m:
                    start, end, county = m.groups()
                    regions.append(
                        Region(
                            full,
                            province,
                            county,
                            int(start) if start else None,
                            int(end) if end else None,
                        )
                    )
                else:
                    regions.append(Region(full, province, part))
            out[full] = tuple(regions)
    return out


@cache
def _provinces() -> dict[str, str]:
    from stdnum import numdb

    return {p: info.get("province", "") for _l, p, _p2, info, _c in numdb.get("cn/loc").prefixes}


def regions(code: str) -> tuple[Region, ...]:
    """Every county ever named by a 6-digit region code; one Region with ``county`` None for
    a code GB/T 2260 never had (its province, if the first two digits are one)."""
    found = region_table().get(code)
    if found:
        return found
    return (Region(code, _provinces().get(code[:2]) or None, None),)


@cache
def codes_for_county(name: str, province: str | None = None) -> tuple[Region, ...]:
    """Every code (current and historic) a county named ``name`` has carried; ``province`` is
    a 2-digit prefix (``"65"``: Xinjiang) to keep same-named counties elsewhere apart."""
    return tuple(
        r
        for code, rs in region_table().items()
        if province is None or code.startswith(province)
        for r in rs
        if r.county == name
    )


@cache
def same_place(code: str) -> frozenset[str]:
    """The codes that have stood for the same county as ``code`` in its province: Tekes's
    652427, 654127 and 654027 are one place."""
    names = {r.county for r in regions(code) if r.county}
    return frozenset({code} | {r.code for n in names for r in codes_for_county(n, code[:2])})


@cache
def county_names() -> frozenset[str]:
    """Every county-level name GB/T 2260 has used (all eras), without prefecture and province
    rows (codes ending 00) and generic names (市辖区, 县)."""
    generic = {"市辖区", "县", "郊区", "矿区"}
    return frozenset(
        r.county
        for code, rs in region_table().items()
        if not code.endswith("00")
        for r in rs
        if r.county and len(r.county) >= 2 and r.county not in generic
    )
