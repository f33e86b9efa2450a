"""The patterns the officials stage reads: ``guwah/reference/officials/patterns.json``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Patterns:
    titles: dict[str, int]  # title → rank (0–10)
    unit_suffixes: dict[str, str]  # suffix → kind
    labels: dict[str, str]  # label → role
    followers: tuple[str, ...]
    places: dict[str, str]  # name → level
    not_names: frozenset[str]
    title_re: re.Pattern[str]
    label_re: re.Pattern[str]

    def rank(self, title: str) -> int:
        return max((self.titles.get(t, 0) for t in re.split("[、,，]", title)), default=0)


def _alternation(words: Any) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def patterns() -> Patterns:
    text = (resources.files("guwah") / "reference" / "officials" / "patterns.json").read_text(
        "utf-8"
    )
    raw = json.loads(text)
    titles = dict(raw["titles"])
    labels = dict(raw["labels"])
    return Patterns(
        titles=titles,
        unit_suffixes=dict(raw["unit_suffixes"]),
        labels=labels,
        followers=tuple(sorted(raw["followers"], key=len, reverse=True)),
        places=dict(raw["places"]),
        not_names=frozenset(raw["not_names"]),
        title_re=re.compile(f"(?:{_alternation(titles)})"),
        label_re=re.compile(f"(?:{_alternation(labels)})\\s*[：:]"),
    )
