"""The UN Security Council Consolidated List XML: ``INDIVIDUALS/INDIVIDUAL`` and
``ENTITIES/ENTITY`` with aliases, dates and places of birth, nationalities, addresses."""

from __future__ import annotations

from collections.abc import Iterator

from guwah.lists.entity import Entity, ListFormatError

from .common import add_dates, parse_xml, refine_schema, text, texts

AUTHORITY = "United Nations Security Council"


def read_xml(data: bytes) -> Iterator[Entity]:
    root = parse_xml(data, "UN XML")
    if root.tag != "CONSOLIDATED_LIST":
        raise ListFormatError(f"UN XML: the root element is <{root.tag}>, not <CONSOLIDATED_LIST>")
    for kind, path in (("Person", "INDIVIDUALS/INDIVIDUAL"), ("Organization", "ENTITIES/ENTITY")):
        for i, el in enumerate(root.iterfind(path), 1):
            did = text(el, "DATAID")
            where = f"UN XML: {path.split('/')[1]} #{i}" + (f" (DATAID {did})" if did else "")
            parts = [
                text(el, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
            ]
            name = " ".join(p for p in parts if p)
            if not did or not name:
                raise ListFormatError(f"{where}: no <DATAID> or <FIRST_NAME>")
            e = Entity(id=f"un-{did}", schema=kind, location=f"{path} DATAID {did}")
            e.add("name", name)
            e.add("alias", text(el, "NAME_ORIGINAL_SCRIPT"))
            for a in el.iterfind("INDIVIDUAL_ALIAS" if kind == "Person" else "ENTITY_ALIAS"):
                prop = "weakAlias" if text(a, "QUALITY").lower() == "low" else "alias"
                e.add(prop, text(a, "ALIAS_NAME"))
            for d in el.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
                add_dates(e, "birthDate", text(d, "DATE") or text(d, "YEAR"))
            for p in el.iterfind("INDIVIDUAL_PLACE_OF_BIRTH"):
                place = [text(p, t) for t in ("CITY", "STATE_PROVINCE", "COUNTRY")]
                e.add("birthPlace", ", ".join(v for v in place if v))
            e.add("nationality", *texts(el, "NATIONALITY/VALUE"))
            e.add("position", *texts(el, "DESIGNATION/VALUE"))
            e.add("gender", text(el, "GENDER").lower())
            for a in el.iterfind("INDIVIDUAL_ADDRESS" if kind == "Person" else "ENTITY_ADDRESS"):
                addr = [text(a, t) for t in ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY")]
                e.add("address", ", ".join(v for v in addr if v))
            e.add("program", text(el, "UN_LIST_TYPE"))
            e.add("idNumber", text(el, "REFERENCE_NUMBER"))
            add_dates(e, "listingDate", text(el, "LISTED_ON"))
            e.add("reason", text(el, "COMMENTS1"))
            e.add("authority", AUTHORITY)
            refine_schema(e)
            yield e
