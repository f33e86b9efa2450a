"""A list of one's own as CSV: a header with ``name`` (required) and any of ``id``, ``schema``,
``alias`` (``;``-separated), ``birthDate``, ``birthPlace``, ``nationality``, ``gender``,
``address``, ``registrationNumber``, ``program``, ``authority``, ``listingDate``, ``reason``,
``linkedTo``, ``parent``."""

from __future__ import annotations

from collections.abc import Iterator

from guwah.lists.entity import Entity, ListFormatError

from .common import add_dates, add_identifier, decode, dict_rows, schema_of

MULTI = [
    "alias",
    "weakAlias",
    "previousName",
    "birthPlace",
    "nationality",
    "gender",
    "address",
    "program",
    "authority",
    "reason",
    "linkedTo",
    "parent",
    "position",
    "notes",
]


def read_csv(data: bytes) -> Iterator[Entity]:
    for line, row in dict_rows(decode(data, "CSV"), "CSV", ("name",)):
        where = f"CSV: line {line}"
        if not row["name"].strip():
            raise ListFormatError(f"{where}: the name cell is empty")
        schema = schema_of(row.get("schema") or "Organization", where)
        if schema is None:
            continue
        e = Entity(id=row.get("id", "").strip() or f"row-{line}", schema=schema, location=where)
        e.add("name", row["name"])
        for prop in MULTI:
            e.add(prop, *row.get(prop, "").split(";"))
        for prop in ("birthDate", "incorporationDate", "listingDate"):
            for v in row.get(prop, "").split(";"):
                add_dates(e, prop, v)
        for v in row.get("registrationNumber", "").split(";"):
            add_identifier(e, v)
        yield e
