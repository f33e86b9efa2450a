"""FollowTheMoney entities as JSON lines (``{"id", "schema", "properties"}``), the format
OpenSanctions publishes (``entities.ftm.json``). Sanction entities give programme, authority,
dates and reasons to the entity they point at."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from guwah.lists.entity import Entity, ListFormatError

from .common import add_dates, add_identifier, decode, refine_schema

SCHEMA = {
    "Person": "Person",
    "Organization": "Organization",
    "Company": "Company",
    "PublicBody": "PublicBody",
    "LegalEntity": "LegalEntity",
}
DATES = ("birthDate", "incorporationDate")
KEEP = [
    "name",
    "alias",
    "weakAlias",
    "previousName",
    "birthPlace",
    "nationality",
    "citizenship",
    "country",
    "gender",
    "address",
    "position",
    "notes",
    "legalForm",
    "jurisdiction",
    "topics",
]


def read_ftm(data: bytes) -> Iterator[Entity]:
    entities: dict[str, Entity] = {}
    sanctions: list[tuple[int, dict[str, Any]]] = []
    for line, raw in enumerate(decode(data, "FtM").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ListFormatError(f"FtM: line {line}: not JSON ({exc.msg})") from exc
        if not isinstance(obj, dict) or "schema" not in obj or "id" not in obj:
            raise ListFormatError(f"FtM: line {line}: an entity needs 'id' and 'schema'")
        props = obj.get("properties") or {}
        if not isinstance(props, dict):
            raise ListFormatError(f"FtM: line {line}: 'properties' is not an object")
        if obj["schema"] == "Sanction":
            sanctions.append((line, props))
            continue
        schema = SCHEMA.get(obj["schema"])
        if schema is None:
            continue  # vessels, addresses, relations … are not list entities here
        e = Entity(id=str(obj["id"]), schema=schema, location=f"line {line}")
        for prop in KEEP:
            e.add("nationality" if prop == "citizenship" else prop, *map(str, props.get(prop, [])))
        for prop in DATES:
            for v in props.get(prop, []):
                add_dates(e, prop, str(v))
        for prop in ("registrationNumber", "idNumber", "taxNumber", "innCode"):
            for v in props.get(prop, []):
                add_identifier(e, str(v))
        if not e.get("name"):
            raise ListFormatError(f"FtM: line {line}: entity {obj['id']} has no name")
        entities[e.id] = e
    for _line, props in sanctions:
        for target in props.get("entity", []):
            found = entities.get(str(target))
            if found is None:
                continue
            e = found
            e.add("program", *map(str, props.get("program", [])))
            e.add("authority", *map(str, props.get("authority", [])))
            e.add("reason", *map(str, props.get("reason", [])))
            for v in props.get("startDate", []) + props.get("listingDate", []):
                add_dates(e, "listingDate", str(v))
    for e in entities.values():
        refine_schema(e)
        yield e
