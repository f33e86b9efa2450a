"""The ground-truth file, written as it goes so memory stays bounded at any scale.

Layout (one JSON object): header keys, then ``people`` (one person per line), then
``documents``, ``copies``, ``junk``, ``anomalies`` and ``summary``. See docs/synthetic-leak.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from .data import reference
from .people import Detention, Person

FORMAT = "guwah-synth-truth/1"


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False)


def person_json(p: Person) -> dict[str, Any]:
    v = p.village
    sex = p.recorded.get("sex", p.sex)
    birth = p.recorded.get("birth_date", p.birth_date)
    out: dict[str, Any] = {
        "key": p.key,
        "id_number": p.id_number,
        "name": p.name.chinese,
        "latin": list(p.name.latin),
        "given_name": p.name.given,
    }
    if p.name.father:
        out["father_name"] = p.name.father
    if p.name.surname:
        out["surname"] = p.name.surname
    out.update(
        {
            "sex": "male" if sex == "M" else "female",
            "ethnicity": p.ethnicity,
            "birth_date": f"{birth:%Y-%m-%d}",
            "county_code": v.county.code,
            "county": v.county.name,
            "county_latin": v.county.latin,
            "township": v.township,
            "village": v.name,
            "group": p.group,
            "address": p.address(),
            "household": p.household,
            "relation_to_head": p.relation_to_head,
            "in_records": p.in_records,
            "in_resident_list": p.in_records,  # every person in the records is in a village roster
            "detention": None
            if p.detention is None
            else {
                "facility": p.detention.facility,
                "facility_latin": p.detention.facility_latin,
                "date": f"{p.detention.date:%Y-%m-%d}",
                "reason": p.detention.reason,
                "reason_en": p.detention.reason_en,
            }
            | detention_truth(p.detention),
            "family": [
                {"relation": rel, "key": o.key, "id_number": o.id_number, "name": o.name.chinese}
                for rel, o in p.family()
            ]
            if p.in_records
            else [],
            "rows": [
                {"path": r.path, "sheet": r.sheet, "row": r.row}
                | ({"overrides": r.overrides} if r.overrides else {})
                for r in p.rows
            ],
            "photos": [
                {"path": ph.path, "time": ph.time.isoformat()}
                | ({"copy_of": ph.copy_of} if ph.copy_of else {})
                | ({"duplicate_of": ph.duplicate_of} if ph.duplicate_of else {})
                for ph in p.photos
            ],
            "anomalies": p.anomalies,
        }
    )
    return out


def detention_truth(det: Detention) -> dict[str, Any]:
    """What the analysis stage should find of a detention: status and reason categories."""
    data = reference().detention
    status = next(
        (v for k, v in data["facility_status"].items() if k != "_comment" and k in det.facility),
        "unknown",
    )
    return {"status": status, "reason_labels": list(data["reason_labels"].get(det.reason, []))}


class TruthWriter:
    """Streams the truth JSON: header, people one by one, then the tail."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fh: IO[str] = path.open("w", encoding="utf-8")
        self.n_people = 0
        self.fh.write("{\n")
        for key, value in {"format": FORMAT, **header}.items():
            self.fh.write(f"{_dump(key)}: {_dump(value)},\n")
        self.fh.write('"people": [\n')

    def person(self, p: Person) -> None:
        if self.n_people:
            self.fh.write(",\n")
        self.fh.write(_dump(person_json(p)))
        self.n_people += 1

    def close(self, tail: dict[str, Any]) -> None:
        self.fh.write("\n]")
        for key, value in tail.items():
            self.fh.write(f",\n{_dump(key)}: {_dump(value)}")
        self.fh.write("\n}\n")
        self.fh.close()


def official_mentions(
    lines: list[str], officials: list[dict[str, Any]], issuer: str = ""
) -> dict[str, Any]:
    """Where each official is named in a document's lines (line, character span), its post,
    unit and county; the issuer (落款) and recipients (the line that ends in ：, 抄送/分送)."""
    mentions = []
    for o in officials:
        name = o["name"]
        for li, line in enumerate(lines):
            start = line.find(name)
            while start >= 0:
                mentions.append(
                    {
                        "name": name,
                        "post": o.get("post", ""),
                        "unit": o.get("unit") or post_unit(o.get("post", "")),
                        "county": o.get("county", ""),
                        "jurisdiction": o.get("jurisdiction", o.get("county", "")),
                        "line": li,
                        "start": start,
                        "end": start + len(name),
                    }
                )
                start = line.find(name, start + len(name))
    recipients = [
        line.rstrip("：")
        for line in lines[:4]
        if line.endswith("：") and line != "同志们：" and len(line) <= 40
    ][:1]
    copies = [line.split("：", 1)[1] for line in lines if line.startswith(("抄送：", "分送："))]
    return {"mentions": mentions, "issuer": issuer, "recipients": recipients, "copies": copies}


def quoted_officials() -> list[dict[str, Any]]:
    """The real public officials the templates quote (by name and published post)."""
    return list(reference().documents.get("quoted", []))


POST_TITLES = ("党委书记", "党委委员", "副书记", "书记", "副局长", "局长", "主任", "县长")


def post_unit(post: str) -> str:
    """The unit a post is in: 疏附县委副书记、政法委书记 → 疏附县委."""
    head = post.split("、")[0]
    for t in POST_TITLES:
        if head.endswith(t):
            return head[: -len(t)]
    return head
