"""The verify stage: run checks, replace their stored findings, log custody.

Re-running is idempotent: a check's findings and totals are replaced, in one transaction,
each time it runs; checks not run keep theirs. One custody event (``verified``) records
which checks ran and what they found.

Memory: a check's findings are written in batches as it makes them (``Findings``), inside
the transaction that replaces the old ones; the cross-item checks join through temporary
tables (:mod:`guwah.verify.scratch`) on the run's one connection, dropped at the end.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from guwah.case import Case, CaseError
from guwah.core import NoProgress, Progress, case_lock, utcnow
from guwah.ingest.executor import Executor
from guwah.store.custody import CustodyLog
from guwah.store.models import CheckRun, FindingItem, FindingRow, Item
from guwah.verify import scratch
from guwah.verify.base import Check, all_checks
from guwah.verify.context import CheckContext
from guwah.verify.finding import CheckResult, Finding


@dataclass
class CheckOutcome:
    name: str
    status: str  # done | skipped
    n_findings: int = 0
    severities: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    note: str | None = None
    result: CheckResult | None = None


@dataclass
class VerifyRun:
    checks: list[CheckOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def n_findings(self) -> int:
        return sum(c.n_findings for c in self.checks)


def select_checks(names: list[str] | None) -> list[type[Check]]:
    registry = all_checks()
    if not names:
        return list(registry.values())
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise CaseError(
            f"unknown check {', '.join(unknown)}; the checks are: {', '.join(registry)}"
        )
    return [registry[n] for n in registry if n in names]


def run_checks(
    case: Case,
    names: list[str] | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
    custodian: str = "",
) -> VerifyRun:
    """Run the named checks (default: all) and store what they find."""
    checks = select_checks(names)
    progress = progress or NoProgress()
    started = time.perf_counter()
    run = VerifyRun()
    # one connection for the whole run: the scratch tables are temporary (per connection)
    with (
        case_lock(case),
        case.engine.connect() as conn,
        Session(bind=conn, expire_on_commit=False) as session,
    ):
        if not session.scalar(select(func.count()).select_from(Item)):
            raise CaseError(f"{case.root} holds no items yet: run `guwah ingest LEAK` first")
        ctx = CheckContext(
            case,
            session,
            progress,
            executor_factory=(lambda: executor) if executor is not None else None,
        )
        progress.total("checks", len(checks))
        for cls in checks:
            run.checks.append(_run_one(ctx, cls()))
            progress.advance("checks")
        log = CustodyLog(session, custodian or case.settings.custodian)
        log.append(
            "verified",
            details={
                "checks": {
                    c.name: {"status": c.status, "findings": c.n_findings, **c.severities}
                    for c in run.checks
                }
            },
        )
        session.commit()
        scratch.drop(session.connection())
        session.commit()
    run.seconds = time.perf_counter() - started
    return run


def _run_one(ctx: CheckContext, check: Check) -> CheckOutcome:
    why_not = check.ready(ctx)
    if why_not is not None:
        return CheckOutcome(check.name, "skipped", note=why_not)
    check.prepare(ctx)  # work it commits itself (fingerprints), before the findings' transaction
    began, t0 = utcnow(), time.perf_counter()
    writer = FindingWriter(ctx, check.name)
    ctx.writer = writer.write
    try:
        result = check.run(ctx)
        result.findings.flush()
    except BaseException:
        ctx.session.rollback()
        raise
    finally:
        ctx.writer = None
    seconds = time.perf_counter() - t0
    store_result(ctx, check, result, began, seconds)
    return CheckOutcome(
        check.name,
        "done",
        n_findings=len(result.findings),
        severities=Counter(result.findings.severities),
        seconds=seconds,
        result=result,
    )


class FindingWriter:
    """Replaces a check's stored findings: deletes the old ones, then inserts the new ones
    batch by batch, all in the transaction :func:`store_result` commits."""

    def __init__(self, ctx: CheckContext, check: str) -> None:
        self.s = ctx.session
        old = select(FindingRow.id).where(FindingRow.check == check)
        opts = {"synchronize_session": False}
        self.s.execute(
            delete(FindingItem).where(FindingItem.finding_id.in_(old)), execution_options=opts
        )
        self.s.execute(delete(FindingRow).where(FindingRow.check == check), execution_options=opts)
        self.s.execute(delete(CheckRun).where(CheckRun.check == check), execution_options=opts)
        self.now = utcnow()

    def write(self, findings: list[Finding]) -> None:
        rows: list[dict[str, Any]] = [
            {
                "check": f.check,
                "kind": f.kind,
                "severity": f.severity,
                "title": f.title,
                "explanation": f.explanation,
                "values": f.values,
                "created_at": self.now,
            }
            for f in findings
        ]
        if not rows:
            return
        ids = self.s.scalars(
            insert(FindingRow).returning(FindingRow.id, sort_by_parameter_order=True), rows
        ).all()
        items = [
            {
                "finding_id": fid,
                "item_id": i.item_id,
                "sha256": i.sha256,
                "path": i.path,
                "role": i.role,
                "location": i.location,
            }
            for fid, f in zip(ids, findings, strict=True)
            for i in f.items
        ]
        if items:
            self.s.execute(insert(FindingItem), items)


def store_result(
    ctx: CheckContext, check: Check, result: CheckResult, began: datetime, seconds: float
) -> None:
    """Store the check's run row and commit its findings (written by ``FindingWriter``)."""
    s = ctx.session
    s.add(
        CheckRun(
            check=check.name,
            version=check.version,
            started_at=began,
            finished_at=utcnow(),
            seconds=round(seconds, 3),
            n_findings=len(result.findings),
            totals=[t.as_dict() for t in result.totals],
            distributions=result.distributions,
            params={**result.params, "notes": result.notes} if result.notes else result.params,
        )
    )
    s.commit()
