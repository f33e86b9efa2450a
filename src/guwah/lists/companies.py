"""Company and public-body names made comparable across Chinese and English.

A name becomes a :class:`CompanyKey`: its *core* (what tells one company from another: the
brand or trade name, in Latin letters — pinyin for Chinese characters), its *concepts*
(industry and institution words mapped through ``glossary.csv``: 硅业 = silicon industry,
公安局 = Public Security Bureau, 新疆生产建设兵团 = XPCC = Bingtuan) and its *places*
(新疆, 鄯善, Shanshan, from GB/T 2260). Legal forms (有限公司, 股份有限公司, 集团, 分公司, 厂;
Co., Ltd., Group, Corp., GRP) are dropped, glued to the Han text or not.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from pypinyin import lazy_pinyin
from rapidfuzz.distance import Levenshtein

from .data import company_forms, glossary, xinjiang_regions

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
BRACKETS = re.compile(r"[（(【\[]([^()（）【】\[\]]{1,20})[)）】\]]")
LATIN_ABBREV = {"comm": "trade", "tech": "technology", "intl": "international"}


@dataclass(frozen=True)
class CompanyKey:
    core: str  # Latin letters, no spaces
    concepts: frozenset[str]
    places: frozenset[str]  # Latin, lower case
    han: str  # the Han core as written (for exact Han comparison), '' if none
    raw: str

    def describe(self) -> str:
        parts = [f"core {self.core or '—'}"]
        if self.concepts:
            parts.append("concepts " + ", ".join(sorted(self.concepts)))
        if self.places:
            parts.append("places " + ", ".join(sorted(self.places)))
        return "; ".join(parts)


@cache
def _places() -> tuple[dict[str, str], dict[str, str]]:
    """Han place (full and short forms) → Latin key; Latin spelling → Latin key."""
    han: dict[str, str] = {}
    latin: dict[str, str] = {}
    for r in xinjiang_regions():
        key = r.latin[0].lower()
        han.setdefault(r.name, key)
        if r.name.endswith("区") and not r.name.endswith(("地区", "自治区")):
            continue  # a city district's short name (天山, 新市) is too often a trade name
        if len(r.short) >= 2:
            han.setdefault(r.short, key)
        for spelling in r.latin:
            latin.setdefault(_fold(spelling), key)
    return han, latin


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@cache
def _han_terms() -> tuple[dict[str, tuple[str, str]], int]:
    """Han term → (kind, value) for concepts, places and legal forms; the longest term."""
    forms, _ = company_forms()
    gloss, _ = glossary()
    places, _ = _places()
    terms: dict[str, tuple[str, str]] = {}
    for t, key in places.items():
        terms[t] = ("place", key)
    for t, c in gloss.items():
        terms[t] = ("concept", c)
    for t in forms:
        terms[t] = ("form", t)
    return terms, max(map(len, terms))


def _strip_han_forms(text: str) -> str:
    forms, _ = company_forms()
    changed = True
    while changed:
        changed = False
        for f in forms:
            if text.endswith(f):
                text, changed = text[: -len(f)], bool(text[: -len(f)])
    return text


@lru_cache(maxsize=200_000)
def company_key(name: str) -> CompanyKey:
    """The comparable key of a company or public-body name in any script."""
    raw = name
    places: set[str] = set()
    concepts: set[str] = set()
    core: list[str] = []
    han_core: list[str] = []
    text = unicodedata.normalize("NFKC", name)
    # bracketed notes: a place (鄯善) / (Shanshan) becomes a place; an acronym a concept
    for m in BRACKETS.finditer(text):
        inner = m.group(1).strip()
        k = _place_of(inner)
        if k:
            places.add(k)
        elif (c := glossary()[1].get(inner.lower())) is not None:
            concepts.add(c)
    text = BRACKETS.sub(" ", text)
    for run in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\u3400-\u9fff\uf900-\ufaff]+", text):
        if HAN.match(run):
            _han_run(_strip_han_forms(run), places, concepts, core, han_core)
        else:
            _latin_run(run, places, concepts, core)
    return CompanyKey("".join(core), frozenset(concepts), frozenset(places), "".join(han_core), raw)


def _place_of(text: str) -> str | None:
    han, latin = _places()
    return han.get(text) or latin.get(_fold(text))


def _han_run(
    run: str, places: set[str], concepts: set[str], core: list[str], han_core: list[str]
) -> None:
    terms, longest = _han_terms()
    i = 0
    while i < len(run):
        for n in range(min(longest, len(run) - i), 0, -1):
            hit = terms.get(run[i : i + n])
            if hit and not (n == 1 and hit[0] == "form" and i + 1 < len(run)):
                kind, value = hit
                if kind == "place":
                    places.add(value)
                elif kind == "concept":
                    concepts.add(value)
                i += n
                break
        else:
            core.append("".join(lazy_pinyin(run[i])))
            han_core.append(run[i])
            i += 1


def _latin_run(run: str, places: set[str], concepts: set[str], core: list[str]) -> None:
    _, latin_forms = company_forms()
    _, gloss = glossary()
    _, place_latin = _places()
    words = [w for w in re.split(r"[^0-9a-z'&-]+", _fold(run).replace(".", " ")) if w]
    words = [w.strip("'-") for w in words]
    words = [LATIN_ABBREV.get(w, w) for w in words if w]
    i = 0
    while i < len(words):
        for n in range(min(6, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            if phrase in gloss:
                concepts.add(gloss[phrase])
                i += n
                break
            if phrase in place_latin:
                places.add(place_latin[phrase])
                i += n
                break
        else:
            w = words[i]
            if w not in latin_forms:
                core.append(w)
            i += 1


PLACE_MISMATCH = 0.8  # both name a place and the places differ
CONCEPT_WEIGHT = 0.25


@dataclass(frozen=True)
class CompanyMatch:
    score: float
    explanation: str


def compare(a: CompanyKey, b: CompanyKey) -> CompanyMatch:
    """Score two company keys: the core decides, concepts and places qualify."""
    notes: list[str] = []
    if a.han and a.han == b.han:
        core = 1.0
        notes.append(f"same Chinese trade name {a.han}")
    elif a.core and b.core:
        sim = Levenshtein.normalized_similarity(a.core, b.core)
        core = max(0.0, 1.0 - 2.5 * (1.0 - sim))
        notes.append(f"trade name {a.core} ~ {b.core} ({core:.2f})")
    elif not a.core and not b.core:
        core = 1.0 if a.concepts and a.concepts == b.concepts else 0.0
        notes.append("no trade name on either side; compared by what the names denote")
    else:
        core = 0.0
        notes.append("a trade name on one side only")
    union = a.concepts | b.concepts
    if union:
        concept = len(a.concepts & b.concepts) / len(union)
        notes.append(
            "same institution/industry words: " + ", ".join(sorted(a.concepts & b.concepts))
            if a.concepts & b.concepts
            else "no institution/industry word in common"
        )
        total = (1 - CONCEPT_WEIGHT) * core + CONCEPT_WEIGHT * concept
        if not a.core and not b.core:
            total = concept
    else:
        total = core
    if a.places and b.places:
        if a.places & b.places:
            notes.append("same place: " + ", ".join(sorted(a.places & b.places)))
        else:
            total *= PLACE_MISMATCH
            notes.append(
                f"different places: {', '.join(sorted(a.places))} / {', '.join(sorted(b.places))}"
            )
    return CompanyMatch(round(min(1.0, total), 3), "; ".join(notes))
