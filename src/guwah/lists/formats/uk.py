"""The UK Sanctions List (FCDO): CSV (a metadata line, then one row per name, grouped by
``Unique ID``) and XML (``Designation`` elements). Layout in ``sanctions/FORMATS.md``."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

from guwah.lists.entity import Entity, ListFormatError

from .common import (
    add_dates,
    add_identifier,
    decode,
    dict_rows,
    parse_xml,
    refine_schema,
    schema_of,
    text,
    texts,
)

AUTHORITY = "UK Foreign, Commonwealth and Development Office (FCDO)"
REQUIRED = ("Designation Type", "Unique ID", "Name 6", "Name type", "Regime Name")
PRIMARY = ("primary name", "primary name variation")


def _name(parts: list[str]) -> str:
    """Name 1…5 are given names, Name 6 the family or organisation name."""
    given = " ".join(p for p in parts[:5] if p)
    family = parts[5] if len(parts) > 5 else ""
    return f"{family}, {given}" if family and given else family or given


def _schema(word: str, where: str) -> str | None:
    return schema_of({"ship": "vessel"}.get(word.strip().lower(), word), where)


def read_csv(data: bytes) -> Iterator[Entity]:
    """Entities of ``UK-Sanctions-List.csv`` (rows of one Unique ID merged)."""
    entities: dict[str, Entity] = {}
    for line, row in dict_rows(decode(data, "UK CSV"), "UK CSV", REQUIRED, skip=1):
        where = f"UK CSV: line {line}"
        uid = row["Unique ID"].strip()
        if not uid:
            raise ListFormatError(f"{where}: the Unique ID cell is empty")
        schema = _schema(row["Designation Type"], where)
        if schema is None:
            continue
        e = entities.get(uid)
        if e is None:
            e = entities[uid] = Entity(id=f"uk-{uid}".lower(), schema=schema, location=where)
        name = _name([row.get(f"Name {i}", "").strip() for i in range(1, 7)])
        primary = row["Name type"].strip().lower() in PRIMARY
        e.add("name" if primary and not e.get("name") else "alias", name)
        e.add("alias", row.get("Name non-latin script", ""))
        e.add("program", row["Regime Name"])
        add_dates(e, "listingDate", row.get("Date Designated", ""))
        e.add("reason", row.get("UK Statement of Reasons", ""))
        e.add("notes", row.get("Other Information", ""))
        e.add("legalForm", row.get("Type of entity", ""))
        for reg in row.get("Business registration number (s)", "").split("|"):
            add_identifier(e, reg)
        addr = [row.get(f"Address Line {i}", "") for i in range(1, 7)]
        addr += [row.get("Address Postal Code", ""), row.get("Address Country", "")]
        e.add("address", ", ".join(a.strip() for a in addr if a.strip()))
        e.add("parent", row.get("Parent company", ""))
        e.add("subsidiaries", *row.get("Subsidiaries", "").split("|"))
        add_dates(e, "birthDate", row.get("D.O.B", ""))
        e.add("gender", row.get("Gender", "").lower())
        e.add(
            "birthPlace",
            ", ".join(
                v.strip()
                for v in (row.get("Town of birth", ""), row.get("Country of birth", ""))
                if v.strip()
            ),
        )
        e.add("nationality", *row.get("Nationality(/ies)", "").split("|"))
        e.add("position", *row.get("Position", "").split("|"))
        e.add("authority", AUTHORITY)
    for e in entities.values():
        if not e.get("name") and e.get("alias"):
            e.properties["name"] = [e.properties["alias"].pop(0)]
        refine_schema(e)
        yield e


def read_xml(data: bytes) -> Iterator[Entity]:
    """Entities of ``UK-Sanctions-List.xml``."""
    root = parse_xml(data, "UK XML")
    entries = list(root.iter("Designation"))
    if not entries:
        raise ListFormatError(f"UK XML: no <Designation> under <{root.tag}>")
    for i, el in enumerate(entries, 1):
        uid = text(el, "UniqueID")
        where = f"UK XML: Designation #{i}" + (f" (UniqueID {uid})" if uid else "")
        if not uid:
            raise ListFormatError(f"{where}: no <UniqueID>")
        schema = _schema(text(el, "IndividualEntityShip"), where)
        if schema is None:
            continue
        e = Entity(id=f"uk-{uid}".lower(), schema=schema, location=f"Designation {uid}")
        for n in el.iterfind("Names/Name"):
            name = _name([text(n, f"Name{k}") for k in range(1, 7)])
            primary = text(n, "NameType").lower() in PRIMARY
            e.add("name" if primary and not e.get("name") else "alias", name)
        e.add("alias", *texts(el, "NonLatinNames/NonLatinName/NameNonLatinScript"))
        e.add("alias", *texts(el, "NonLatinNames/NameNonLatinScript"))
        if not e.get("name"):
            if not e.get("alias"):
                raise ListFormatError(f"{where}: no <Names/Name>")
            e.properties["name"] = [e.properties["alias"].pop(0)]
        e.add("program", text(el, "RegimeName"))
        add_dates(e, "listingDate", text(el, "DateDesignated"))
        e.add("reason", text(el, "UKStatementofReasons"))
        e.add("notes", text(el, "OtherInformation"))
        for a in el.iterfind("Addresses/Address"):
            parts = [text(a, f"AddressLine{k}") for k in range(1, 7)]
            parts += [text(a, "AddressPostalCode"), text(a, "AddressCountry")]
            e.add("address", ", ".join(p for p in parts if p))
        _individual(e, el)
        e.add("authority", AUTHORITY)
        refine_schema(e)
        yield e


def _individual(e: Entity, el: Element) -> None:
    for ind in el.iterfind("IndividualDetails/Individual"):
        for dob in texts(ind, "DOBs/DOB"):
            add_dates(e, "birthDate", dob)
        for loc in ind.iterfind("BirthDetails/Location"):
            place = [text(loc, "TownOfBirth"), text(loc, "CountryOfBirth")]
            e.add("birthPlace", ", ".join(p for p in place if p))
        e.add("nationality", *texts(ind, "Nationalities/Nationality"))
        e.add("position", *texts(ind, "Positions/Position"))
        e.add("gender", *(g.lower() for g in texts(ind, "Genders/Gender")))
        e.add("gender", text(ind, "Gender").lower())
