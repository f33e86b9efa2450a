"""Region names as yearbooks print them, resolved to GB/T 2260 codes.

Names come from python-stdnum's GB/T 2260 table (``cn/loc``, every era, with the years each
name was in use) and ``reference/stats/region_aliases.csv`` (the national total, 全区, the
XPCC and its divisions, which have no GB/T 2260 code). A name is matched exactly, then
without its suffix (喀什 → 喀什地区), preferring a code in use in the table's year, inside
the table's province, and at the level most other rows of the table resolve to. A name that
matches nothing is kept and listed as unmatched, never dropped. A name printed without
its suffix that several units share names the higher-level one (喀什 → 喀什地区, not 喀什市).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

from guwah.han import simplified

_YEARS = re.compile(r"^\[(\d*)-(\d*)\](.*)$")
_SPACE = re.compile(r"[\s\u3000]+")
# Longest first; 自治州 names also drop the people's name (克孜勒苏柯尔克孜自治州 → 克孜勒苏).
_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "盟",
    "省",
    "市",
    "区",
    "县",
    "旗",
)
_PEOPLES = (
    "柯尔克孜",
    "哈萨克",
    "蒙古",
    "回族",
    "塔吉克",
    "锡伯",
    "维吾尔",
    "藏族",
    "彝族",
)
_GENERIC = {"市辖区", "县", "郊区", "矿区", "市区", "自治区直辖县级行政单位", "省直辖县级行政单位"}
LEVELS = ("nation", "province", "prefecture", "county")


@dataclass(frozen=True)
class Place:
    code: str
    name: str  # the full name in GB/T 2260 (or the alias table)
    level: str  # nation | province | prefecture | county | xpcc | xpcc_division | total | group
    start: int | None = None
    end: int | None = None
    note: str = ""

    def in_use(self, year: int | None) -> bool:
        if year is None:
            return self.end is None
        return (self.start is None or year >= self.start) and (self.end is None or year <= self.end)


@dataclass(frozen=True)
class Resolution:
    raw: str
    place: Place | None
    method: str  # exact | alias | short | unmatched | ambiguous
    candidates: tuple[Place, ...] = ()

    @property
    def code(self) -> str | None:
        return self.place.code if self.place else None


def clean_name(raw: str) -> str:
    """A printed region name without spaces, footnote marks and leading '#'/'其中：'."""
    text = _SPACE.sub("", raw or "")
    text = re.sub(r"^(?:其中[:：]?|#|＃|\d+[.、])", "", text)
    text = re.sub(r"^(?:新疆生产建设)?兵团(?=第.{1,3}师)", "", text)  # 兵团第一师 → 第一师
    return re.sub(r"[①②③④⑤⑥⑦⑧⑨⑩*＊]+$|\(\d\)$|（\d）$", "", text)


def short_forms(name: str) -> list[str]:
    """The shorter names a place is printed under: 喀什地区 → 喀什; 昌吉回族自治州 → 昌吉."""
    out: list[str] = []
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            stem = name[: -len(suffix)]
            out.append(stem)
            for people in _PEOPLES:
                if stem.endswith(people) and len(stem) > len(people) + 1:
                    out.append(stem[: -len(people)])
            break
    return out


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


@cache
def places() -> tuple[Place, ...]:
    """Every place GB/T 2260 has named (all eras) and the aliases."""
    from stdnum import numdb

    out: list[Place] = []
    for _l1, prov, _p2, _pinfo, counties in numdb.get("cn/loc").prefixes:
        for _l2, rest, _c2, cinfo, _more in counties:
            code = prov + rest
            for part in cinfo.get("county", "").split(","):
                m = _YEARS.match(part)
                start = end = None
                name = part
                if m:
                    s, e, name = m.groups()
                    start, end = (int(s) if s else None), (int(e) if e else None)
                if name and name not in _GENERIC:
                    out.append(Place(code, name, _level(code), start, end))
    text = (resources.files("guwah") / "reference" / "stats" / "region_aliases.csv").read_text(
        encoding="utf-8"
    )
    for row in csv.DictReader(io.StringIO(text)):
        out.append(Place(row["code"], row["name"], row["level"], note=row["note"]))
    return tuple(out)


@cache
def _index() -> tuple[dict[str, list[Place]], dict[str, list[Place]]]:
    exact: dict[str, list[Place]] = defaultdict(list)
    short: dict[str, list[Place]] = defaultdict(list)
    for place in places():
        exact[place.name].append(place)
        for form in short_forms(place.name):
            short[form].append(place)
    return dict(exact), dict(short)


class Resolver:
    """Resolves the region names of one table: its year, province scope and usual level."""

    def __init__(self, year: int | None = None, scope: str | None = None) -> None:
        self.year = year
        self.scope = scope  # a 2-digit province prefix (65 for Xinjiang), or None
        self.level: str | None = None

    def resolve(self, raw: str) -> Resolution:
        name = clean_name(raw)
        found = self._resolve(raw, name)
        if found.method == "unmatched":  # printed in traditional characters (貴州, 寧夏)?
            folded = simplified(name)
            if folded != name:
                again = self._resolve(raw, folded)
                if again.method != "unmatched":
                    return again
        return found

    def _resolve(self, raw: str, name: str) -> Resolution:
        exact, short = _index()
        if name in exact:
            return self._pick(raw, exact[name], "alias" if _is_alias(exact[name]) else "exact")
        if name in short:
            return self._pick(raw, short[name], "short")
        for form in short_forms(name):  # 喀什市 printed where GB/T has 喀什市? try stems too
            if form in exact:
                return self._pick(raw, exact[form], "short")
        return Resolution(raw, None, "unmatched")

    def _pick(self, raw: str, cands: list[Place], method: str) -> Resolution:
        pool = _dedupe(cands)
        narrowing = [self._in_scope, self._in_use]
        if method != "short":
            narrowing.append(self._at_level)
        for narrow in narrowing:
            kept = [p for p in pool if narrow(p)]
            if kept:
                pool = kept
        codes = {p.code for p in pool}
        if len(codes) == 1:
            return Resolution(raw, pool[0], method, tuple(pool))
        if method == "short":
            # A name printed without its suffix names the higher-level unit: 喀什 is
            # 喀什地区, not 喀什市; 吉林 is 吉林省, not 吉林市 (print the suffix for the city).
            ranks = [LEVELS.index(p.level) if p.level in LEVELS else 99 for p in pool]
            top = [p for p, rank in zip(pool, ranks, strict=True) if rank == min(ranks)]
            if len({p.code for p in top}) == 1:
                return Resolution(raw, top[0], "short_higher", tuple(pool))
        return Resolution(raw, None, "ambiguous", tuple(pool))

    def _in_scope(self, p: Place) -> bool:
        if self.scope is None or not p.code[:2].isdigit() or p.level in ("nation", "total"):
            return True
        return p.code.startswith(self.scope)

    def _in_use(self, p: Place) -> bool:
        return p.in_use(self.year)

    def _at_level(self, p: Place) -> bool:
        return self.level is None or p.level == self.level


def _is_alias(cands: list[Place]) -> bool:
    return all(not p.code[:1].isdigit() or p.note for p in cands)


def _dedupe(cands: list[Place]) -> list[Place]:
    seen: dict[tuple[str, str], Place] = {}
    for p in cands:
        key = (p.code, p.name)
        if key not in seen or (p.end is None and seen[key].end is not None):
            seen[key] = p
    return list(seen.values())


def scope_of(text: str) -> str | None:
    """The province a title is about (``新疆…`` → ``65``), by its full or short name, in
    simplified or traditional characters (``新疆維吾爾自治區…``)."""
    found = _scope_of(text)
    return found if found is not None or simplified(text) == text else _scope_of(simplified(text))


def _scope_of(text: str) -> str | None:
    exact, short = _index()
    best: tuple[int, str] | None = None
    for name, cands in (*exact.items(), *short.items()):
        if len(name) < 2:
            continue
        provs = {p.code[:2] for p in cands if p.level == "province" and p.code[:2].isdigit()}
        if len(provs) == 1 and name in text and (best is None or len(name) > best[0]):
            best = (len(name), provs.pop())
    return best[1] if best else None


def resolve_all(
    names: list[str], year: int | None = None, scope: str | None = None
) -> list[Resolution]:
    """Resolve a table's row (or column) labels together: the level most exact matches share
    decides between a prefecture and a county of the same short name (喀什地区 vs 喀什市)."""
    resolver = Resolver(year, scope)
    first = [resolver.resolve(n) for n in names]
    levels = [r.place.level for r in first if r.place and r.place.level in LEVELS[1:]]
    if levels:
        resolver.level = max(set(levels), key=levels.count)
    return [r if r.method in ("exact", "alias") else resolver.resolve(r.raw) for r in first]


@cache
def canonical_name(code: str) -> str | None:
    """The name GB/T 2260 gives a code now (the latest era), else the alias table's."""
    named = [p for p in places() if p.code == code]
    if not named:
        return None
    gb = [p for p in named if not p.note]
    pool = gb or named
    return max(pool, key=lambda p: (p.end is None, p.end or 0, p.start or 0)).name


def resolve_code(code_text: str, raw: str) -> Resolution | None:
    """A region given by its printed code (区划代码: 6 digits, or 12 for 统计用区划代码)."""
    code = code_text.strip().removesuffix(".0")[:6]
    if not (code.isdigit() and len(code) == 6):
        return None
    named = [p for p in places() if p.code == code]
    if not named:
        return Resolution(raw, None, "unmatched")
    name = canonical_name(code) or named[0].name
    place = next(p for p in named if p.name == name)
    return Resolution(raw, place, "code", tuple(named))
