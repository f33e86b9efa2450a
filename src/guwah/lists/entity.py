"""A list entity as read from a list file, before it is stored: a FollowTheMoney-like schema
and multi-valued properties, with where in the file it came from."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

SCHEMAS = ("Person", "Organization", "Company", "PublicBody", "LegalEntity")
# Properties every reader may fill (FollowTheMoney names where FtM has one).
NAME_PROPS = ("name", "alias", "weakAlias", "previousName")


class ListFormatError(ValueError):
    """A list file that cannot be read; the message names the line or element."""


@dataclass
class Entity:
    """One listed party: ``schema`` is one of :data:`SCHEMAS`."""

    id: str
    schema: str
    location: str = ""
    properties: dict[str, list[str]] = field(default_factory=dict)

    def add(self, prop: str, *values: str | None) -> None:
        """Add trimmed, non-empty values, each once, in order."""
        seen = self.properties.setdefault(prop, [])
        for value in values:
            v = " ".join((value or "").split())
            if v and v not in seen:
                seen.append(v)
        if not seen:
            del self.properties[prop]

    def get(self, prop: str) -> list[str]:
        return self.properties.get(prop, [])

    @property
    def caption(self) -> str:
        for prop in NAME_PROPS:
            if self.get(prop):
                return self.get(prop)[0]
        return self.id

    def names(self) -> list[str]:
        return [n for p in NAME_PROPS for n in self.get(p)]

    def digest(self) -> str:
        canonical = json.dumps(
            {"schema": self.schema, "properties": self.properties},
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "schema": self.schema, "properties": self.properties}
