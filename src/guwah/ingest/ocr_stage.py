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

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from guwah.case import Case
from guwah.core import NoProgress, Progress, case_lock
from guwah.ingest.executor import Executor, WorkerCrash, make_executor
from guwah.ingest.tasks import OcrOutcome, OcrTask, ocr_task
from guwah.store.custody import CustodyLog
from guwah.store.models import Item, Page

OCR_IMAGE_TYPES = ("image/jpeg", "image/png", "image/tiff", "image/gif", "image/bmp", "image/webp")


@dataclass
class OcrStats:
    items: int = 0
    pages: int = 0
    errors: int = 0
    seconds: float = 0.0


def _candidates(session: Session, force: bool) -> Iterator[tuple[int, str, str, list[int]]]:
    last = 0
    cond = Item.ocr_status == "pending"
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


def run_ocr(
    case: Case,
    force: bool = False,
    languages: str | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> OcrStats:
    progress = progress or NoProgress()
    languages = languages or case.settings.ocr_languages
    limits = case.settings.limits
    executor = executor or make_executor(case.settings.workers, limits.worker_memory_bytes)
    stats = OcrStats()
    started = time.perf_counter()
    with case_lock(case), case.sessions() as session:
        custody = CustodyLog(session, case.settings.custodian)
        candidates = list(_candidates(session, force))
        progress.total("ocr", len(candidates))
        tasks = (
            OcrTask(item_id, str(case.blobs.path_for(sha)), mime, tuple(pages), languages, limits)
            for item_id, sha, mime, pages in candidates
        )
        try:
            for task, outcome in executor.imap_unordered(ocr_task, tasks):
                if isinstance(outcome, WorkerCrash):
                    outcome = OcrOutcome(task.item_id, cause="crash", message=outcome.message)
                _record(session, custody, outcome, stats)
                progress.advance("ocr")
                session.commit()
        finally:
            executor.close()
    stats.seconds = time.perf_counter() - started
    return stats


def _record(session: Session, custody: CustodyLog, outcome: OcrOutcome, stats: OcrStats) -> None:
    item = session.get(Item, outcome.item_id)
    if item is None:
        return
    session.execute(delete(Page).where(Page.item_id == item.id, Page.method == "ocr"))
    stats.items += 1
    if outcome.cause:
        item.ocr_status, item.ocr_error = "error", f"{outcome.cause}: {outcome.message}"
        stats.errors += 1
    else:
        item.ocr_status, item.ocr_error = "done", None
        if outcome.pages:
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
        stats.pages += len(outcome.pages)
    custody.append(
        "ocr",
        item_sha256=item.sha256,
        details={
            "status": item.ocr_status,
            "pages": [p.page_no for p in outcome.pages],
            "cause": outcome.cause,
        },
    )
