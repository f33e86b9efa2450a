"""The planted anomalies: their kinds, how many to plant, and their truth entries."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from typing import Any

#: anomalies carried by a person in the records (always a detainee)
PERSON_KINDS = (
    "id_bad_checksum",
    "id_birthdate_mismatch",
    "id_sex_mismatch",
    "id_region_mismatch",
    "id_region_not_in_use",
    "id_conflict",
    "missing_photo",
)
#: anomalies carried by a photo file
PHOTO_KINDS = (
    "exif_time_mismatch",
    "edited_photo",
    "camera_anachronism",
    "duplicate_photo",
    "orphan_photo",
)
DOCUMENT_KINDS = ("document_backdated",)
KINDS = PERSON_KINDS + PHOTO_KINDS + DOCUMENT_KINDS


@dataclass
class Anomaly:
    """One planted anomaly, as the truth file records it."""

    kind: str
    items: list[str]
    field: str
    expected: str
    person: str | None = None
    id_number: str | None = None
    locations: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    values: dict[str, Any] = dataclasses.field(default_factory=dict)
    also: list[str] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "items": list(dict.fromkeys(self.items)),
            "field": self.field,
            "expected": self.expected,
        }
        for key in ("person", "id_number"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.locations:
            out["locations"] = self.locations
        if self.values:
            out["values"] = self.values
        if self.also:
            out["also"] = self.also
        return out


def per_kind(rate: float, eligible: int, n_kinds: int) -> int:
    """How many of each kind to plant: ``rate`` of the eligible items, split across kinds,
    at least one of each when ``rate`` > 0."""
    if rate <= 0 or eligible <= 0:
        return 0
    return max(1, round(rate * eligible / n_kinds))


def spread(rng: random.Random, total: int, weights: list[int]) -> list[int]:
    """Split ``total`` over units in proportion to ``weights`` (randomly, deterministically)."""
    counts = [0] * len(weights)
    if total and any(weights):
        for i in rng.choices(range(len(weights)), weights=weights, k=total):
            counts[i] += 1
    return counts
