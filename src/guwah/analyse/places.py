"""Places of residence from what records write: a county (a GB/T 2260 name), a township
(…乡, …镇, …街道) and a village (…村, …社区), read from an address, a sheet title, a sheet
name or a file path, and the county's current 6-digit code."""

from __future__ import annotations

import re
from functools import lru_cache

from guwah.han import HAN_CLASS
from guwah.verify.records_data import counties_in

_TOWNSHIP = re.compile(f"[{HAN_CLASS}]{{1,8}}?(?:乡|镇|街道)")
_VILLAGE = re.compile(f"[{HAN_CLASS}0-9]{{1,10}}?(?:村|社区)")
Place = tuple[str | None, str | None, str | None]


@lru_cache(maxsize=1024)  # addresses repeat within a household, read one after another
def parse_place(text: str | None) -> Place:
    """(county, township, village) named in ``text``; None for each level not found."""
    if not text:
        return (None, None, None)
    county = None
    rest = text
    found = counties_in(text)
    if found:
        county = found[0]
        rest = text[text.index(county) + len(county) :]
    township = None
    m = _TOWNSHIP.search(rest)
    if m:
        township = m.group(0)
        rest = rest[m.end() :]
    v = _VILLAGE.search(rest)
    village = re.split(r"乡|镇|街道", v.group(0))[-1] if v else None
    return (county, township, village if village and len(village) > 1 else None)


@lru_cache(maxsize=1)
def _codes_by_name() -> dict[str, list[str]]:
    """County name → the codes GB/T 2260 uses for it today (no end year)."""
    from stdnum import numdb

    out: dict[str, list[str]] = {}
    for _l1, prefix, _p2, _pinfo, counties in numdb.get("cn/loc").prefixes:
        for _l2, code, _c2, cinfo, _rest in counties:
            for part in cinfo.get("county", "").split(","):
                m = re.match(r"^\[(\d*)-(\d*)\](.*)$", part)
                name, ended = (m.group(3), bool(m.group(2))) if m else (part, False)
                if name and not ended:
                    out.setdefault(name, []).append(f"{prefix}{code}")
    return out


def county_code(name: str | None, province_hint: str | None = None) -> str | None:
    """The current code of a county name; with several, the one in the hinted province
    (the first two digits of the person's ID number), else None (ambiguous)."""
    if not name:
        return None
    codes = sorted(set(_codes_by_name().get(name, [])))
    if len(codes) > 1 and province_hint:
        codes = [c for c in codes if c.startswith(province_hint)]
    return codes[0] if len(codes) == 1 else None
