"""The violation matrix: OHCHR 2022 categories × Rome Statute art. 7(1) acts. Rules
(``matrix_rules.json``) place evidence in cells — people's records, documents — each with
the rule's reasoning; a reviewer confirms or rejects (``guwah analyse decide``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.analyse.facts import PersonFacts
from guwah.analyse.review import decisions
from guwah.analyse.tables import Count, Table
from guwah.analyse.taxonomy import fold, matrix_rules, ohchr_categories, rome_acts
from guwah.store.models import Item, Page

MAX_DOCUMENT_CHARS = 200_000


@dataclass
class Evidence:
    rule: str
    kind: str  # person | document
    ref: str  # record:SHA:SHEET:ROW (the person's first record) or document:SHA
    person: int | None
    words: list[str]
    status: str = "suggested"  # suggested | confirmed | rejected
    reviewer: str = ""


@dataclass
class Matrix:
    categories: list[dict[str, Any]]
    acts: list[dict[str, Any]]
    rules: dict[str, dict[str, Any]]
    cells: dict[tuple[str, str], list[Evidence]] = field(default_factory=dict)

    def table(self) -> Table:
        used = sorted({a for _c, a in self.cells}, key=lambda a: a)
        t = Table(
            "violation_matrix",
            "Violation matrix: OHCHR 2022 categories × Rome Statute art. 7(1)",
            ["category"] + [f"art. 7(1)({a})" for a in used],
            note="Each cell: the people placed there by rule (suggested, confirmed, rejected) and "
            "documents. A suggestion is not a finding until a reviewer confirms it.",
        )
        for cat in self.categories:
            row: list[Any] = [cat["en"]]
            for a in used:
                ev = self.cells.get((cat["code"], a), [])
                people = [e.person for e in ev if e.person is not None and e.status != "rejected"]
                row.append(Count(tuple(sorted(set(people)))) if people or ev else None)
            t.rows.append(row)
        return t

    def rules_table(self) -> Table:
        """Per cell and rule: its status, the people and documents it placed, its reasoning."""
        t = Table(
            "violation_matrix_rules",
            "Violation matrix: what each rule placed in each cell",
            ["category", "act", "rule", "status", "people", "documents", "reasoning"],
        )
        names = {c["code"]: c["en"] for c in self.categories}
        for (cat, act), evs in sorted(self.cells.items()):
            groups: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
            for e in evs:
                groups[(e.rule, e.status)].append(e)
            for (rule, status), es in sorted(groups.items()):
                people = sorted({e.person for e in es if e.person is not None})
                docs = sorted({e.ref.split(":", 1)[1] for e in es if e.kind == "document"})
                t.rows.append(
                    [
                        names.get(cat, cat),
                        f"7(1)({act})",
                        rule,
                        status,
                        Count(tuple(people)),
                        " ".join(docs),
                        self.rules[rule]["reasoning"],
                    ]
                )
        return t

    def long_table(self) -> Table:
        t = Table(
            "violation_matrix_evidence",
            "Violation matrix: every piece of evidence",
            [
                "category",
                "act",
                "rule",
                "kind",
                "evidence",
                "person",
                "words",
                "status",
                "reviewer",
                "reasoning",
            ],
        )
        for (cat, act), evs in sorted(self.cells.items()):
            for e in evs:
                t.rows.append(
                    [
                        cat,
                        act,
                        e.rule,
                        e.kind,
                        e.ref,
                        Count((e.person,)) if e.person is not None else None,
                        "; ".join(e.words),
                        e.status,
                        e.reviewer,
                        self.rules[e.rule]["reasoning"],
                    ]
                )
        return t


def _person_matches(
    rule: dict[str, Any], p: PersonFacts, labels: dict[str, list[str]], children: set[int]
) -> list[str] | None:
    when = rule["when"]
    if "reason_labels" in when:
        hit = [lb for lb in when["reason_labels"] if lb in labels]
        return [w for lb in hit for w in labels[lb]] if hit else None
    if "status" in when:
        return [p.status] if p.status in when["status"] else None
    if when.get("child_parents_detained"):
        return None  # placed from the children list, not the detainee
    return [] if when.get("detained") else None


def build_matrix(
    session: Session,
    facts: dict[int, PersonFacts],
    counted: list[PersonFacts],
    labels: dict[int, dict[str, list[str]]],
    children: list[int],
) -> Matrix:
    spec = matrix_rules()
    m = Matrix(
        ohchr_categories()["categories"], rome_acts()["acts"], {r["id"]: r for r in spec["rules"]}
    )
    cells: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    kids = set(children)
    docs = _documents(session) if any(r["kind"] == "documents" for r in spec["rules"]) else []
    for rule in spec["rules"]:
        found: list[Evidence] = []
        if rule["kind"] == "people":
            if rule["when"].get("child_parents_detained"):
                for k in sorted(kids):
                    p = facts[k]
                    found.append(
                        Evidence(
                            rule["id"],
                            "person",
                            p.sources[0].ref() if p.sources else "",
                            k,
                            ["both parents detained"],
                        )
                    )
            for p in counted:
                words = _person_matches(rule, p, labels.get(p.id, {}), kids)
                if words is not None:
                    ref = p.sources[0].ref() if p.sources else ""
                    found.append(Evidence(rule["id"], "person", ref, p.id, sorted(set(words))))
        else:
            folded = [(w, fold(w)) for w in rule["words"]]
            for sha, t in docs:
                words = [w for w, f in folded if f in t]
                if words:
                    found.append(Evidence(rule["id"], "document", f"document:{sha}", None, words))
        for cat, act in rule["cells"]:
            cells[(cat, act)].extend(Evidence(**e.__dict__) for e in found)
    decided = decisions(session)
    for (cat, act), evs in cells.items():
        for e in evs:
            d = decided.get((cat, act, e.rule, e.ref)) or decided.get((cat, act, e.rule, ""))
            if d is not None:
                e.status, e.reviewer = d.decision, f"{d.reviewer} {d.at:%Y-%m-%d %H:%M}"
    m.cells = dict(cells)
    return m


def _documents(session: Session) -> list[tuple[str, str]]:
    """(sha256, text folded) of every item with text pages that is not a spreadsheet."""
    texts: dict[str, list[str]] = defaultdict(list)
    size: dict[str, int] = defaultdict(int)
    for sha, text in session.execute(
        select(Item.sha256, Page.text)
        .join(Page, Page.item_id == Item.id)
        .order_by(Item.id, Page.page_no)
    ):
        if size[sha] < MAX_DOCUMENT_CHARS and text:
            texts[sha].append(text)
            size[sha] += len(text)
    return [(sha, fold("\n".join(parts))) for sha, parts in texts.items()]
