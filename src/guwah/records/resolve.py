"""Resolve records and photos into people: by ID number first, then name + birth date.

Never by name alone. Records that share a usable ID number are one person, whatever else
they say (two names or two birth dates under one ID are kept: evidence of an ``id_conflict``).
A record without a usable ID joins the one ID-holder with the same name and full birth date;
with several such ID-holders it stays on its own (ambiguous); with none it joins the other
ID-less records of that name and birth date. A record whose ID went through floating point
joins the one ID-holder of the same name whose ID is that float. A photo whose file name
carries an ID joins the person with that ID (or makes one: a photo no record names).

The records stage applies these rules with indexed queries over scratch tables
(``guwah.records.stage._resolve``), so that memory does not grow with the leak.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from guwah.gb11643 import ids_in_name

SUMMARY_FIELDS = ("name", "birth_date", "sex", "ethnicity")


@dataclass
class RecordKey:
    """What resolution needs of a record."""

    record_id: int
    item_id: int
    sheet_id: int
    id_number: str | None = None
    damaged_id: str | None = None  # the raw text of an ID number flagged id_float
    names: list[tuple[str, str]] = field(default_factory=list)  # (normalised, raw)
    birth_date: str | None = None
    sex: str | None = None
    ethnicity: str | None = None
    detained: bool = False
    place: str | None = None  # village key of the address, for relatives
    house: str | None = None  # the address from the township on: one household
    household_no: str | None = None
    relation_to_head: str | None = None
    relatives: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def name(self) -> str | None:
        return self.names[0][0] if self.names else None


@dataclass
class PhotoKey:
    item_id: int
    path: str
    id_number: str


@dataclass
class Resolved:
    """One person: the records and photos that make it up, and how each joined."""

    records: list[tuple[RecordKey, str]] = field(default_factory=list)  # (record, method)
    photos: list[PhotoKey] = field(default_factory=list)
    id_number: str | None = None

    @property
    def method(self) -> str:
        if self.id_number:
            return "id_number"
        return "name_birth" if len(self.records) > 1 else "single"

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"conflicts": {}}
        for f in SUMMARY_FIELDS:
            seen: dict[str, list[int]] = defaultdict(list)
            for rec, _m in self.records:
                v = rec.name if f == "name" else getattr(rec, f)
                if v:
                    seen[v].append(rec.record_id)
            counts = Counter({v: len(ids) for v, ids in seen.items()})
            out[f] = max(seen, key=lambda v: (counts[v], -min(seen[v]))) if seen else None
            if len(seen) > 1:
                out["conflicts"][f] = [{"value": v, "records": ids} for v, ids in seen.items()]
        out["detained"] = any(r.detained for r, _m in self.records)
        return out


def photo_id(path: str) -> str | None:
    """The ID number in a photo's file name (18 characters or 15 digits), if it has one."""
    found = ids_in_name(path)
    return found[0] if found else None


def _float_key(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
