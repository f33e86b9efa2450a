"""The store/dedupe step: every file's content becomes an item once, every path an occurrence.

Rows are buffered in a :class:`BatchWriter` and written at each commit. What this run has
stored is kept as 64-bit digests: a file whose digest is absent cannot be in the database
when the case (or, for paths, the source) was empty before the run, so the lookup is
skipped. A digest present sends it to the database.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from guwah.core import utcnow
from guwah.ingest.detect import detect, extension_disagrees, extension_of
from guwah.ingest.writer import BatchWriter
from guwah.store.blobs import StoredBlob
from guwah.store.custody import CustodyLog
from guwah.store.models import Item, Occurrence, Source

COMMIT_EVERY = 500
COMMIT_SECONDS = 2.0

#: an occurrence recorded because the evidence store failed: replaced once the file is stored
STORE_FAILED = {"store_failed"}

UNSAFE_NAME = (
    "archive member name is absolute or climbs out with '..': its content is kept, "
    "but nothing was ever written to that path"
)


@dataclass
class RunStats:
    files_seen: int = 0
    bytes_read: int = 0
    new_items: int = 0
    new_bytes: int = 0
    new_occurrences: int = 0
    already_known: int = 0
    extracted: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    log: str | None = None  # the run's log of reader bugs, when there were any

    def as_dict(self) -> dict[str, Any]:
        out = {
            "files_seen": self.files_seen,
            "bytes_read": self.bytes_read,
            "new_items": self.new_items,
            "new_bytes": self.new_bytes,
            "new_occurrences": self.new_occurrences,
            "already_known": self.already_known,
            "extracted": self.extracted,
            "errors": dict(self.errors),
            "seconds": round(self.seconds, 3),
        }
        if self.log:
            out["log"] = self.log
        return out


@dataclass
class ItemRef:
    """What the walk needs to know of a stored item (Core rows, not ORM objects: speed)."""

    id: int | None  # None until the buffered insert is flushed
    sha256: str
    mime: str
    status: str


@dataclass
class Where:
    """Where a file sits: its source, display path and the container it came out of."""

    source: Source
    path: str
    raw_name_hex: str | None = None
    parent_item_id: int | None = None
    depth: int = 0
    mtime: datetime | None = None
    unsafe_name: bool = False  # an archive member named with an absolute path or ".."

    @property
    def name(self) -> str:
        return self.path.rsplit("!/", 1)[-1]


class Intake:
    """Items and occurrences of one run, buffered and deduplicated."""

    def __init__(
        self,
        session: Session,
        custody: CustodyLog,
        stats: RunStats,
        on_detect_error: Callable[[BaseException, StoredBlob, Where], str],
    ) -> None:
        self.on_detect_error = on_detect_error  # logs the bug, returns the item's message
        self.session = session
        self.custody = custody
        self.stats = stats
        self.writer = BatchWriter(session)
        self.new: dict[str, ItemRef] = {}  # items buffered for insert, by SHA-256
        self._buffered_paths: set[tuple[int, str]] = set()
        self._last_commit = time.monotonic()
        self.case_was_empty = False
        self._seen_content: set[int] = set()
        self.new_sources: set[int] = set()
        self._seen_paths: set[int] = set()

    def item(self, blob: StoredBlob, where: Where) -> ItemRef:
        """The item of this content: known, buffered, or new (type detected here)."""
        buffered = self.new.get(blob.sha256)
        if buffered is not None:
            self.stats.already_known += 1
            return buffered
        digest = int(blob.sha256[:16], 16)
        if not self.case_was_empty or digest in self._seen_content:
            row = (
                self.session.connection()
                .execute(
                    select(Item.id, Item.sha256, Item.mime, Item.status).where(
                        Item.sha256 == blob.sha256
                    )
                )
                .first()
            )
            if row is not None:
                self.stats.already_known += 1
                return ItemRef(*row)
        self._seen_content.add(digest)
        values: dict[str, Any] = {
            "sha256": blob.sha256,
            "md5": blob.md5,
            "sha1": blob.sha1,
            "size": blob.size,
            "mime": "",
            "magic": "",
            "status": "pending",
            "meta": {},
            "created_at": utcnow(),
            "error_cause": None,
            "error": None,
        }
        try:
            values["mime"] = detect(blob.path).mime
        except Exception as exc:  # a reader bug in type detection fails this item only
            values["mime"] = "application/octet-stream"
            values.update(status="error", error_cause="reader_bug")
            values["error"] = self.on_detect_error(exc, blob, where)
            self.stats.errors["reader_bug"] += 1
        if blob.size == 0:
            values.update(
                status="error",
                error_cause="empty",
                error="zero-byte file: there is no content to read",
            )
            self.stats.errors["empty"] += 1
        self.writer.add_item(values)
        self.custody.append(
            "stored",
            item_sha256=blob.sha256,
            source_path=f"{where.source.uri}:{where.path}",
            details={
                "size": blob.size,
                "md5": blob.md5,
                "sha1": blob.sha1,
                "mime": values["mime"],
            },
        )
        self.stats.new_items += 1
        self.stats.new_bytes += blob.size
        ref = ItemRef(None, blob.sha256, values["mime"], values["status"])
        self.new[blob.sha256] = ref
        return ref

    def occurrence(
        self,
        where: Where,
        item: ItemRef | None,
        cause: str | None = None,
        message: str | None = None,
    ) -> bool:
        """Record where content (or a failure) was found; False if that path is known."""
        key = (where.source.id, where.path)
        if key in self._buffered_paths:
            return False
        digest = hash(key)
        if where.source.id not in self.new_sources or digest in self._seen_paths:
            conn = self.session.connection()
            exists = conn.execute(
                select(Occurrence.id, Occurrence.error_cause).where(
                    Occurrence.source_id == where.source.id, Occurrence.path == where.path
                )
            ).first()
            if exists is not None and not (item is not None and exists[1] in STORE_FAILED):
                return False
            if exists is not None:  # stored this time: the failure's record gives way
                conn.execute(delete(Occurrence).where(Occurrence.id == exists[0]))
        self._seen_paths.add(digest)
        self._buffered_paths.add(key)
        name = where.name
        mismatch = item is not None and extension_disagrees(name, item.mime)
        if cause is None and where.unsafe_name:
            cause, message = "unsafe_path", UNSAFE_NAME
        self.writer.add_occurrence(
            {
                "source_id": where.source.id,
                "item_id": item.id if item is not None else None,
                "parent_item_id": where.parent_item_id,
                "path": where.path,
                "raw_name_hex": where.raw_name_hex,
                "depth": where.depth,
                "mtime": where.mtime,
                "extension": extension_of(name)[:32],
                "extension_mismatch": mismatch,
                "status": "error" if cause else "ok",
                "error_cause": cause,
                "error": message,
                "created_at": utcnow(),
            },
            item_sha=item.sha256 if item is not None else None,
        )
        self.stats.new_occurrences += 1
        if cause:
            self.stats.errors[cause] += 1
        return True

    def due(self) -> bool:
        return (
            len(self.writer) >= COMMIT_EVERY
            or time.monotonic() - self._last_commit > COMMIT_SECONDS
        )

    def commit(self) -> list[ItemRef]:
        """Write what is buffered and commit; returns the items inserted, ids filled in."""
        ids = self.writer.flush()
        inserted = list(self.new.values())
        for ref in inserted:
            ref.id = ids[ref.sha256]
        self.new.clear()
        self._buffered_paths.clear()
        self.session.commit()
        self._last_commit = time.monotonic()
        return inserted
