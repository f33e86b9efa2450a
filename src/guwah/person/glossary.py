"""Glosses for a reader who reads no Chinese: what a record's field and value mean, in English
and, where a data file gives it, Uyghur — always shown beside the original, never instead.

Every gloss names its source, a data file of guwah's:

- field names: ``reference/header_lexicon.json`` (its English label; its first Uyghur
  header as the Uyghur);
- facilities: ``reference/glossary/facility_kinds.csv`` (each kind with its published source),
  then the status taxonomy;
- status, category, notes: ``reference/analyse/status.json`` (English and Uyghur labels; the
  words that decided it);
- reasons: ``reference/analyse/reasons.json`` (every label whose words the text holds);
- relations: ``reference/relations.json`` (English; its Arabic-script term as the Uyghur);
- ethnicity and sex: ``reference/ethnicities.json``; 男/女;
- places (county, township, village, addresses): the exonyms, else pinyin marked ``*`` as a
  reading (:func:`guwah.person.summary.place_gloss`); in Uyghur the names that
  ``reference/glossary/places_ug.csv`` gives with their published source (taken from the cited
  place forms of ``benchmarks/data/real_name_forms*.csv``, and 疏附, 托克扎克).

A value no data file explains gets no gloss: guwah does not guess a translation.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from guwah.han import simplified

PLACE_FIELDS = frozenset(
    {"county", "township", "village", "household_address", "current_address", "address"}
)
STATUS_FIELDS = frozenset({"category", "notes", "status"})
RELATION_FIELDS = frozenset({"relation_to_head", "relation"})
SEX = {"男": ("male", "ئەر"), "女": ("female", "ئايال")}
SEX_SOURCE = "guwah's own gloss of 男 and 女 (common words, not from a published glossary)"


@dataclass(frozen=True)
class Gloss:
    en: str
    ug: str = ""
    source: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"en": self.en, "ug": self.ug, "source": self.source}


def _ref(*parts: str) -> str:
    path = resources.files("guwah.reference")
    for part in parts:
        path = path.joinpath(part)
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _fields() -> dict[str, Gloss]:
    data = json.loads(_ref("header_lexicon.json"))["fields"]
    return {
        code: Gloss(f["label"], (f.get("ug") or [""])[0], "header_lexicon.json")
        for code, f in data.items()
    }


@lru_cache(maxsize=1)
def _facility_kinds() -> list[tuple[str, Gloss]]:
    rows = csv.DictReader(_ref("glossary", "facility_kinds.csv").splitlines())
    kinds = [(r["zh"], Gloss(r["en"], r["ug"], r["source"])) for r in rows]
    return sorted(kinds, key=lambda k: -len(k[0]))  # the longest kind named wins


@lru_cache(maxsize=1)
def _relations() -> dict[str, Gloss]:
    data = json.loads(_ref("relations.json"))["relations"]
    out = {}
    for code, terms in data.items():
        arabic = next((t for t in terms if any("\u0600" <= c <= "\u06ff" for c in t)), "")
        out[code] = Gloss(code, arabic, "relations.json")
    return out


@lru_cache(maxsize=1)
def _ethnicities() -> dict[str, Gloss]:
    from guwah.records.normalise import normalise_header

    groups = json.loads(_ref("ethnicities.json"))["groups"]
    out = {}
    for g in groups.values():
        arabic = next((v for v in g["variants"] if any("\u0600" <= c <= "\u06ff" for c in v)), "")
        for v in g["variants"]:
            out[normalise_header(v)] = Gloss(g["en"], arabic, "ethnicities.json")
    return out


def field_gloss(field: str | None) -> Gloss | None:
    """The English (and Uyghur) name of a records field."""
    return _fields().get(field or "")


def value_gloss(field: str | None, value: str | None) -> Gloss | None:
    """What a value of ``field`` means, from the data files; None where none explains it."""
    text = simplified((value or "").strip())
    if not field or not text:
        return None
    if field == "facility":
        return _facility(text)
    if field in STATUS_FIELDS:
        return _status(text)
    if field == "reason":
        return _reason(text)
    if field in RELATION_FIELDS:
        return _relation(text)
    if field == "sex" and text in SEX:
        return Gloss(*SEX[text], SEX_SOURCE)
    if field == "ethnicity":
        from guwah.records.normalise import normalise_header

        return _ethnicities().get(normalise_header(text))
    if field in PLACE_FIELDS and not text.isascii():
        from guwah.person.summary import place_gloss

        en, source = place_gloss(text)
        ug = _place_ug(text)
        if ug:
            source += "; Uyghur: places_ug.csv (each name with its published source)"
        return Gloss(en, ug, source) if en else None
    return None


@lru_cache(maxsize=1)
def _places() -> dict[str, tuple[str, str]]:
    rows = csv.DictReader(_ref("glossary", "places_ug.csv").splitlines())
    return {r["zh"]: (r["ug"], r["uly"]) for r in rows}


def _places_ug() -> dict[str, str]:
    return {zh: ug for zh, (ug, _) in _places().items()}


def place_latin(name: str) -> str:
    """A place's Uyghur name in Latin letters (ULY) where a published source gives it, else ''."""
    return _places().get(name, ("", ""))[1]


def _place_ug(place: str) -> str:
    """The Uyghur names of the parts of a written place that a published source gives (the
    others left out: no name is made up), joined as the English is: 喀什地区疏附县 → كونا شەھەر."""
    from guwah.person.places import named_parts

    known = _places_ug()
    return " › ".join(known[name] for name, _ in named_parts(place) if name in known)


def _facility(text: str) -> Gloss | None:
    for zh, gloss in _facility_kinds():
        if zh in text:
            return gloss
    return _status(text)


def _status(text: str) -> Gloss | None:
    from guwah.analyse.taxonomy import statuses

    tax = statuses()
    code, words = tax.classify([text], False)
    if code == tax.unknown.code:
        return None
    term = tax.label(code)
    return Gloss(term.en, term.ug, f"status.json (the words {', '.join(words)})")


def _reason(text: str) -> Gloss | None:
    from guwah.analyse.taxonomy import reasons

    terms = [t for t in reasons().terms if t.matches(text)]
    if not terms:
        return None
    return Gloss(
        "; ".join(t.en for t in terms),
        "؛ ".join(t.ug for t in terms if t.ug),
        "reasons.json: the labels whose words the text holds",
    )


def _relation(text: str) -> Gloss | None:
    from guwah.records.normalise import relation

    code = relation(text)
    return _relations().get(code) if code else None
