"""Ingest: preserve every file of a leak, then extract what it holds.

The calling process walks the sources, streams every file (archive members included) into
the content-addressed store and records items, occurrences and custody events; worker
processes extract text, tables and metadata. Both run at once: the walk feeds the pool as
it goes. Commits are frequent and each one is consistent, so a run killed at any point and
started again ends with exactly the items of an uninterrupted run.

Preservation can also run alone (``extract=False``): every original is stored and logged and
left ``pending``; :func:`extract_pending` extracts them later, as a run killed mid-way would.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from guwah.case import Case, CaseError
from guwah.core import NoProgress, Progress, case_lock, utcnow
from guwah.ingest.archives import ArchiveError, Budget, Member, read_members
from guwah.ingest.detect import describe, detect, extension_disagrees, extension_of, is_archive
from guwah.ingest.executor import Executor, WorkerCrash, make_executor
from guwah.ingest.sources import FileEntry, count_files, walk_source
from guwah.ingest.tasks import ExtractTask, Outcome, extract_task
from guwah.ingest.writer import BatchWriter
from guwah.store.blobs import StoredBlob
from guwah.store.custody import CustodyLog
from guwah.store.models import Item, Occurrence, Run, Source

COMMIT_EVERY = 500
COMMIT_SECONDS = 2.0


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

    def as_dict(self) -> dict[str, Any]:
        return {
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


@dataclass
class ItemRef:
    """What the walk needs to know of a stored item (Core rows, not ORM objects: speed)."""

    id: int | None  # None until the buffered insert is flushed
    sha256: str
    mime: str
    status: str


@dataclass
class _Where:
    """Where a file sits: its source, display path and the archive it came out of."""

    source: Source
    path: str
    raw_name_hex: str | None = None
    parent_item_id: int | None = None
    depth: int = 0
    mtime: datetime | None = None
    unsafe_name: bool = False  # an archive member named with an absolute path or ".."


UNSAFE_NAME = (
    "archive member name is absolute or climbs out with '..': its content is kept, "
    "but nothing was ever written to that path"
)


class Ingestor:
    def __init__(
        self,
        case: Case,
        custodian: str = "",
        note: str = "",
        executor: Executor | None = None,
        progress: Progress | None = None,
        extract: bool = True,
        command: str = "ingest",
    ) -> None:
        self.case = case
        self.extract = extract
        self.command = command
        self.limits = case.settings.limits
        self.custodian = custodian or case.settings.custodian
        self.note = note
        self.executor = executor or make_executor(
            case.settings.workers, self.limits.worker_memory_bytes
        )
        self.progress = progress or NoProgress()
        self.stats = RunStats()
        self.session: Session = case.sessions()
        self.custody = CustodyLog(self.session, self.custodian)
        self.writer = BatchWriter(self.session)
        self._queued: dict[int, str] = {}  # item id → SHA-256, sent for extraction
        self._new: dict[str, ItemRef] = {}  # items buffered for insert, by SHA-256
        self._buffered_paths: set[tuple[int, str]] = set()
        self._ready: list[ItemRef] = []  # inserted, waiting to be sent for extraction
        self._last_commit = time.monotonic()
        # What this run has stored, as 64-bit digests: a file whose digest is absent cannot
        # be in the database when the case (or, for paths, the source) was empty before the
        # run, so the walk skips the lookup. A digest present sends it to the database.
        self._case_was_empty = False
        self._seen_content: set[int] = set()
        self._new_sources: set[int] = set()
        self._seen_paths: set[int] = set()

    # --- the run ---------------------------------------------------------------------

    def run(self, sources: list[Path]) -> RunStats:
        started = time.perf_counter()
        with case_lock(self.case):
            self.case.blobs.clean_tmp()
            run = Run(command=self.command, started_at=utcnow(), stats={})
            self.session.add(run)
            self.session.commit()
            self._case_was_empty = self.session.scalar(select(Item.id).limit(1)) is None
            self.progress.total("files", sum(count_files(s) for s in sources))
            try:
                if self.extract:
                    for task, outcome in self.executor.imap_unordered(
                        extract_task, self._tasks(sources)
                    ):
                        if isinstance(outcome, WorkerCrash):
                            outcome = Outcome(
                                task.item_id, "error", cause="crash", message=outcome.message
                            )
                        self._record(outcome)
                else:
                    for _ in self._tasks(sources):  # preservation alone queues no task
                        raise AssertionError("a task was queued with extraction off")
                self._commit()
                self.stats.seconds = time.perf_counter() - started
                run.status = "done"
            except BaseException:
                self.session.rollback()
                run.status = "interrupted"
                raise
            finally:
                run.finished_at = utcnow()
                self.stats.seconds = time.perf_counter() - started
                run.stats = self.stats.as_dict()
                self.session.merge(run)
                self.session.commit()
                self.executor.close()
        return self.stats

    def _tasks(self, sources: list[Path]) -> Iterator[ExtractTask]:
        for root in sources:
            source = self._source(root)
            for entry in walk_source(root):
                yield from self._file(source, entry)
        self._commit()
        if self.extract:
            yield from self._drain_ready()
            yield from self._pending()

    def _pending(self) -> Iterator[ExtractTask]:
        """Items left pending by an earlier, interrupted run."""
        last = 0
        while True:
            rows = self.session.execute(
                select(Item.id, Item.sha256, Item.mime)
                .where(Item.status == "pending", Item.id > last)
                .order_by(Item.id)
                .limit(1000)
            ).all()
            if not rows:
                return
            for item_id, sha, mime in rows:
                last = item_id
                if item_id not in self._queued and not is_archive(mime):
                    yield self._task(item_id, sha, mime)

    def _task(self, item_id: int, sha: str, mime: str) -> ExtractTask:
        self._queued[item_id] = sha
        self.progress.total("extracted", len(self._queued))
        return ExtractTask(
            item_id=item_id,
            sha256=sha,
            path=str(self.case.blobs.path_for(sha)),
            mime=mime,
            limits=self.limits,
            ocr_languages=self.case.settings.ocr_languages,
        )

    # --- sources and files -----------------------------------------------------------

    def _source(self, root: Path) -> Source:
        uri = str(root.resolve())
        source = self.session.scalar(select(Source).where(Source.uri == uri))
        if source is None:
            kind = "directory" if root.is_dir() else "file"
            source = Source(
                uri=uri, kind=kind, custodian=self.custodian, note=self.note, created_at=utcnow()
            )
            self.session.add(source)
            self.session.flush()
            self._new_sources.add(source.id)
            self.custody.append(
                "received", source_path=uri, details={"kind": kind, "note": self.note}
            )
            self._commit()
        return source

    def _file(self, source: Source, entry: FileEntry) -> Iterator[ExtractTask]:
        where = _Where(source, entry.path, entry.raw_name_hex, mtime=entry.mtime)
        self.progress.advance("files")
        if entry.error is not None:
            self._occurrence(where, None, *entry.error)
            return
        try:
            with open(entry.fs_path, "rb") as fh:
                blob = self.case.blobs.put_stream(fh)
        except OSError as exc:
            self._occurrence(
                where, None, "unreadable", f"cannot read the file: {exc.strerror or exc}"
            )
            return
        yield from self._content(where, blob, Budget(self.limits))

    def _content(self, where: _Where, blob: StoredBlob, budget: Budget) -> Iterator[ExtractTask]:
        """Record one file's content and where it was; expand archives; queue extraction."""
        self.stats.files_seen += 1
        self.stats.bytes_read += blob.size
        item = self._item(blob, where)
        new_occ = self._occurrence(where, item)
        if item.status == "pending" and is_archive(item.mime):
            if item.id is None:
                self._commit()  # members need the archive's id
            yield from self._expand(item, where, budget)
        elif (
            self.extract
            and item.status == "pending"
            and item.id is not None
            and item.id not in self._queued
        ):
            yield self._task(item.id, item.sha256, item.mime)  # left pending by an earlier run
        elif new_occ and is_archive(item.mime) and item.status == "ok":
            # the same archive at a new path: its members occur at new paths too
            yield from self._expand(item, where, budget)
        self._maybe_commit()
        yield from self._drain_ready()

    def _drain_ready(self) -> Iterator[ExtractTask]:
        while self._ready:
            ref = self._ready.pop()
            assert ref.id is not None
            yield self._task(ref.id, ref.sha256, ref.mime)

    def _item(self, blob: StoredBlob, where: _Where) -> ItemRef:
        buffered = self._new.get(blob.sha256)
        if buffered is not None:
            self.stats.already_known += 1
            return buffered
        digest = int(blob.sha256[:16], 16)
        if not self._case_was_empty or digest in self._seen_content:
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
        mime = detect(blob.path).mime
        values: dict[str, Any] = {
            "sha256": blob.sha256,
            "md5": blob.md5,
            "sha1": blob.sha1,
            "size": blob.size,
            "mime": mime,
            "magic": "",
            "status": "pending",
            "meta": {},
            "created_at": utcnow(),
            "error_cause": None,
            "error": None,
        }
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
            source_path=self._display(where),
            details={"size": blob.size, "md5": blob.md5, "sha1": blob.sha1, "mime": mime},
        )
        self.stats.new_items += 1
        self.stats.new_bytes += blob.size
        ref = ItemRef(None, blob.sha256, mime, values["status"])
        self._new[blob.sha256] = ref
        return ref

    def _display(self, where: _Where) -> str:
        return f"{where.source.uri}:{where.path}"

    def _occurrence(
        self,
        where: _Where,
        item: ItemRef | None,
        cause: str | None = None,
        message: str | None = None,
    ) -> bool:
        """Record where content (or a failure) was found; False if that path is known."""
        key = (where.source.id, where.path)
        if key in self._buffered_paths:
            return False
        digest = hash(key)
        if where.source.id not in self._new_sources or digest in self._seen_paths:
            exists = self.session.connection().scalar(
                select(Occurrence.id).where(
                    Occurrence.source_id == where.source.id, Occurrence.path == where.path
                )
            )
            if exists is not None:
                return False
        self._seen_paths.add(digest)
        self._buffered_paths.add(key)
        name = where.path.rsplit("!/", 1)[-1]
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

    # --- archives --------------------------------------------------------------------

    def _expand(self, archive: ItemRef, where: _Where, budget: Budget) -> Iterator[ExtractTask]:
        if where.depth >= self.limits.max_archive_depth:
            self._finish_archive(
                archive,
                "bomb",
                f"archive nested more than {self.limits.max_archive_depth} deep: its members "
                "were not read (raise limits.max_archive_depth to read them)",
            )
            return
        members = errors = 0
        failure: ArchiveError | None = None
        path = self.case.blobs.path_for(archive.sha256)
        try:
            for result in read_members(path, archive.mime, self.limits, budget, self.case.blobs):
                members += 1
                child = self._member_where(where, archive, result.member)
                if result.error is not None:
                    errors += 1
                    self.stats.files_seen += 1
                    self._occurrence(child, None, result.error.cause, result.error.message)
                    continue
                assert result.blob is not None
                yield from self._content(child, result.blob, budget)
        except ArchiveError as exc:
            failure = exc
        meta = {"members": members, "member_errors": errors}
        if failure is not None:
            self._finish_archive(archive, failure.cause, failure.message, meta)
        else:
            self._finish_archive(archive, None, None, meta)

    def _member_where(self, parent: _Where, archive: ItemRef, member: Member) -> _Where:
        if member.name is None:  # the one stream of a .gz/.bz2/.xz
            stem = PurePosixPath(parent.path.rsplit("!/", 1)[-1]).stem or "content"
            name = stem
        else:
            name = member.name.replace("\\", "/")
        return _Where(
            source=parent.source,
            path=f"{parent.path}!/{name}",
            raw_name_hex=member.raw_name_hex,
            parent_item_id=archive.id,
            depth=parent.depth + 1,
            mtime=member.mtime,
            unsafe_name=member.unsafe_path,
        )

    def _finish_archive(
        self,
        archive: ItemRef,
        cause: str | None,
        message: str | None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        archive.status = "error" if cause else "ok"
        self.session.execute(
            update(Item)
            .where(Item.id == archive.id)
            .values(
                status=archive.status,
                error_cause=cause,
                error=message,
                extractor="archive",
                extractor_version="1",
                meta=meta or {},
                extracted_at=utcnow(),
            )
        )
        if cause:
            self.stats.errors[cause] += 1
        self.session.execute(
            update(Item)
            .where(Item.id == archive.id)
            .values(magic=describe(self.case.blobs.path_for(archive.sha256)))
        )
        self.custody.append(
            "extracted",
            item_sha256=archive.sha256,
            details={"extractor": "archive", "status": archive.status, **(meta or {})},
        )
        self._commit()

    # --- extraction results ----------------------------------------------------------

    def _record(self, outcome: Outcome) -> None:
        self.progress.advance("extracted")
        self.stats.extracted += 1
        self.writer.add_extraction(outcome.item_id, extraction_values(outcome), outcome.extraction)
        if outcome.status == "error":
            self.stats.errors[outcome.cause or "error"] += 1
        self.custody.append(
            "extracted",
            item_sha256=self._queued.get(outcome.item_id),
            details={
                "extractor": outcome.extractor,
                "version": outcome.extractor_version,
                "status": outcome.status,
                "cause": outcome.cause,
            },
        )
        self._maybe_commit()

    def _maybe_commit(self) -> None:
        if (
            len(self.writer) >= COMMIT_EVERY
            or time.monotonic() - self._last_commit > COMMIT_SECONDS
        ):
            self._commit()

    def _commit(self) -> None:
        """Write what is buffered and commit; new items become ready for extraction."""
        ids = self.writer.flush()
        for sha, ref in self._new.items():
            ref.id = ids[sha]
            if self.extract and ref.status == "pending" and not is_archive(ref.mime):
                self._ready.append(ref)
        self._new.clear()
        self._buffered_paths.clear()
        self.session.commit()
        self._last_commit = time.monotonic()


def extraction_values(outcome: Outcome) -> dict[str, Any]:
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
    return values


def ingest(
    case: Case,
    sources: list[Path],
    custodian: str = "",
    note: str = "",
    executor: Executor | None = None,
    progress: Progress | None = None,
    extract: bool = True,
) -> RunStats:
    """Preserve ``sources`` in the case and (unless ``extract`` is off) extract every item."""
    missing = [str(s) for s in sources if not os.path.lexists(s)]
    if missing:
        raise CaseError(f"source not found: {', '.join(missing)}")
    return Ingestor(case, custodian, note, executor, progress, extract=extract).run(sources)


def extract_pending(
    case: Case, executor: Executor | None = None, progress: Progress | None = None
) -> RunStats:
    """Extract every item still pending: preserved with extraction off, or left by a kill."""
    return Ingestor(case, executor=executor, progress=progress, command="extract").run([])
