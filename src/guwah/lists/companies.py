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

from guwah.han import HAN_CLASS
from guwah.names.han import looks_like_pinyin

from .data import _csv, company_forms, glossary, xinjiang_regions

COUNTRY = "china"  # "of China" / 中国 may stand anywhere in a name
HAN = re.compile(f"[{HAN_CLASS}]")
BRACKETS = re.compile(r"[（(【\[]([^()（）【】\[\]]{1,20})[)）】\]]")
LATIN_ABBREV = {"comm": "trade", "tech": "technology", "intl": "international"}


@dataclass(frozen=True)
class CompanyKey:
    core: str  # Latin letters, no spaces
    concepts: frozenset[str]
    trade: str  # the core's words that read as pinyin (a Latin name's trade name)
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
    for row in _csv("china_places.csv"):  # provinces: places in a name, not its trade name
        spellings = row["latin"].split("|")
        han.setdefault(row["han"], spellings[0].lower())
        for spelling in spellings:
            latin.setdefault(_fold(spelling), spellings[0].lower())
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
            concepts.update(c.split("+"))
    text = BRACKETS.sub(" ", text)
    for run in re.findall(f"[{HAN_CLASS}]+|[^{HAN_CLASS}]+", text):
        if HAN.match(run):
            _han_run(_strip_han_forms(run), places, concepts, core, han_core)
        else:
            _latin_run(run, places, concepts, core)
    trade = "".join(w for w in core if looks_like_pinyin(w)) if not han_core else "".join(core)
    return CompanyKey(
        "".join(core), frozenset(concepts), trade, frozenset(places), "".join(han_core), raw
    )


def _place_of(text: str) -> str | None:
    han, latin = _places()
    return han.get(text) or latin.get(_fold(text))


def _han_run(
    run: str, places: set[str], concepts: set[str], core: list[str], han_core: list[str]
) -> None:
    terms, longest = _han_terms()
    i = 0
    pending: list[str] = []  # characters of the trade name, read as pinyin together (长城 chang)

    def flush() -> None:
        if pending:
            core.append("".join(lazy_pinyin("".join(pending))))
            han_core.extend(pending)
            pending.clear()

    while i < len(run):
        for n in range(min(longest, len(run) - i), 0, -1):
            hit = terms.get(run[i : i + n])
            if hit and hit[0] == "place" and (core or pending) and hit[1] != COUNTRY:
                continue  # a place only before the trade name (伊利 is not 伊犁)
            if hit and not (n == 1 and hit[0] == "form" and i + 1 < len(run)):
                kind, value = hit
                flush()
                if kind == "place":
                    places.add(value)
                elif kind == "concept":
                    concepts.update(value.split("+"))
                i += n
                break
        else:
            pending.append(run[i])
            i += 1
    flush()


def _latin_run(run: str, places: set[str], concepts: set[str], core: list[str]) -> None:
    _, latin_forms = company_forms()
    _, gloss = glossary()
    _, place_latin = _places()
    words = [
        w
        for w in re.split(r"[^0-9a-z'&-]+", _fold(run).replace(".", " ").replace("&", " and "))
        if w
    ]
    words = [w.strip("'-") for w in words]
    words = [LATIN_ABBREV.get(w, w) for w in words if any(c.isalnum() for c in w)]
    i = 0
    while i < len(words):
        for n in range(min(6, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            if phrase in gloss:
                concepts.update(gloss[phrase].split("+"))
                i += n
                break
            if phrase in place_latin and (not core or place_latin[phrase] == COUNTRY):
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
CONCEPT_CONFLICT = 0.85  # both say what they do, and it differs
CONCEPT_ONE_SIDED = 0.95


@dataclass(frozen=True)
class CompanyMatch:
    score: float
    explanation: str


def _core(a: CompanyKey, b: CompanyKey) -> tuple[float, str]:
    """How alike the trade names are, and how that was decided."""
    if a.han and a.han == b.han:
        return 1.0, f"same Chinese trade name {a.han}"
    if bool(a.han) != bool(b.han):  # Chinese against Latin: pinyin against the pinyin words
        han, lat = (a, b) if a.han else (b, a)
        if lat.trade and len(lat.trade) >= 4 and han.core != lat.trade:
            longer, shorter = sorted((han.core, lat.trade), key=len, reverse=True)
            if longer.startswith(shorter) and len(shorter) >= 0.5 * len(longer):
                return 0.9, (
                    f"trade name {han.core} begins with {lat.trade} "
                    "(the rest is translated or left out in the other name)"
                )
        if lat.trade:
            sim = Levenshtein.normalized_similarity(han.core, lat.trade)
            core = max(0.0, 1.0 - 2.5 * (1.0 - sim))
            return core, f"trade name {han.core} ~ {lat.trade} ({core:.2f})"
    if a.core and b.core:
        sim = Levenshtein.normalized_similarity(a.core, b.core)
        core = max(0.0, 1.0 - 2.5 * (1.0 - sim))
        return core, f"trade name {a.core} ~ {b.core} ({core:.2f})"
    if not a.core and not b.core:
        return -1.0, "no trade name on either side; compared by what the names denote"
    return 0.0, "a trade name on one side only"


def compare(a: CompanyKey, b: CompanyKey) -> CompanyMatch:
    """Score two company keys: the trade name decides, concepts and places qualify."""
    core, note = _core(a, b)
    notes = [note]
    shared = a.concepts & b.concepts
    union = a.concepts | b.concepts
    if core < 0:  # no trade names: what the names denote is all there is
        total = len(shared) / len(union) if union else 0.0
    elif a.concepts and b.concepts:
        total = (1 - CONCEPT_WEIGHT) * core + CONCEPT_WEIGHT * len(shared) / len(union)
        if not shared:
            total *= CONCEPT_CONFLICT
    elif union:  # one name says what the company does, the other leaves it out
        total = core * CONCEPT_ONE_SIDED
    else:
        total = core
    if union:
        notes.append(
            "same institution/industry words: " + ", ".join(sorted(shared))
            if shared
            else "no institution/industry word in common"
        )
    if a.places and b.places:
        if a.places & b.places:
            notes.append("same place: " + ", ".join(sorted(a.places & b.places)))
        else:
            total *= PLACE_MISMATCH
            notes.append(
                f"different places: {', '.join(sorted(a.places))} / {', '.join(sorted(b.places))}"
            )
    return CompanyMatch(round(min(1.0, total), 3), "; ".join(notes))
