"""EU lists: the Official Journal transcription CSV (``eu/FORMAT.md``: one row per entity,
multi-valued cells separated by ``;``) and the Financial Sanctions Files XML
(``sanctionEntity`` with ``nameAlias``, ``birthdate``, ``citizenship``, ``address`` …)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from guwah.lists.entity import Entity, ListFormatError

from .common import (
    add_dates,
    add_identifier,
    decode,
    dict_rows,
    parse_xml,
    refine_schema,
    schema_of,
)

AUTHORITY = "Council of the European Union"
REQUIRED = ("recordId", "programKey", "schema", "name")
MULTI = [
    "alias",
    "weakAlias",
    "previousName",
    "country",
    "nationality",
    "jurisdiction",
    "birthPlace",
    "position",
    "passportNumber",
    "gender",
    "address",
    "legalForm",
    "notes",
]


def _multi(cell: str) -> list[str]:
    """A ``;``-separated cell (values with ``;`` are CSV-quoted inside it)."""
    if not cell.strip():
        return []
    return [v.strip() for v in next(csv.reader([cell], delimiter=";", skipinitialspace=True))]


def read_csv(data: bytes) -> Iterator[Entity]:
    """Entities of an EU journal CSV (consolidated or amendment file)."""
    for line, row in dict_rows(decode(data, "EU CSV"), "EU CSV", REQUIRED):
        where = f"EU CSV: line {line}"
        schema = schema_of(row["schema"], where)
        if schema is None:
            continue
        if not row["name"].strip():
            raise ListFormatError(f"{where}: the name cell is empty")
        act = row.get("celex") or row.get("amendedCelex") or ""
        # no printed entry number: the name identifies the entry across versions
        rid = row["recordId"].strip() or re.sub(r"\W+", "-", row["name"].strip().lower())[:80]
        e = Entity(
            id=f"eu-{act}-{row.get('annex', '')}-{rid}".lower(),
            schema=schema,
            location=f"line {line}",
        )
        e.add("name", row["name"])
        for prop in MULTI:
            e.add(prop, *_multi(row.get(prop, "")))
        for prop in ("birthDate", "incorporationDate"):
            for v in _multi(row.get(prop, "")):
                add_dates(e, prop, v)
        for prop in ("registrationNumber", "taxNumber", "idNumber"):
            for v in _multi(row.get(prop, "")):
                add_identifier(e, v)
        e.add("program", row["programKey"])
        e.add("legalAct", act)
        e.add("measure", row.get("measure", ""))
        add_dates(e, "listingDate", row.get("startDate", ""))
        e.add("reason", row.get("reason", ""))
        e.add("authority", AUTHORITY)
        if e.schema == "Person":
            e.properties["gender"] = [g.lower() for g in e.get("gender")]
        refine_schema(e)
        yield e


def read_xml(data: bytes) -> Iterator[Entity]:
    """Entities of an EU Financial Sanctions Files XML."""
    root = parse_xml(data, "EU XML")
    entries = list(root.iter("sanctionEntity"))
    if not entries:
        raise ListFormatError(f"EU XML: no <sanctionEntity> under <{root.tag}>")
    for i, el in enumerate(entries, 1):
        lid = el.get("logicalId", "")
        where = f"EU XML: sanctionEntity #{i}" + (f" (logicalId {lid})" if lid else "")
        st = el.find("subjectType")
        if st is None or not lid:
            raise ListFormatError(f"{where}: no logicalId or <subjectType>")
        schema = schema_of(st.get("code", ""), where)
        if schema is None:
            continue
        e = Entity(id=f"eu-fsf-{lid}", schema=schema, location=f"sanctionEntity logicalId {lid}")
        for n, alias in enumerate(el.iterfind("nameAlias")):
            whole = alias.get("wholeName") or " ".join(
                p for p in (alias.get(k, "") for k in ("firstName", "middleName", "lastName")) if p
            )
            e.add("name" if n == 0 else "alias", whole)
            e.add("gender", {"M": "male", "F": "female"}.get(alias.get("gender", ""), ""))
            e.add("position", alias.get("function", ""))
        if not e.get("name"):
            raise ListFormatError(f"{where}: no <nameAlias> with a name")
        for b in el.iterfind("birthdate"):
            add_dates(e, "birthDate", b.get("birthdate") or _ymd(b))
            e.add(
                "birthPlace",
                ", ".join(
                    v
                    for v in (
                        b.get("city", ""),
                        b.get("place", ""),
                        b.get("countryDescription", ""),
                    )
                    if v
                ),
            )
        for c in el.iterfind("citizenship"):
            e.add("nationality", c.get("countryDescription") or c.get("countryIso2Code", ""))
        for a in el.iterfind("address"):
            e.add(
                "address",
                ", ".join(
                    v
                    for v in (
                        a.get(k, "")
                        for k in (
                            "street",
                            "city",
                            "zipCode",
                            "region",
                            "place",
                            "countryDescription",
                        )
                    )
                    if v
                ),
            )
        for ident in el.iterfind("identification"):
            add_identifier(e, ident.get("latinNumber") or ident.get("number") or "")
        for reg in el.iterfind("regulation"):
            e.add("program", reg.get("programme", ""))
            e.add("legalAct", reg.get("numberTitle", ""))
            add_dates(e, "listingDate", reg.get("publicationDate", ""))
        add_dates(e, "listingDate", el.get("designationDate", ""))
        e.add("reason", *(r.text or "" for r in el.iterfind("remark")))
        e.add("authority", AUTHORITY)
        refine_schema(e)
        yield e


def _ymd(b: object) -> str:
    from xml.etree.ElementTree import Element

    assert isinstance(b, Element)
    y, m, d = b.get("year", ""), b.get("month", ""), b.get("day", "")
    return "-".join(p.zfill(2) for p in (y, m, d) if p and p != "0")
