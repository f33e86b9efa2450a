"""The analysis taxonomies, read from data files in ``guwah/reference/analyse/``: detention
statuses, reasons (Chinese and Uyghur words, multi-label), age bands, the OHCHR categories,
the Rome Statute art. 7(1) acts and the matrix rules."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any


def _load(name: str) -> dict[str, Any]:
    text = resources.files("guwah.reference").joinpath(f"analyse/{name}").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def fold(text: str) -> str:
    """NFKC, case folded: how reasons and words are compared."""
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class Term:
    code: str
    en: str
    zh: str
    ug: str
    words: tuple[tuple[str, str], ...]  # (language, word)

    @cached_property
    def folded(self) -> tuple[tuple[str, str], ...]:
        return tuple((w, fold(w)) for _lang, w in self.words)

    @cached_property
    def _seen(self) -> dict[str, tuple[str, ...]]:
        return {}

    def matches(self, text: str) -> list[str]:
        """The words of this term found in ``text`` (as the data file writes them)."""
        seen = self._seen
        got = seen.get(text)
        if got is None:
            if len(seen) >= 65536:
                seen.clear()
            t = fold(text)
            got = seen[text] = tuple(w for w, f in self.folded if f in t)
        return list(got)


def _term(d: dict[str, Any]) -> Term:
    words = tuple((lang, w) for lang, ws in d.get("words", {}).items() for w in ws)
    return Term(d["code"], d["en"], d.get("zh", ""), d.get("ug", ""), words)


@dataclass(frozen=True)
class Taxonomy:
    version: str
    terms: tuple[Term, ...]

    def by_code(self) -> dict[str, Term]:
        return {t.code: t for t in self.terms}


@lru_cache(maxsize=1)
def reasons() -> Taxonomy:
    d = _load("reasons.json")
    return Taxonomy(d["version"], tuple(_term(x) for x in d["labels"]))


@dataclass(frozen=True)
class StatusTaxonomy:
    version: str
    fields: tuple[str, ...]
    terms: tuple[Term, ...]
    by_release_date: frozenset[str]
    unknown: Term
    plausible: tuple[date, date]

    def classify(self, texts: list[str], has_release: bool) -> tuple[str, list[str]]:
        """The first status (in the file's order) whose words appear; the words found."""
        for term in self.terms:
            if term.code in self.by_release_date and has_release:
                return term.code, ["release date"]
            found = [w for t in texts for w in term.matches(t)]
            if found:
                return term.code, sorted(set(found))
        return self.unknown.code, []

    def label(self, code: str) -> Term:
        return next((t for t in self.terms if t.code == code), self.unknown)


@lru_cache(maxsize=1)
def statuses() -> StatusTaxonomy:
    d = _load("status.json")
    return StatusTaxonomy(
        d["version"],
        tuple(d["fields"]),
        tuple(_term(x) for x in d["statuses"]),
        frozenset(x["code"] for x in d["statuses"] if x.get("release_date")),
        _term(d["unknown"]),
        (
            date.fromisoformat(d["plausible_dates"]["from"]),
            date.fromisoformat(d["plausible_dates"]["to"]),
        ),
    )


@dataclass(frozen=True)
class AgeBand:
    code: str
    en: str
    low: int
    high: int
    census: tuple[str, ...] | None


@lru_cache(maxsize=1)
def age_bands() -> tuple[AgeBand, ...]:
    return tuple(
        AgeBand(b["code"], b["en"], b["min"], b["max"], tuple(b["census"]) if b["census"] else None)
        for b in _load("age_bands.json")["bands"]
    )


def age_band(age: int | None) -> str:
    if age is None:
        return "unknown"
    for b in age_bands():
        if b.low <= age <= b.high:
            return b.code
    return "unknown"


def age_on(birth: date | None, day: date | None) -> int | None:
    if birth is None or day is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@lru_cache(maxsize=1)
def ohchr_categories() -> dict[str, Any]:
    return _load("ohchr_categories.json")


@lru_cache(maxsize=1)
def rome_acts() -> dict[str, Any]:
    return _load("rome_statute_art7.json")


@lru_cache(maxsize=1)
def matrix_rules() -> dict[str, Any]:
    return _load("matrix_rules.json")
