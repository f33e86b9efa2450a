"""Recording what a reader found: item columns, text and sheets, custody, run counts.

One place for both kinds of reader: an extractor's :class:`Outcome` from a worker, and a
container read in this process. The item's metadata is checked against the declared
schema (``guwah.ingest.meta``) on the way in.
"""

from __future__ import annotations

from typing import Any

from guwah.core import utcnow
from guwah.ingest.intake import Intake, ItemRef
from guwah.ingest.meta import checked_meta
from guwah.ingest.registry import Extraction
from guwah.ingest.tasks import Outcome


def extraction_values(outcome: Outcome, mime: str = "") -> dict[str, Any]:
    """The item columns an extraction outcome sets."""
    values: dict[str, Any] = {
        "status": outcome.status,
        "extractor": outcome.extractor,
        "extractor_version": outcome.extractor_version,
        "error_cause": outcome.cause,
        "error": outcome.message,
        "extracted_at": utcnow(),
        "meta": {"seconds": round(outcome.seconds, 4)},
        "magic": outcome.description,
        "ocr_status": None,
    }
    ex = outcome.extraction
    if ex is not None:
        values["meta"] = {
            **ex.meta,
            "warnings": ex.warnings,
            "ocr_pages": ex.ocr_pages,
            "seconds": round(outcome.seconds, 4),
        }
        values["ocr_status"] = "pending" if ex.ocr_pages else None
    values["meta"] = checked_meta(values["meta"], outcome.extractor, mime)
    return values


def record_outcome(intake: Intake, outcome: Outcome, sha256: str | None, mime: str) -> None:
    """An extractor's outcome: columns, pages and sheets buffered, custody logged."""
    intake.stats.extracted += 1
    values = extraction_values(outcome, mime)
    intake.writer.add_extraction(outcome.item_id, values, outcome.extraction)
    if outcome.status == "error":
        intake.stats.errors[outcome.cause or "error"] += 1
    intake.custody.append(
        "extracted",
        item_sha256=sha256,
        details={
            "extractor": outcome.extractor,
            "version": outcome.extractor_version,
            "status": outcome.status,
            "cause": outcome.cause,
        },
    )


def record_container(
    intake: Intake,
    item: ItemRef,
    reader: tuple[str, str],
    cause: str | None,
    message: str | None,
    meta: dict[str, Any],
    out: Extraction | None = None,
    description: str = "",
) -> None:
    """A container read (or refused): its columns, its own text, custody; then commit."""
    assert item.id is not None
    name, version = reader
    item.status = "error" if cause else "ok"
    full = {**(out.meta if out else {}), **meta}
    if out is not None and out.warnings:
        full["warnings"] = out.warnings
    values = {
        "status": item.status,
        "error_cause": cause,
        "error": message,
        "extractor": name,
        "extractor_version": version,
        "meta": checked_meta(full, name, item.mime),
        "extracted_at": utcnow(),
        "magic": description,
    }
    intake.writer.add_extraction(item.id, values, out)
    if cause:
        intake.stats.errors[cause] += 1
    intake.custody.append(
        "extracted",
        item_sha256=item.sha256,
        details={"extractor": name, "version": version, "status": item.status, **meta},
    )
