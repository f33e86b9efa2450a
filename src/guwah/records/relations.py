"""Relatives: link the family a record names to the relatives' own people.

Two sources: a relatives column (``妻子：吐尼沙汗·依明；儿子：…``) and household rosters
(a household number and each member's relation to the head). A named relative is linked
when exactly one person of that name fits (and of the sex the relation implies), looking
first at the same house (address), then the same sheet, the same file, the same village;
otherwise the name is kept as text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from guwah.records.normalise import relation
from guwah.records.resolve import RecordKey, Resolved

FEMALE = {
    "wife",
    "mother",
    "daughter",
    "sister",
    "mother-in-law",
    "grandmother",
    "daughter-in-law",
    "granddaughter",
}
MALE = {
    "husband",
    "father",
    "son",
    "brother",
    "father-in-law",
    "grandfather",
    "son-in-law",
    "grandson",
}
_PLACE = re.compile(r"[^县市区州]*?[乡镇][^乡镇县市]*?村")
_HOUSE = re.compile(r"[^县市区州]*?[乡镇][^乡镇县市]*?村.*$")


def house_key(*texts: str | None) -> str | None:
    """The address from the township on (``博斯坦乡奥依巴格村1组1号``): one household."""
    for t in texts:
        if t:
            m = _HOUSE.search(t)
            if m:
                return m.group(0)
    return None


def place_key(*texts: str | None) -> str | None:
    """The township-and-village part of an address (``博斯坦乡奥依巴格村``), if any."""
    for t in texts:
        if t:
            m = _PLACE.search(t)
            if m:
                return m.group(0)
    return None


def relation_rows(
    people: list[Resolved], ids: list[int], sexes: list[str | None]
) -> list[dict[str, Any]]:
    """Rows of ``person_relations`` for resolved people (``ids``: their person ids)."""
    pid_of: dict[int, int] = {}
    sex_of: dict[int, str | None] = dict(zip(ids, sexes, strict=True))
    for p, pid in zip(people, ids, strict=True):
        for rec, _m in p.records:
            pid_of[rec.record_id] = pid
    by_name: dict[str, set[int]] = defaultdict(set)
    where: dict[int, tuple[set[int], set[int], set[str], set[str]]] = defaultdict(
        lambda: (set(), set(), set(), set())
    )
    for p, pid in zip(people, ids, strict=True):
        for rec, _m in p.records:
            for norm, _raw in rec.names:
                by_name[norm].add(pid)
            sheets, items, places, houses = where[pid]
            sheets.add(rec.sheet_id)
            items.add(rec.item_id)
            if rec.place:
                places.add(rec.place)
            if rec.house:
                houses.add(rec.house)
    rows: list[dict[str, Any]] = []
    households: dict[tuple[int, str], list[RecordKey]] = defaultdict(list)
    for p, pid in zip(people, ids, strict=True):
        for rec, _m in p.records:
            if rec.household_no and rec.relation_to_head:
                households[(rec.sheet_id, rec.household_no)].append(rec)
            for rel, _term, who in rec.relatives:
                cands = by_name.get(who, set()) - {pid}
                if rel in FEMALE:
                    cands = {c for c in cands if sex_of.get(c) != "male"}
                elif rel in MALE:
                    cands = {c for c in cands if sex_of.get(c) != "female"}
                target = _pick(cands, rec, where)
                rows.append(
                    {
                        "person_id": pid,
                        "relation": rel,
                        "relative_name": who,
                        "relative_id": target,
                        "record_id": rec.record_id,
                        "method": "relatives_column",
                    }
                )
    for members in households.values():
        heads = [m for m in members if relation(m.relation_to_head or "") == "head"]
        if len(heads) != 1:
            continue
        head = heads[0]
        for m in members:
            if m is head:
                continue
            rows.append(
                {
                    "person_id": pid_of[head.record_id],
                    "relation": relation(m.relation_to_head or "") or "relative",
                    "relative_name": m.name or "",
                    "relative_id": pid_of[m.record_id],
                    "record_id": m.record_id,
                    "method": "household",
                }
            )
    return rows


def _pick(
    cands: set[int],
    rec: RecordKey,
    where: dict[int, tuple[set[int], set[int], set[str], set[str]]],
) -> int | None:
    if not cands:
        return None
    for test in (
        lambda c: rec.house is not None and rec.house in where[c][3],
        lambda c: rec.sheet_id in where[c][0],
        lambda c: rec.item_id in where[c][1],
        lambda c: rec.place is not None and rec.place in where[c][2],
    ):
        hits = [c for c in cands if test(c)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            return None  # ambiguous: keep the name as text
    return None
