"""A reviewer's say: relabel a reason text, confirm or reject a matrix suggestion. Each is a
row with who and when, and an event in the custody log; the latest decision wins."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.analyse.taxonomy import matrix_rules, ohchr_categories, reasons, rome_acts
from guwah.case import Case, CaseError
from guwah.core import case_lock, utcnow
from guwah.store.custody import CustodyLog
from guwah.store.models_analyse import MatrixDecision, ReasonLabel

DECISIONS = ("confirmed", "rejected")


def relabel(case: Case, reason: str, labels: list[str], reviewer: str, note: str = "") -> None:
    """Give every record with exactly this reason text these labels (none: unclassified)."""
    known = reasons().by_code()
    bad = [lb for lb in labels if lb not in known]
    if bad:
        raise CaseError(f"unknown reason label(s): {', '.join(bad)}; known: {', '.join(known)}")
    if not reviewer.strip():
        raise CaseError("a relabel needs the reviewer's name (--reviewer)")
    case.migrate()
    with case_lock(case), case.sessions() as session:
        at = utcnow()
        session.add(ReasonLabel(reason=reason, labels=labels, reviewer=reviewer, note=note, at=at))
        CustodyLog(session, reviewer).append(
            "reason_relabelled",
            details={"reason": reason, "labels": labels, "reviewer": reviewer, "note": note},
        )
        session.commit()


def relabels(session: Session) -> dict[str, ReasonLabel]:
    """Reason text → the latest relabel."""
    out: dict[str, ReasonLabel] = {}
    for r in session.scalars(select(ReasonLabel).order_by(ReasonLabel.id)):
        out[r.reason] = r
    return out


def decide(
    case: Case,
    category: str,
    act: str,
    rule: str,
    decision: str,
    reviewer: str,
    evidence: str = "",
    note: str = "",
) -> None:
    """Confirm or reject what ``rule`` placed in a cell (or one piece of it: ``evidence``)."""
    cats = {c["code"] for c in ohchr_categories()["categories"]}
    acts = {a["code"] for a in rome_acts()["acts"]}
    rules = {r["id"] for r in matrix_rules()["rules"]}
    for what, value, known in (
        ("category", category, cats),
        ("act", act, acts),
        ("rule", rule, rules),
        ("decision", decision, set(DECISIONS)),
    ):
        if value not in known:
            raise CaseError(f"unknown {what} {value!r}; known: {', '.join(sorted(known))}")
    if not reviewer.strip():
        raise CaseError("a decision needs the reviewer's name (--reviewer)")
    case.migrate()
    with case_lock(case), case.sessions() as session:
        session.add(
            MatrixDecision(
                category=category,
                act=act,
                rule=rule,
                evidence=evidence,
                decision=decision,
                reviewer=reviewer,
                note=note,
                at=utcnow(),
            )
        )
        CustodyLog(session, reviewer).append(
            "matrix_decided",
            details={
                "category": category,
                "act": act,
                "rule": rule,
                "evidence": evidence,
                "decision": decision,
                "reviewer": reviewer,
                "note": note,
            },
        )
        session.commit()


def decisions(session: Session) -> dict[tuple[str, str, str, str], MatrixDecision]:
    """(category, act, rule, evidence) → the latest decision."""
    out: dict[tuple[str, str, str, str], MatrixDecision] = {}
    for d in session.scalars(select(MatrixDecision).order_by(MatrixDecision.id)):
        out[(d.category, d.act, d.rule, d.evidence)] = d
    return out
