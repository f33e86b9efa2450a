"""Score an analysis against the synthetic leak's truth: every count the truth can state
(detained by village and by county × sex, residents listed, status, months, reason
categories, households, children with both parents detained) must be equal exactly.

Expected numbers come from the truth file only (``detention.status``, ``reason_labels``,
``household``, ``family``, ``in_resident_list``); observed ones from the analysis tables.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from guwah.analyse.stage import Analysis
from guwah.analyse.tables import Count, Table

Counts = dict[str, dict[Any, int]]


def _age(born: str, day: date) -> int:
    b = date.fromisoformat(born)
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def expected(truth_people: list[dict[str, Any]]) -> Counts:
    det = [p for p in truth_people if p["in_records"] and p["detention"]]
    as_of = max(date.fromisoformat(p["detention"]["date"]) for p in det)
    place = lambda p: (p["county"], p["township"], p["village"])  # noqa: E731
    house = Counter(p["household"] for p in det)
    keys = {p["key"] for p in det}
    kids = 0
    for p in truth_people:
        parents = {f["key"] for f in p["family"] if f["relation"] in ("father", "mother")}
        if _age(p["birth_date"], as_of) < 18 and len(parents) == 2 and parents <= keys:
            kids += 1
    return {
        "detained": {"all": len(det)},
        "detained_by_village": dict(Counter(place(p) for p in det)),
        "residents_by_village": dict(
            Counter(place(p) for p in truth_people if p.get("in_resident_list"))
        ),
        "detained_by_county_sex": dict(Counter((p["county"], p["sex"]) for p in det)),
        "status": dict(Counter(p["detention"]["status"] for p in det)),
        "monthly": dict(Counter(p["detention"]["date"][:7] for p in det)),
        "reasons": dict(Counter(lb for p in det for lb in p["detention"]["reason_labels"])),
        "households": {
            "1": sum(1 for n in house.values() if n == 1),
            "2": sum(1 for n in house.values() if n == 2),
            "3 or more": sum(1 for n in house.values() if n >= 3),
        },
        "children_both_parents_detained": {"all": kids},
    }


def _n(v: Any) -> int:
    assert isinstance(v, Count)
    return v.n


def _int(v: Any) -> int:
    assert isinstance(v, int)
    return v


def observed(by_village: Analysis, by_county_sex: Analysis) -> Counts:
    """From an analysis ``--by village`` and one ``--by county --group sex``."""
    v: Table = by_village.table("detained_by_village")
    c: Table = by_county_sex.table("detained_by_county")
    a = by_village
    di, ri = v.columns.index("detained"), v.columns.index("residents listed")
    return {
        "detained": {"all": _n(a.table("summary").rows[2][1])},
        "detained_by_village": {tuple(r[:3]): _n(r[di]) for r in v.rows if _n(r[di])},
        "residents_by_village": {tuple(r[:3]): _int(r[ri]) for r in v.rows if r[ri]},
        "detained_by_county_sex": {(r[0], r[1]): _n(r[2]) for r in c.rows if _n(r[2])},
        "status": {r[0]: _n(r[-1]) for r in a.table("detained_by_status").rows},
        "monthly": {r[0]: _n(r[1]) for r in a.table("monthly").rows},
        "reasons": {r[0]: _n(r[4]) for r in a.table("reasons").rows if _n(r[4])},
        "households": {r[0]: _int(r[1]) for r in a.table("households").rows[:3] if r[1]},
        "children_both_parents_detained": {"all": _n(a.table("children").rows[0][1])},
    }


def compare(want: Counts, got: Counts) -> dict[str, list[str]]:
    """Per count: the differences in words (an empty list: equal)."""
    out: dict[str, list[str]] = {}
    for name, w in want.items():
        g = got.get(name, {})
        w = {k: n for k, n in w.items() if n}
        if name == "reasons":
            g = {k: n for k, n in g.items() if k not in ("unclassified", "none")}
        diffs = [
            f"{k}: expected {w.get(k, 0)}, got {g.get(k, 0)}"
            for k in sorted(set(w) | set(g), key=str)
            if w.get(k, 0) != g.get(k, 0)
        ]
        out[name] = diffs
    return out
