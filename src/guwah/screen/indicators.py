"""Forced-labour indicators in a supplier's name and address: Xinjiang (新疆, every
prefecture and county of GB/T 2260 by name and code, their Latin spellings, XUAR) and the
XPCC (兵团, 第N师, 团场 naming, known XPCC subsidiaries)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from guwah.lists.data import _csv, xinjiang_regions

_NUM = "一二三四五六七八九十"
XPCC_HAN = re.compile(
    rf"新疆生产建设兵团|生产建设兵团|兵团|第[{_NUM}\d]{{1,3}}师|[{_NUM}\d]{{1,4}}团场?|团场|农[{_NUM}\d]{{1,2}}师"
)
XPCC_LATIN = re.compile(
    r"\b(xpcc|bingtuan|production and construction corps|"
    r"(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|eleventh|twelfth|thirteenth|fourteenth) (?:agricultural )?division|"
    r"regiment farm|tuanchang)\b",
    re.I,
)
CODE = re.compile(r"(?<!\d)(65\d{4})(?!\d)")


@dataclass(frozen=True)
class Indicator:
    kind: str  # xinjiang | xpcc
    strength: str  # strong | weak
    field: str  # name | address | registration
    evidence: str

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "strength": self.strength,
            "field": self.field,
            "evidence": self.evidence,
        }


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@cache
def _terms() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Han names, Latin spellings, codes → what they name."""
    han: dict[str, str] = {}
    latin: dict[str, str] = {}
    codes: dict[str, str] = {}
    for r in xinjiang_regions():
        label = f"{r.name} ({r.code})" if r.code else r.name
        han.setdefault(r.name, label)
        if len(r.short) >= 2 and not (r.name.endswith("区") and not r.name.endswith("自治区")):
            han.setdefault(r.short, label)
        for s in r.latin:
            if len(s) >= 5 or s.isupper():
                latin.setdefault(_fold(s), label)
        if r.code:
            codes.setdefault(r.code, label)
    return han, latin, codes


@cache
def _latin_re() -> re.Pattern[str]:
    _, latin, _ = _terms()
    words = sorted(latin, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b")


@cache
def xpcc_subsidiaries() -> tuple[tuple[str, str], ...]:
    """Known XPCC companies (``xpcc_companies.csv``): Han name, English name."""
    return tuple((r["han"], r["latin"]) for r in _csv("xpcc_companies.csv"))


def find(name: str, address: str, registration: str = "", country: str = "") -> list[Indicator]:
    """Every Xinjiang and XPCC indicator in a supplier's name, address and code."""
    out: list[Indicator] = []
    han, _, codes = _terms()
    foreign = bool(country) and _fold(country) not in ("cn", "chn", "china", "中国", "prc")
    for field, text in (("name", name), ("address", address)):
        if not text:
            continue
        found = [t for t in han if t in text]
        found = [t for t in found if not any(t != u and t in u for u in found)]
        for term in sorted(found, key=text.index)[:4]:
            out.append(Indicator("xinjiang", "strong", field, f"{term}: {han[term]}"))
        if not foreign:
            m = _latin_re().search(_fold(text))
            if m:
                label = _terms()[1][m.group(1)]
                strong = m.group(1) in ("xinjiang", "xuar", "urumqi", "kashgar", "hotan")
                out.append(
                    Indicator(
                        "xinjiang",
                        "strong" if strong else "weak",
                        field,
                        f"{m.group(1)}: {label}",
                    )
                )
        if m2 := XPCC_HAN.search(text):
            out.append(Indicator("xpcc", "strong", field, f"{m2.group(0)} (XPCC naming)"))
        elif m3 := XPCC_LATIN.search(text):
            out.append(Indicator("xpcc", "strong", field, f"{m3.group(0)} (XPCC naming)"))
    for han_name, latin_name in xpcc_subsidiaries():
        if (han_name and han_name in name) or (latin_name and _fold(latin_name) in _fold(name)):
            out.append(
                Indicator("xpcc", "strong", "name", f"known XPCC company: {han_name} {latin_name}")
            )
            break
    for m in CODE.finditer(address):
        if m.group(1) in codes:
            out.append(
                Indicator("xinjiang", "strong", "address", f"region code {codes[m.group(1)]}")
            )
            break
    reg = re.sub(r"\s", "", registration).upper()
    if len(reg) == 18 and reg[2:4] == "65" and reg[2:8] in codes:
        out.append(
            Indicator("xinjiang", "strong", "registration", f"USCC region {codes[reg[2:8]]}")
        )
    return out
