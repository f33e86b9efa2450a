"""Indicators (birth rate, IUD placements, …) and the Chinese labels yearbooks print for
them, read from ``reference/stats/indicators.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    zh: tuple[str, ...]
    kind: str  # rate | count | share
    units: tuple[str, ...]  # unit families it may be stated in


@cache
def indicators() -> dict[str, Indicator]:
    text = (resources.files("guwah") / "reference" / "stats" / "indicators.json").read_text(
        encoding="utf-8"
    )
    out = {}
    for row in json.loads(text)["indicators"]:
        out[row["id"]] = Indicator(
            row["id"], row["label"], tuple(row["zh"]), row["kind"], tuple(row["units"])
        )
    return out


@cache
def _labels() -> list[tuple[str, str]]:
    pairs = [(zh, ind.id) for ind in indicators().values() for zh in ind.zh]
    return sorted(pairs, key=lambda p: -len(p[0]))


def match_indicator(text: str) -> str | None:
    """The indicator a label names (the longest Chinese label it contains), or None."""
    compact = "".join(text.split())
    for zh, ind_id in _labels():
        if zh in compact:
            return ind_id
    low = compact.lower()
    for ind in indicators().values():
        if (
            ind.id.replace("_", "") in low.replace("_", "")
            or ind.label.lower().replace(" ", "") in low
        ):
            return ind.id
    return None


def find_indicator(key: str) -> str | None:
    """An indicator named by id, English label or Chinese label (for ``--indicator``)."""
    if key in indicators():
        return key
    for ind in indicators().values():
        if key.lower() == ind.label.lower() or key in ind.zh:
            return ind.id
    return match_indicator(key)
