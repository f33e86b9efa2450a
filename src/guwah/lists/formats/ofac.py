"""US Treasury OFAC SDN list: the legacy CSV (``sdn.csv``, no header, ``-0-`` empty) and the
legacy XML (``sdn.xml``: ``sdnList/sdnEntry``). Remarks hold aliases, birth dates, places,
nationality, gender, identifiers and "Linked To:" relations, separated by ``;``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from guwah.lists.entity import Entity, ListFormatError

from .common import (
    add_dates,
    add_identifier,
    add_uscc,
    csv_rows,
    decode,
    parse_xml,
    refine_schema,
    schema_of,
    text,
    texts,
)

AUTHORITY = "US Treasury, Office of Foreign Assets Control (OFAC)"
COLUMNS = 12
NULL = "-0-"
_AKA = re.compile(r"^(a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s*'?(.+?)'?\.?$", re.I)


def _clean(v: str) -> str:
    v = v.strip()
    return "" if v == NULL else v


def read_csv(data: bytes) -> Iterator[Entity]:
    """Entities of an OFAC ``sdn.csv``; vessels and aircraft are skipped."""
    for line, row in csv_rows(decode(data, "OFAC CSV").replace("\x1a", ""), "OFAC CSV"):
        if not any(c.strip() for c in row):
            continue
        if len(row) != COLUMNS:
            raise ListFormatError(
                f"OFAC CSV: line {line}: {len(row)} columns where sdn.csv has {COLUMNS} "
                "(ent_num, SDN_Name, SDN_Type, Program, Title, …, Remarks)"
            )
        num, name, sdn_type, program, title = (_clean(c) for c in row[:5])
        remarks = _clean(row[11])
        if not num.isdigit() or not name:
            raise ListFormatError(f"OFAC CSV: line {line}: no ent_num or SDN_Name ({row[:2]})")
        schema = schema_of(sdn_type or "entity", f"OFAC CSV: line {line}")
        if schema is None:
            continue
        e = Entity(id=f"ofac-{num}", schema=schema, location=f"line {line}")
        e.add("name", _person_name(name) if schema == "Person" else name)
        e.add("sourceName", name)
        e.add("program", *(p.strip(" []") for p in program.split("] [")))
        e.add("position", title)
        e.add("authority", AUTHORITY)
        _remarks(e, remarks)
        refine_schema(e)
        yield e


def _person_name(name: str) -> str:
    """``CHEN, Quanguo`` stays as written: the names engine reads ``FAMILY, Given``."""
    return name


def _remarks(e: Entity, remarks: str) -> None:
    for part in (p.strip() for p in remarks.split(";")):
        if not part:
            continue
        part = part.rstrip(".") if not part.endswith("'.") else part[:-1]
        low = part.lower()
        if m := _AKA.match(part):
            e.add("previousName" if low.startswith("f.k.a") else "alias", m.group(2).strip("'"))
        elif low.startswith("dob "):
            add_dates(e, "birthDate", part[4:])
        elif low.startswith("pob "):
            e.add("birthPlace", part[4:])
        elif low.startswith("nationality "):
            e.add("nationality", part[12:])
        elif low.startswith("citizen "):
            e.add("nationality", part[8:])
        elif low.startswith("gender "):
            e.add("gender", part[7:].lower())
        elif low.startswith("linked to:"):
            e.add("linkedTo", part[10:].strip())
        elif low.startswith("unified social credit code"):
            code = re.sub(r"^unified social credit code\s*(\(uscc\))?\s*", "", part, flags=re.I)
            add_uscc(e, code.split("(")[0])
        elif low.startswith(("registration number", "business registration number")):
            add_identifier(e, re.sub(r"^[A-Za-z ]+number\s*", "", part).split("(")[0])
        elif low.startswith("organization established date"):
            add_dates(e, "incorporationDate", part[len("organization established date") :])
        elif low.startswith("organization type:"):
            e.add("legalForm", part[18:])
        elif low.startswith(("passport ", "national id no.", "identification number")):
            e.add("idNumber", part)
        elif low.startswith("address "):
            e.add("address", part[8:])
        else:
            e.add("notes", part)


def read_xml(data: bytes) -> Iterator[Entity]:
    """Entities of an OFAC legacy ``sdn.xml`` (``sdnList/sdnEntry``)."""
    root = parse_xml(data, "OFAC XML")
    if root.tag != "sdnList":
        raise ListFormatError(f"OFAC XML: the root element is <{root.tag}>, not <sdnList>")
    for i, el in enumerate(root.iterfind("sdnEntry"), 1):
        uid = text(el, "uid")
        where = f"OFAC XML: sdnEntry #{i}" + (f" (uid {uid})" if uid else "")
        if not uid:
            raise ListFormatError(f"{where}: no <uid>")
        schema = schema_of(text(el, "sdnType") or "entity", where)
        if schema is None:
            continue
        e = Entity(id=f"ofac-{uid}", schema=schema, location=f"sdnEntry #{i} uid {uid}")
        e.add("name", _xml_name(el))
        if not e.get("name"):
            raise ListFormatError(f"{where}: no <lastName>")
        e.add("program", *texts(el, "programList/program"))
        e.add("position", text(el, "title"))
        e.add("authority", AUTHORITY)
        for aka in el.iterfind("akaList/aka"):
            prop = "weakAlias" if text(aka, "category").lower() == "weak" else "alias"
            e.add(prop, _xml_name(aka))
        for dob in texts(el, "dateOfBirthList/dateOfBirthItem/dateOfBirth"):
            add_dates(e, "birthDate", dob)
        e.add("birthPlace", *texts(el, "placeOfBirthList/placeOfBirthItem/placeOfBirth"))
        e.add("nationality", *texts(el, "nationalityList/nationality/country"))
        e.add("nationality", *texts(el, "citizenshipList/citizenship/country"))
        for addr in el.iterfind("addressList/address"):
            parts = [text(addr, t) for t in ("address1", "address2", "address3", "city")]
            parts += [text(addr, "stateOrProvince"), text(addr, "country")]
            e.add("address", ", ".join(p for p in parts if p))
        for ident in el.iterfind("idList/id"):
            kind, number = text(ident, "idType"), text(ident, "idNumber")
            if "unified social credit" in kind.lower():
                add_uscc(e, number)
            elif kind.lower() == "gender":
                e.add("gender", number.lower())
            elif "registration" in kind.lower():
                add_identifier(e, number)
            else:
                e.add("idNumber", f"{kind} {number}".strip())
        _remarks(e, text(el, "remarks"))
        refine_schema(e)
        yield e


def _xml_name(el: object) -> str:
    from xml.etree.ElementTree import Element

    assert isinstance(el, Element)
    last, first = text(el, "lastName"), text(el, "firstName")
    return f"{last}, {first}" if first else last
