"""The header lexicon: column headers of police spreadsheets, per schema field, as data.

The lexicon lives in ``reference/header_lexicon.json``; this module loads it and matches a
header text against it: exact match after normalisation, then a variant contained in the
header, then fuzzy similarity. A header that matches nothing stays unknown (its column is
kept, with its text).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache
from importlib import resources
from typing import Any

LANGUAGES = ("zh", "ug", "ug_latn", "en")
MIN_CONTAINED = 2  # a variant this long or longer may match inside a longer header


def normalise_header(text: str) -> str:
    """Fold a header for matching: full-width forms, accents, case, spaces and punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = [ch for ch in decomposed if unicodedata.category(ch)[0] not in ("M", "P", "S", "Z", "C")]
    return unicodedata.normalize("NFKC", "".join(kept)).casefold()


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # how values are normalised: name, id, sex, ethnicity, date, age, int, text…
    variants: dict[str, tuple[str, ...]]  # by language


@dataclass(frozen=True)
class Match:
    field: str | None
    score: float
    method: str  # exact | contains | fuzzy | none
    variant: str | None = None


NO_MATCH = Match(None, 0.0, "none")


class Lexicon:
    def __init__(self, data: dict[str, Any]) -> None:
        self.version = str(data.get("version", "0"))
        self.threshold = float(data.get("threshold", 0.78))
        self.fields: dict[str, Field] = {}
        for name, spec in data["fields"].items():
            variants = {lang: tuple(spec.get(lang, ())) for lang in LANGUAGES}
            self.fields[name] = Field(name, spec.get("label", name), spec["kind"], variants)
        # normalised variant → (field, variant as written)
        self._exact: dict[str, tuple[str, str]] = {}
        self._all: list[tuple[str, str, str]] = []  # (normalised, field, variant)
        for f in self.fields.values():
            for words in f.variants.values():
                for v in words:
                    key = normalise_header(v)
                    if not key:
                        continue
                    self._exact.setdefault(key, (f.name, v))
                    self._all.append((key, f.name, v))
        self.match = lru_cache(maxsize=20_000)(self._match)

    def kind(self, field: str | None) -> str:
        return self.fields[field].kind if field in self.fields else "text"

    def _match(self, header: str) -> Match:
        """The field a header stands for, with a score in [0, 1]."""
        key = normalise_header(header)
        if not key:
            return NO_MATCH
        hit = self._exact.get(key)
        if hit is not None:
            return Match(hit[0], 1.0, "exact", hit[1])
        best = NO_MATCH
        for norm, field, variant in self._all:
            if len(norm) >= MIN_CONTAINED and norm in key:
                score = 0.7 + 0.3 * len(norm) / len(key)
                method = "contains"
            else:
                # the ratio is at most 2·min/(sum of lengths): skip what cannot reach the bar
                if 2 * min(len(norm), len(key)) / (len(norm) + len(key)) < self.threshold:
                    continue
                score = SequenceMatcher(None, norm, key).ratio()
                method = "fuzzy"
            if score > best.score:
                best = Match(field, round(score, 3), method, variant)
        return best if best.score >= self.threshold else Match(None, best.score, "none")


@cache
def load_lexicon(path: str | None = None) -> Lexicon:
    """The shipped lexicon, or one from ``path`` (same format)."""
    if path is None:
        text = resources.files("guwah").joinpath("reference/header_lexicon.json").read_text("utf-8")
    else:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    return Lexicon(json.loads(text))
