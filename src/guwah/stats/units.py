"""Units as yearbooks print them (‰, %, 人, 万人, 例…) and their normalised form.

A value is stored as printed, with its unit family (``per_mille``, ``percent``, ``persons``,
``cases``…) and the factor that turns it into that family's base (万人 → persons × 10 000).
A table that states no unit gets none: nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    printed: str  # as the table prints it: ‰, 万人
    family: str  # per_mille | per_100k | percent | persons | cases | households | yuan
    scale: float  # printed value × scale = value in the family's base unit

    @property
    def label(self) -> str:
        return {
            "per_mille": "‰",
            "per_100k": "per 100,000",
            "percent": "%",
            "persons": "persons",
            "cases": "cases",
            "households": "households",
        }.get(self.family, self.family)


# Longest first: 万人 before 人, 千分之 before 分.
_UNITS: list[tuple[str, str, float]] = [
    ("1/10万", "per_100k", 1.0),
    ("/10万", "per_100k", 1.0),
    ("千分之", "per_mille", 1.0),
    ("百分比", "percent", 1.0),
    ("万人次", "cases", 10_000.0),
    ("万例", "cases", 10_000.0),
    ("万户", "households", 10_000.0),
    ("万人", "persons", 10_000.0),
    ("千人", "persons", 1_000.0),
    ("人次", "cases", 1.0),
    ("‰", "per_mille", 1.0),
    ("%o", "per_mille", 1.0),
    ("％", "percent", 1.0),
    ("%", "percent", 1.0),
    ("例", "cases", 1.0),
    ("户", "households", 1.0),
    ("人", "persons", 1.0),
]
_UNIT_WORDS = "|".join(re.escape(u) for u, _f, _s in _UNITS)
# 单位：万人  /  单位:‰  /  (‰)  /  （万人）
_DECLARED = re.compile(r"单\s*位\s*[:：]\s*(?P<u>[^\s,，;；)）]+(?:\s*[,，、]\s*[^\s,，;；)）]+)*)")
_PAREN = re.compile(r"[(（]\s*(?P<u>" + _UNIT_WORDS + r")\s*[)）]")
_EN = re.compile(r"\b(?:per\s*1,?000|per\s*thousand)\b", re.IGNORECASE)


def parse_unit(text: str) -> Unit | None:
    """The unit a bare unit text names (``万人``, ``‰``), or None."""
    t = text.strip()
    for printed, family, scale in _UNITS:
        if t == printed:
            return Unit(printed, family, scale)
    return None


def declared_units(text: str) -> list[Unit]:
    """Units a title or note declares: ``单位：万人，‰`` gives both, in order."""
    m = _DECLARED.search(text)
    if not m:
        return []
    out = []
    for part in re.split(r"\s*[,，、]\s*", m.group("u")):
        unit = parse_unit(part)
        if unit is not None:
            out.append(unit)
    return out


def unit_in_label(text: str) -> Unit | None:
    """A unit in parentheses inside a header or row label: ``出生率(‰)``, ``人口（万人）``."""
    m = _PAREN.search(text)
    if m:
        return parse_unit(m.group("u"))
    if "‰" in text:
        return Unit("‰", "per_mille", 1.0)
    if _EN.search(text):
        return Unit("per 1,000", "per_mille", 1.0)
    return None


def strip_unit(text: str) -> str:
    """A label without its parenthesised unit."""
    return _PAREN.sub("", text).replace("‰", "").strip()
