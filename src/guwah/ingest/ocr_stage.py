"""OCR as its own resumable step after preservation.

Extraction marks the items that need OCR (``ocr_status = 'pending'``: scans that pass the
cheap text test, image-only PDF pages). This step OCRs them in worker processes, one
single-threaded Tesseract per worker, and can be stopped and resumed. ``force`` also OCRs
images the text test skipped.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from guwah.case import Case
from guwah.core import NoProgress, Progress, case_lock
from guwah.ingest.executor import Executor, WorkerCrash, make_executor
from guwah.ingest.ocr import UNRELIABLE_BELOW, OcrPage
from guwah.ingest.tasks import OcrOutcome, OcrTask, object_store, ocr_task
from guwah.store.custody import CustodyLog
from guwah.store.models import Item, Page

OCR_IMAGE_TYPES = ("image/jpeg", "image/png", "image/tiff", "image/gif", "image/bmp", "image/webp")


PAGES_PER_TASK = 4  # a long scanned PDF is OCR'd in tasks of this many pages


@dataclass
class OcrStats:
    items: int = 0
    pages: int = 0
    errors: int = 0
    unreliable: int = 0  # pages whose mean word confidence is under ocr.UNRELIABLE_BELOW
    seconds: float = 0.0


def _candidates(
    session: Session, force: bool, retry: bool = False
) -> Iterator[tuple[int, str, str, list[int]]]:
    last = 0
    cond: ColumnElement[bool] = Item.ocr_status.in_(["pending", "error"] if retry else ["pending"])
    if force:
        cond = or_(cond, Item.mime.in_(OCR_IMAGE_TYPES), Item.mime == "application/pdf")
    while True:
        rows = session.execute(
            select(Item.id, Item.sha256, Item.mime, Item.meta)
            .where(cond, Item.status == "ok", Item.id > last)
            .order_by(Item.id)
            .limit(500)
        ).all()
        if not rows:
            return
        for item_id, sha, mime, meta in rows:
            last = item_id
            pages = list((meta or {}).get("ocr_pages") or [])
            if force and not pages:
                n_pages = int((meta or {}).get("pdf", {}).get("pages", 1) or 1)
                pages = list(range(1, n_pages + 1)) if mime == "application/pdf" else [1]
            if pages:
                yield item_id, sha, mime, pages


def _done_pages(session: Session, item_id: int) -> set[int]:
    return set(
        session.scalars(
            select(Page.page_no).where(Page.item_id == item_id, Page.method == "ocr")
        ).all()
    )


def run_ocr(
    case: Case,
    force: bool = False,
    languages: str | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    per_page: bool | None = None,
    retry: bool = False,
) -> OcrStats:
    """OCR every item waiting for it (``force``: every scan and PDF again; ``retry``: the
    items whose OCR failed too, at the pages not yet read — after Tesseract was mended).

    ``per_page`` (default: ``ocr_models = "per_page"`` in ``guwah.toml``) chooses each
    page's models from its script; off, ``languages`` (default ``ocr_languages``) runs on
    every page. Long documents go in tasks of :data:`PAGES_PER_TASK` pages, each recorded
    as it completes: a run stopped mid-document resumes at the pages not yet read.
    """
    progress = progress or NoProgress()
    languages = languages or case.settings.ocr_languages
    if per_page is None:
        per_page = case.settings.ocr_models != "fixed"
    limits = case.settings.limits
    executor = executor or make_executor(case.settings.workers, limits.worker_memory_bytes)
    stats = OcrStats()
    started = time.perf_counter()
    with case_lock(case), case.sessions() as session:
        custody = CustodyLog(session, case.settings.custodian)
        plan: list[OcrTask] = []
        open_tasks: dict[int, int] = {}  # item id → tasks not yet back
        for item_id, sha, mime, pages in list(_candidates(session, force, retry)):
            if force:
                session.execute(delete(Page).where(Page.item_id == item_id, Page.method == "ocr"))
                _set_ocr_meta(session, item_id, None)
                todo = pages
            else:
                done = _done_pages(session, item_id)  # read by a run that was stopped
                todo = [p for p in pages if p not in done]
            path = str(case.blobs.path_for(sha))
            store = object_store(case)
            batches = [todo[i : i + PAGES_PER_TASK] for i in range(0, len(todo), PAGES_PER_TASK)]
            for batch in batches or [[]]:
                plan.append(
                    OcrTask(
                        item_id, path, mime, tuple(batch), languages, limits, per_page, sha, store
                    )
                )
            open_tasks[item_id] = len(batches or [[]])
        session.commit()
        progress.total("ocr pages", sum(max(1, len(t.pages)) for t in plan))
        failed: dict[int, str] = {}
        try:
            for task, outcome in executor.imap_unordered(ocr_task, plan):
                if isinstance(outcome, WorkerCrash):
                    outcome = OcrOutcome(task.item_id, cause="crash", message=outcome.message)
                open_tasks[task.item_id] -= 1
                _record(session, custody, task, outcome, stats, failed, open_tasks)
                progress.advance("ocr pages", max(1, len(task.pages)))
                session.commit()
        finally:
            executor.close()
    stats.seconds = time.perf_counter() - started
    return stats


def _set_ocr_meta(session: Session, item_id: int, pages: list[dict[str, Any]] | None) -> None:
    """Keep per page which models ran and why, and the unreliable pages, in ``meta["ocr"]``."""
    item = session.get(Item, item_id)
    if item is None:
        return
    meta = dict(item.meta or {})
    if pages is None:
        meta.pop("ocr", None)
    else:
        old = {d.get("page"): d for d in (meta.get("ocr") or {}).get("pages", [])}
        old.update({d.get("page"): d for d in pages})
        merged = [old[k] for k in sorted(old, key=lambda k: k or 0)]
        meta["ocr"] = {
            "pages": merged,
            "unreliable": [d["page"] for d in merged if d.get("unreliable")],
            "unreliable_below": UNRELIABLE_BELOW,
        }
    item.meta = meta


def _record(
    session: Session,
    custody: CustodyLog,
    task: OcrTask,
    outcome: OcrOutcome,
    stats: OcrStats,
    failed: dict[int, str],
    open_tasks: dict[int, int],
) -> None:
    item = session.get(Item, outcome.item_id)
    if item is None:
        return
    if outcome.cause:
        first = task.pages[0] if task.pages else 1
        failed.setdefault(item.id, f"{outcome.cause}: {outcome.message} (pages from {first})")
        stats.errors += 1
    elif outcome.pages:
        session.execute(
            delete(Page).where(
                Page.item_id == item.id,
                Page.method == "ocr",
                Page.page_no.in_([p.page_no for p in outcome.pages]),
            )
        )
        session.execute(
            insert(Page),
            [
                {
                    "item_id": item.id,
                    "page_no": p.page_no,
                    "method": "ocr",
                    "text": p.text,
                    "confidence": p.confidence,
                    "language": p.language,
                }
                for p in outcome.pages
            ],
        )
        details = [p.detail for p in outcome.pages if isinstance(p, OcrPage) and p.detail]
        if details:
            _set_ocr_meta(session, item.id, details)
        stats.pages += len(outcome.pages)
        stats.unreliable += sum(1 for d in details if d.get("unreliable"))
    if open_tasks[item.id] > 0:
        return  # the item's other pages are still being read
    stats.items += 1
    if item.id in failed:
        item.ocr_status, item.ocr_error = "error", failed[item.id]
    else:
        item.ocr_status, item.ocr_error = "done", None
    custody.append(
        "ocr",
        item_sha256=item.sha256,
        details={
            "status": item.ocr_status,
            "pages": sorted(_done_pages(session, item.id)),
            "cause": failed.get(item.id),
        },
    )
