"""Score the records stage against a synthetic leak's ground truth (``guwah synth``).

Two figures: the share of values read into the right field with the right normalised value
(per truth row, planted ``overrides`` honoured), and pairwise precision/recall/F1 of people
(pairs of records and photos placed in one person, against the truth's people). Used by
``benchmarks/records.py`` and the end-to-end test.

The truth is taken as the generator wrote it (names with ``·``, ISO dates, ``male``…), never
passed through the records stage's own normalisers: the stage is graded, not its echo.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.store.models import (
    Occurrence,
    Person,
    PersonRelation,
    PersonSource,
    Record,
    RecordValue,
    Sheet,
)

UNCHECKED = {"seq", "notes", "category"}  # columns the truth holds no value for


@dataclass
class Evaluation:
    values_checked: int = 0
    values_correct: int = 0
    values_flagged: int = 0  # damaged ID numbers flagged, not read (counted correct)
    wrong: Counter[str] = field(default_factory=Counter)
    wrong_examples: list[str] = field(default_factory=list)
    truth_rows: int = 0
    missing_rows: int = 0
    spurious_records: int = 0
    pairs_truth: int = 0
    pairs_predicted: int = 0
    pairs_correct: int = 0
    relations_linked: int = 0
    relations_linked_correct: int = 0

    @property
    def value_accuracy(self) -> float:
        return self.values_correct / self.values_checked if self.values_checked else 0.0

    @property
    def precision(self) -> float:
        return self.pairs_correct / self.pairs_predicted if self.pairs_predicted else 1.0

    @property
    def recall(self) -> float:
        return self.pairs_correct / self.pairs_truth if self.pairs_truth else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "wrong_examples"}
        out["wrong"] = dict(self.wrong)
        out.update(
            value_accuracy=round(self.value_accuracy, 5),
            precision=round(self.precision, 5),
            recall=round(self.recall, 5),
            f1=round(self.f1, 5),
        )
        return out


def _truth_values(p: dict[str, Any], over: dict[str, str]) -> dict[str, Any]:
    det = p.get("detention") or {}
    return {
        "name": over.get("name", p["name"]),
        "id_number": p["id_number"],
        "sex": p["sex"],
        "ethnicity": p["ethnicity"],
        "birth_date": over.get("birth_date", p["birth_date"]),
        "address": p["address"],
        "reason": det.get("reason"),
        "facility": det.get("facility"),
        "detention_date": det.get("date"),
        "relation_to_head": p.get("relation_to_head"),
        "household_no": (p.get("household") or "")[-4:],
        "group": f"{p.get('group')}组",
        "relatives": {f["name"] for f in p.get("family", [])},
    }


def _correct(f: str, value: str | None, raw: str, problem: str | None, t: dict[str, Any]) -> bool:
    if f in ("household_address", "current_address"):
        return bool(value) and t["address"].endswith(value)
    if f == "relatives":  # the stored value: "妻子：吐尼沙汗·依明；儿子：…"
        return {part.split("：", 1)[-1] for part in (value or "").split("；")} == t["relatives"]
    if f == "id_number" and problem == "id_float":
        return float(raw) == float(t["id_number"])
    return f in t and value == t[f]


def evaluate(session: Session, truth_path: Path) -> Evaluation:
    truth = json.loads(truth_path.read_text("utf-8"))
    ev = Evaluation()
    item_of: dict[str, int | None] = dict(
        session.execute(select(Occurrence.path, Occurrence.item_id)).all()
    )
    sheet_of: dict[tuple[int, str | None], int] = {}
    for sid, item_id, name, index in session.execute(
        select(Sheet.id, Sheet.item_id, Sheet.name, Sheet.sheet_index)
    ):
        sheet_of[(item_id, name)] = sid
        if index == 0:
            sheet_of[(item_id, None)] = sid
    record_of: dict[tuple[int, int], tuple[int, int | None]] = {
        (s, r): (rid, pid)
        for rid, s, r, pid in session.execute(
            select(Record.id, Record.sheet_id, Record.row, Record.person_id)
        )
    }
    values: dict[int, list[tuple[str | None, str | None, str, str | None]]] = defaultdict(list)
    for rid, f, v, raw, problem in session.execute(
        select(
            RecordValue.record_id,
            RecordValue.field,
            RecordValue.value,
            RecordValue.raw,
            RecordValue.problem,
        )
    ):
        values[rid].append((f, v, raw, problem))
    photo_person = {
        path: pid
        for path, pid in session.execute(
            select(PersonSource.path, PersonSource.person_id).where(PersonSource.kind == "photo")
        )
    }
    # a truth person is its key and ID number: the generator can give two photo-only
    # (orphan_photo) people of one village the same key, never the same ID number
    truth_cluster: dict[tuple[str, Any], tuple[str, str]] = {}
    seen_records: set[int] = set()
    family_ids: dict[str, set[str]] = {}
    for p in truth["people"]:
        family_ids[p["id_number"]] = {f["id_number"] for f in p.get("family", [])}
        for row in p["rows"]:
            ev.truth_rows += 1
            item = item_of.get(row["path"])
            found = sheet_of.get((item, row["sheet"])) if item is not None else None
            hit = record_of.get((found, row["row"])) if found is not None else None
            if hit is None:
                ev.missing_rows += 1
                continue
            rid = hit[0]
            seen_records.add(rid)
            truth_cluster[("r", rid)] = (p["key"], p["id_number"])
            t = _truth_values(p, row.get("overrides") or {})
            for f, v, raw, problem in values[rid]:
                if f in UNCHECKED:
                    continue
                ev.values_checked += 1
                if f is not None and _correct(f, v, raw, problem, t):
                    ev.values_correct += 1
                    ev.values_flagged += problem == "id_float"
                else:
                    ev.wrong[f or "unmapped"] += 1
                    if len(ev.wrong_examples) < 20:
                        ev.wrong_examples.append(
                            f"{row['path']} {row['sheet']} row {row['row']}: {f}={v!r} "
                            f"(raw {raw!r}, truth {t.get(f or '', t.get('address'))!r})"
                        )
        for photo in p["photos"]:
            truth_cluster[("p", photo["path"])] = (p["key"], p["id_number"])
    ev.spurious_records = len(record_of) - len(seen_records)
    predicted: dict[tuple[str, Any], Any] = {}
    for rid, pid in record_of.values():
        if rid in seen_records:
            predicted[("r", rid)] = pid if pid is not None else ("none", rid)
    for el in truth_cluster:
        if el[0] == "p":
            predicted[el] = photo_person.get(el[1], ("none", el[1]))
    _pairs(ev, truth_cluster, predicted)
    _relations(session, ev, family_ids)
    return ev


def _pairs(
    ev: Evaluation,
    truth: dict[tuple[str, Any], tuple[str, str]],
    predicted: dict[tuple[str, Any], Any],
) -> None:
    def pairs(counts: Counter[Any]) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    ev.pairs_truth = pairs(Counter(truth.values()))
    ev.pairs_predicted = pairs(Counter(predicted[e] for e in truth))
    ev.pairs_correct = pairs(Counter((truth[e], predicted[e]) for e in truth))


def _relations(session: Session, ev: Evaluation, family_ids: dict[str, set[str]]) -> None:
    id_of: dict[int | None, str | None] = dict(
        session.execute(select(Person.id, Person.id_number)).all()
    )
    for pid, rel_id in session.execute(
        select(PersonRelation.person_id, PersonRelation.relative_id).where(
            PersonRelation.relative_id.is_not(None)
        )
    ):
        ev.relations_linked += 1
        mine = id_of.get(pid) or ""
        ev.relations_linked_correct += (id_of.get(rel_id) or "") in family_ids.get(mine, set())
