"""The sanctions gap: every official (and every unit) against every imported list, through the
lists engine (:class:`guwah.lists.match.ListMatcher`); per list *listed*, *possible* or *not
listed*, with the score, the explanation and the list version; the implicated but not
sanctioned ranked by the weight of the evidence.

*Listed* needs the engine to call the names one person, nothing to contradict it, and either
something that agrees beyond the name (birth date, nationality, identifier) or a name score of
at least 0.95: a match on the name alone whose birth year disagrees (or any qualifier that
lowers the score) is only *possible*, however high the name scores.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.lists.match import DEFAULT_THRESHOLD, Hit, ListMatcher, Query
from guwah.store.models_officials import Official, OfficialPost, OfficialUnit
from guwah.textsafe import csv_cell

LISTED, POSSIBLE, NOT_LISTED = "listed", "possible", "not listed"
STRONG = 0.95  # a name alone, uncorroborated, must score this to be "listed"
ORG_KINDS = ("public_security_bureau", "public_security_department", "xpcc", "ministry")


@dataclass
class Status:
    status: str
    score: float = 0.0
    caption: str = ""
    explanation: str = ""
    version: str = ""  # list@as_of#id
    entity_id: str = ""

    def cell(self) -> str:
        if self.status == NOT_LISTED:
            return NOT_LISTED
        return f"{self.status} ({self.score:.2f}: {self.caption})"


def evidence_weight(n_documents: int, rank: int, n_mentions: int) -> float:
    """Evidence weight: documents, rank, mentions (a rank-10 minister outweighs a clerk)."""
    return n_documents * 2 + rank * 3 + n_mentions * 0.5


@dataclass
class GapRow:
    kind: str  # official | unit
    id: int
    name: str
    names: list[str]
    jurisdiction: str
    posts: list[str]
    n_documents: int
    n_mentions: int
    rank: int
    birth_date: str | None
    lists: dict[str, Status] = field(default_factory=dict)

    @property
    def weight(self) -> float:
        return evidence_weight(self.n_documents, self.rank, self.n_mentions)

    @property
    def sanctioned(self) -> bool:
        return any(s.status == LISTED for s in self.lists.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "names": self.names,
            "jurisdiction": self.jurisdiction,
            "posts": self.posts,
            "documents": self.n_documents,
            "mentions": self.n_mentions,
            "rank": self.rank,
            "weight": self.weight,
            "lists": {k: s.__dict__ for k, s in self.lists.items()},
        }


def status_of(hits: list[Hit], threshold: float = DEFAULT_THRESHOLD) -> Status:
    """The best hit of one list as listed / possible / not listed."""
    if not hits:
        return Status(NOT_LISTED)
    h = hits[0]
    v = h.listed.version
    version = f"{v['list']}@{v['as_of']}#{v['version']}"
    contradicted = [f for f, val in h.features.items() if f != "name" and val < 0]
    corroborated = [f for f, val in h.features.items() if f != "name" and val > 0]
    explanation = "; ".join(h.explanations)
    if (
        h.score >= threshold
        and h.match
        and not contradicted
        and (corroborated or h.score >= STRONG)
    ):
        return Status(LISTED, h.score, h.listed.caption, explanation, version, h.listed.entity_id)
    if contradicted:
        explanation += f" — contradicted by {', '.join(contradicted)}: possible, not listed"
    elif h.match:
        explanation += f" — the name alone, below {STRONG}: possible, not listed"
    return Status(POSSIBLE, h.score, h.listed.caption, explanation, version, h.listed.entity_id)


def gap_table(
    session: Session, matcher: ListMatcher, threshold: float = DEFAULT_THRESHOLD
) -> tuple[list[GapRow], list[str]]:
    """One row per official and per public-security or XPCC unit; the list names (columns)."""
    list_names = list_names_of(matcher)
    posts = _posts(session)
    rows: list[GapRow] = []
    for o in session.scalars(select(Official).order_by(Official.id)):
        rows.append(official_row(o, posts, matcher, list_names, threshold))
    for u in session.scalars(select(OfficialUnit).where(OfficialUnit.kind.in_(ORG_KINDS))):
        row = GapRow("unit", u.id, u.name, [u.name], u.jurisdiction, [], 0, 0, 0, None)
        row.lists = _screen(Query("PublicBody", names=[u.name]), matcher, list_names, threshold)
        rows.append(row)
    rows.sort(key=lambda r: (r.sanctioned, -r.weight, r.name))
    return rows, list_names


def unsanctioned(
    session: Session, matcher: ListMatcher, top: int, threshold: float = DEFAULT_THRESHOLD
) -> list[GapRow]:
    """The ``top`` officials the leak names (in at least one file) who are listed nowhere,
    heaviest evidence first: the gap table's first official rows, screening only as many
    officials as it takes (in descending weight, which needs no list)."""
    list_names = list_names_of(matcher)
    posts = _posts(session)
    named = session.scalars(select(Official).where(Official.n_documents > 0)).all()
    out: list[GapRow] = []
    for o in sorted(
        named, key=lambda o: (-evidence_weight(o.n_documents, o.rank, o.n_mentions), o.name)
    ):
        row = official_row(o, posts, matcher, list_names, threshold)
        if not row.sanctioned:
            out.append(row)
            if len(out) >= top:
                break
    return out


def _posts(session: Session) -> dict[int, list[str]]:
    posts: dict[int, list[str]] = {}
    for p in session.scalars(select(OfficialPost)):
        label = "".join(x for x in (p.unit, p.title) if x) or p.title
        when = "–".join(x for x in (p.date_from or "", p.date_to or "") if x)
        posts.setdefault(p.official_id, []).append(f"{label} ({when})" if when else label)
    return posts


def official_row(
    o: Official,
    posts: dict[int, list[str]],
    matcher: ListMatcher,
    list_names: list[str],
    threshold: float = DEFAULT_THRESHOLD,
) -> GapRow:
    row = GapRow(
        "official",
        o.id,
        o.name,
        list(o.names or [o.name]),
        o.jurisdiction,
        sorted(set(posts.get(o.id, []))),
        o.n_documents,
        o.n_mentions,
        o.rank,
        o.birth_date,
    )
    row.lists = official_statuses(o, matcher, list_names, threshold)
    return row


def list_names_of(matcher: ListMatcher) -> list[str]:
    """The imported lists' names (the gap table's columns), sorted."""
    return sorted({name for name, _v in matcher.versions})


def official_statuses(
    o: Official,
    matcher: ListMatcher,
    list_names: list[str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> dict[str, Status]:
    """One official against every list: list name → listed / possible / not listed. The gap
    table and the dossier both ask this (one rule for both)."""
    q = Query(
        "Person",
        names=list(dict.fromkeys([o.name, *(o.names or [])])),
        birth_dates=[o.birth_date] if o.birth_date else [],
    )
    names = list_names if list_names is not None else list_names_of(matcher)
    return _screen(q, matcher, names, threshold)


def _screen(
    q: Query, matcher: ListMatcher, list_names: list[str], threshold: float
) -> dict[str, Status]:
    hits = matcher.match(q, threshold=threshold, limit=50)
    return {
        name: status_of([h for h in hits if h.listed.version["list"] == name], threshold)
        for name in list_names
    }


HEAD = ["kind", "name", "names", "jurisdiction", "posts", "documents", "mentions", "rank", "weight"]


def write(rows: list[GapRow], list_names: list[str], out: Path) -> None:
    """The table as CSV or XLSX: one column per imported list (its name at import), then
    the explanation of each non-empty status."""
    head = HEAD + list_names + [f"{n} (why)" for n in list_names]
    table = []
    for r in rows:
        values: list[Any] = [
            r.kind,
            r.name,
            " | ".join(r.names),
            r.jurisdiction,
            "; ".join(r.posts),
            r.n_documents,
            r.n_mentions,
            r.rank,
            round(r.weight, 1),
        ]
        values += [r.lists[n].cell() for n in list_names]
        values += [
            f"{r.lists[n].explanation} [{r.lists[n].version}]" if r.lists[n].version else ""
            for n in list_names
        ]
        table.append([csv_cell(v) if isinstance(v, str) else v for v in values])
    if out.suffix.lower() == ".xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "sanctions gap"
        ws.append(head)
        for line in table:
            ws.append(line)
        wb.save(out)
    else:
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(head)
            w.writerows(table)
