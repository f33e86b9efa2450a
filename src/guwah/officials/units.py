"""Where a unit stands: its jurisdiction (county, prefecture, region or the national level)
from GB/T 2260's names (``guwah.gb11643``) and the places of ``patterns.json``; its parents."""

from __future__ import annotations

from functools import cache

from guwah.gb11643 import region_table

from .data import patterns
from .text import unit_kind


@cache
def _names() -> dict[str, tuple[str, str]]:
    """Place name → (code, level) for Xinjiang first, then the rest of China."""
    out: dict[str, tuple[str, str]] = {}
    table = region_table()
    for prefer in (True, False):
        for code, regions in table.items():
            if code.startswith("65") != prefer:
                continue
            level = (
                "province"
                if code.endswith("0000")
                else ("prefecture" if code.endswith("00") else "county")
            )
            for r in regions:
                if r.county and r.county not in ("市辖区", "县", "郊区", "矿区"):
                    out.setdefault(r.county, (code, level))
    return out


@cache
def _by_length() -> tuple[str, ...]:
    return tuple(sorted((n for n in _names() if len(n) >= 2), key=len, reverse=True))


def jurisdiction(unit: str) -> tuple[str, str]:
    """``(place, level)`` a unit's name puts it in: 疏附县公安局 → (疏附县, county)."""
    if not unit:
        return "", ""
    names = _names()
    for n in _by_length():
        if n in unit:
            return n, names[n][1]
    for place, level in sorted(patterns().places.items(), key=lambda kv: -len(kv[0])):
        if place in unit:
            if level == "region":
                return "新疆维吾尔自治区", "province"
            return place, level
    return "", ""


def parents(place: str) -> list[tuple[str, str]]:
    """The places above ``place``, nearest first: 疏附县 → 喀什地区, 新疆维吾尔自治区."""
    hit = _names().get(place)
    if not hit:
        return []
    code, level = hit
    table = region_table()
    out = []
    for up, lvl in ((code[:4] + "00", "prefecture"), (code[:2] + "0000", "province")):
        if up == code or up not in table:
            continue
        name = next((r.county for r in table[up] if r.county), None)
        if name and (name, lvl) not in out:
            out.append((name, lvl))
    return out


def kind(unit: str) -> str:
    return unit_kind(unit)
