"""What a case holds: counts by type and status, errors grouped by cause, bytes and time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guwah.store.models import Cell, CustodyEvent, Item, Occurrence, Page, Run, Sheet, Source


@dataclass
class ErrorGroup:
    cause: str
    count: int
    example_message: str
    example_path: str


@dataclass
class CaseSummary:
    sources: int = 0
    items: int = 0
    bytes: int = 0
    occurrences: int = 0
    by_type: list[tuple[str, int, int]] = field(default_factory=list)  # mime, items, bytes
    by_status: dict[str, int] = field(default_factory=dict)
    unsupported: list[tuple[str, int]] = field(default_factory=list)  # mime, items no reader read
    ocr: dict[str, int] = field(default_factory=dict)
    errors: list[ErrorGroup] = field(default_factory=list)
    extension_mismatches: int = 0
    pages: int = 0
    sheets: int = 0
    cells: int = 0
    custody_events: int = 0
    last_run: dict[str, Any] | None = None

    @property
    def error_total(self) -> int:
        return sum(g.count for g in self.errors)


def summarise(session: Session) -> CaseSummary:
    s = CaseSummary()
    count = func.count()
    s.sources = session.scalar(select(count).select_from(Source)) or 0
    s.items = session.scalar(select(count).select_from(Item)) or 0
    s.bytes = int(session.scalar(select(func.coalesce(func.sum(Item.size), 0))) or 0)
    s.occurrences = session.scalar(select(count).select_from(Occurrence)) or 0
    s.by_type = [
        (mime, n, int(b or 0))
        for mime, n, b in session.execute(
            select(Item.mime, count, func.sum(Item.size)).group_by(Item.mime).order_by(count.desc())
        ).all()
    ]
    s.by_status = dict(session.execute(select(Item.status, count).group_by(Item.status)).all())
    s.unsupported = [
        (mime, n)
        for mime, n in session.execute(
            select(Item.mime, count)
            .where(Item.status == "unsupported")
            .group_by(Item.mime)
            .order_by(count.desc())
        ).all()
    ]
    s.ocr = {
        str(k): v
        for k, v in session.execute(
            select(Item.ocr_status, count)
            .where(Item.ocr_status.is_not(None))
            .group_by(Item.ocr_status)
        ).all()
    }
    s.extension_mismatches = (
        session.scalar(select(count).select_from(Occurrence).where(Occurrence.extension_mismatch))
        or 0
    )
    s.pages = session.scalar(select(count).select_from(Page)) or 0
    s.sheets = session.scalar(select(count).select_from(Sheet)) or 0
    s.cells = session.scalar(select(count).select_from(Cell)) or 0
    s.custody_events = session.scalar(select(count).select_from(CustodyEvent)) or 0
    s.errors = _error_groups(session)
    run = session.scalar(select(Run).order_by(Run.id.desc()).limit(1))
    if run is not None:
        s.last_run = {
            "command": run.command,
            "status": run.status,
            "started_at": run.started_at.isoformat(timespec="seconds"),
            **(run.stats or {}),
        }
    return s


def _error_groups(session: Session) -> list[ErrorGroup]:
    groups: dict[str, ErrorGroup] = {}
    item_rows = session.execute(
        select(Item.error_cause, Item.error, Item.id).where(Item.status == "error")
    ).all()
    for cause, message, item_id in item_rows:
        key = cause or "error"
        if key not in groups:
            path = session.scalar(
                select(Occurrence.path).where(Occurrence.item_id == item_id).limit(1)
            )
            groups[key] = ErrorGroup(key, 0, message or "", path or "")
        groups[key].count += 1
    occ_rows = session.execute(
        select(Occurrence.error_cause, Occurrence.error, Occurrence.path).where(
            Occurrence.status == "error"
        )
    ).all()
    for cause, message, path in occ_rows:
        key = cause or "error"
        if key not in groups:
            groups[key] = ErrorGroup(key, 0, message or "", path)
        groups[key].count += 1
    ocr_rows = session.execute(
        select(Item.ocr_error, Item.id).where(Item.ocr_status == "error")
    ).all()
    for message, _item_id in ocr_rows:
        key = "ocr"
        if key not in groups:
            groups[key] = ErrorGroup(key, 0, message or "", "")
        groups[key].count += 1
    return sorted(groups.values(), key=lambda g: -g.count)


def as_dict(s: CaseSummary) -> dict[str, Any]:
    return {
        "sources": s.sources,
        "items": s.items,
        "bytes": s.bytes,
        "occurrences": s.occurrences,
        "by_type": [{"mime": m, "items": n, "bytes": b} for m, n, b in s.by_type],
        "by_status": s.by_status,
        "unsupported": [{"mime": m, "items": n} for m, n in s.unsupported],
        "ocr": s.ocr,
        "errors": [g.__dict__ for g in s.errors],
        "extension_mismatches": s.extension_mismatches,
        "pages": s.pages,
        "sheets": s.sheets,
        "cells": s.cells,
        "custody_events": s.custody_events,
        "last_run": s.last_run,
    }
