"""The violation matrix: OHCHR 2022 categories × Rome Statute art. 7(1) acts. Rules
(``matrix_rules.json``) place evidence in cells — people's records, documents — each with
the rule's reasoning; a reviewer confirms or rejects (``guwah analyse decide``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.analyse.facts import PersonFacts
from guwah.analyse.review import decisions
from guwah.analyse.spill import Rows, Spill
from guwah.analyse.tables import Count, Table, Value
from guwah.analyse.taxonomy import fold, matrix_rules, ohchr_categories, rome_acts
from guwah.store.models import Item, Page
from guwah.store.scratch import stream

MAX_DOCUMENT_CHARS = 200_000


class Matrix:
    """The matrix's cells, their counts (people on disk, in the analysis' file) and every piece
    of evidence (rows on disk: one per person and cell on a large leak)."""

    def __init__(
        self,
        categories: list[dict[str, Any]],
        acts: list[dict[str, Any]],
        rules: dict[str, dict[str, Any]],
        spill: Spill,
    ) -> None:
        self.categories, self.acts, self.rules, self.spill = categories, acts, rules, spill
        #: every cell a rule names (its act is a column even with no evidence)
        self.named = {(c, a) for r in rules.values() for c, a in r["cells"]}
        self.groups: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        self.docs: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
        self.n_evidence = 0

    def table(self) -> Table:
        used = sorted({a for _c, a in self.named}, key=lambda a: a)
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
                key = (cat["code"], a)
                row.append(self.spill.count(("cell", *key)) if key in self.groups else None)
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
        for cat, act in sorted(self.groups):
            for rule, status in sorted(self.groups[(cat, act)]):
                t.rows.append(
                    [
                        names.get(cat, cat),
                        f"7(1)({act})",
                        rule,
                        status,
                        self.spill.count(("cellrule", cat, act, rule, status)),
                        " ".join(sorted(self.docs.get((cat, act, rule, status), ()))),
                        self.rules[rule]["reasoning"],
                    ]
                )
        return t

    def long_table(self) -> Table:
        """Every piece of evidence, by cell, then rule, in the order the rule placed it; the
        rows are read from disk as they are iterated."""
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

        def row(r: tuple[Any, ...]) -> list[Value]:
            cat, act, rule, kind, ref, person, words, status, reviewer = r
            return [
                cat,
                act,
                rule,
                kind,
                ref,
                Count((person,)) if person is not None else None,
                words,
                status,
                reviewer,
                self.rules[rule]["reasoning"],
            ]

        sql = (
            "SELECT cat, act, rule, kind, ref, person, words, status, reviewer FROM evidence "
            "ORDER BY cat, act, rule_no, phase, seq, rowid"
        )
        t.rows = cast(list[list[Value]], Rows(self.spill, sql, self.n_evidence, row))
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


class MatrixBuilder:
    """Places evidence in the matrix as the counted people stream past, then the children
    whose parents are both detained and the documents; each piece written to disk."""

    def __init__(self, session: Session, spill: Spill) -> None:
        spec = matrix_rules()
        self.session, self.spill = session, spill
        self.rules: list[dict[str, Any]] = spec["rules"]
        self.matrix = Matrix(
            ohchr_categories()["categories"],
            rome_acts()["acts"],
            {r["id"]: r for r in self.rules},
            spill,
        )
        self.decided = decisions(session)
        people = [(i, r) for i, r in enumerate(self.rules) if r["kind"] == "people"]
        self.person_rules = [
            (i, r) for i, r in people if not r["when"].get("child_parents_detained")
        ]
        self.child_rules = [(i, r) for i, r in people if r["when"].get("child_parents_detained")]
        self.document_rules = [(i, r) for i, r in enumerate(self.rules) if r["kind"] != "people"]
        self._none: set[int] = set()

    def person(self, p: PersonFacts, labels: dict[str, list[str]]) -> None:
        """A counted person: every rule that places them."""
        ref: str | None = None
        for i, rule in self.person_rules:
            words = _person_matches(rule, p, labels, self._none)
            if words is not None:
                if ref is None:
                    ref = p.sources[0].ref() if p.sources else ""
                self._place(i, rule, 1, p.id, "person", ref, p.id, sorted(set(words)))

    def children(self, kids: Iterable[tuple[int, str]]) -> None:
        """The children whose parents are both detained (id order), with their first record."""
        if not self.child_rules:
            return
        for kid, ref in kids:
            for i, rule in self.child_rules:
                self._place(i, rule, 0, kid, "person", ref, kid, ["both parents detained"])

    def documents(self) -> None:
        if not self.document_rules:
            return
        rules = [(i, r, [(w, fold(w)) for w in r["words"]]) for i, r in self.document_rules]
        for seq, (sha, text) in enumerate(_documents(self.session)):
            for i, rule, folded in rules:
                words = [w for w, f in folded if f in text]
                if words:
                    self._place(i, rule, 1, seq, "document", f"document:{sha}", None, words)

    def _place(
        self,
        rule_no: int,
        rule: dict[str, Any],
        phase: int,
        seq: int,
        kind: str,
        ref: str,
        person: int | None,
        words: list[str],
    ) -> None:
        rid, m, spill = rule["id"], self.matrix, self.spill
        for cat, act in rule["cells"]:
            d = self.decided.get((cat, act, rid, ref)) or self.decided.get((cat, act, rid, ""))
            status, reviewer = (
                (d.decision, f"{d.reviewer} {d.at:%Y-%m-%d %H:%M}") if d else ("suggested", "")
            )
            spill.add(
                "evidence",
                (
                    cat,
                    act,
                    rule_no,
                    phase,
                    seq,
                    rid,
                    kind,
                    ref,
                    person,
                    "; ".join(words),
                    status,
                    reviewer,
                ),
            )
            m.n_evidence += 1
            m.groups[(cat, act)].add((rid, status))
            if person is not None:
                spill.ref(("cellrule", cat, act, rid, status), person)
                if status != "rejected":
                    spill.ref(("cell", cat, act), person)
            else:
                m.docs[(cat, act, rid, status)].add(ref.split(":", 1)[1])


def _documents(session: Session) -> Iterator[tuple[str, str]]:
    """(sha256, text folded) of every item with text pages, one item at a time (item order;
    at most about ``MAX_DOCUMENT_CHARS`` of each)."""
    sha_now: str | None = None
    parts: list[str] = []
    size = 0
    rows = stream(
        session.connection(),
        select(Item.sha256, Page.text)
        .join(Page, Page.item_id == Item.id)
        .order_by(Item.id, Page.page_no),
        500,
    )
    for sha, text in rows:
        if sha != sha_now:
            if parts:
                yield sha_now or "", fold("\n".join(parts))
            sha_now, parts, size = sha, [], 0
        if size < MAX_DOCUMENT_CHARS and text:
            parts.append(text)
            size += len(text)
    if parts:
        yield sha_now or "", fold("\n".join(parts))
