"""Ingest: preserve every file of a leak, then extract what it holds.

The walk (this module) goes through the sources and streams every file into the
content-addressed store; the store/dedupe step (``intake``) records items, occurrences and
custody events; containers (archives, mailboxes, e-mail) are expanded here, in the calling
process, by the reader that wins the auction (``expand``), their members fed back through
the same walk, and so are the images and objects embedded in documents and slides
(``containers.embedded``: the document's text is still read by its extractor); every other item is sent to worker processes, whose outcomes are recorded
(``recording``). Both run at once: the walk feeds the pool as it goes. Commits are frequent
and each one is consistent, so a run killed at any point and started again ends with
exactly the items of an uninterrupted run.

Preservation can also run alone (``extract=False``): every original is stored and logged and
left ``pending``; :func:`extract_pending` extracts them later, as a run killed mid-way would.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from guwah.case import Case, CaseError
from guwah.core import NoProgress, Progress, case_lock, utcnow
from guwah.ingest.containers.base import Budget
from guwah.ingest.containers.embedded import embedded_reader
from guwah.ingest.executor import Executor, WorkerCrash, make_executor
from guwah.ingest.expand import Expander
from guwah.ingest.intake import COMMIT_EVERY, Intake, ItemRef, RunStats, Where
from guwah.ingest.recording import record_outcome
from guwah.ingest.registry import is_container
from guwah.ingest.runlog import RunLog, bug_message
from guwah.ingest.sources import FileEntry, count_files, walk_source
from guwah.ingest.tasks import ExtractTask, Outcome, extract_task, object_store
from guwah.store.blobs import EvidenceConflict, StoredBlob, StoreError
from guwah.store.custody import CustodyLog
from guwah.store.models import Item, Run, Source

__all__ = ["COMMIT_EVERY", "Ingestor", "RunStats", "extract_pending", "ingest"]

#: files in a row the evidence store fails for (after its own retries) before the run stops
STORE_FAILURES_TO_STOP = 3


class StoreUnavailable(CaseError):
    """The evidence store kept failing: the run stopped; what it recorded is kept."""


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
        self.session = case.sessions()
        self.custody = CustodyLog(self.session, self.custodian)
        self.intake = Intake(self.session, self.custody, self.stats, self._detect_bug)
        self.log = RunLog(case.root / "logs", command)
        self.expander = Expander(case.blobs, self.limits, self.intake, self.log, self._commit)
        self._queued: dict[int, tuple[str, str]] = {}  # item id → (SHA-256, MIME), sent
        self._ready: list[ItemRef] = []  # inserted, waiting to be sent for extraction
        self._store_failures = 0  # files in a row the evidence store failed for

    # --- the run ---------------------------------------------------------------------

    def run(self, sources: list[Path]) -> RunStats:
        started = time.perf_counter()
        with case_lock(self.case):
            self.case.blobs.clean_tmp()
            run = Run(command=self.command, started_at=utcnow(), stats={})
            self.session.add(run)
            self.session.commit()
            self.log.name_for(f"{self.command}-{run.id}")
            self.intake.case_was_empty = self.session.scalar(select(Item.id).limit(1)) is None
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
                self.log.close()
                if self.log.entries:
                    self.stats.log = str(self.log.path)
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
                if item_id not in self._queued and not is_container(mime):
                    yield self._task(item_id, sha, mime)

    def _task(self, item_id: int, sha: str, mime: str) -> ExtractTask:
        self._queued[item_id] = (sha, mime)
        self.progress.total("extracted", len(self._queued))
        return ExtractTask(
            item_id=item_id,
            sha256=sha,
            path=str(self.case.blobs.path_for(sha)),
            mime=mime,
            limits=self.limits,
            ocr_languages=self.case.settings.ocr_languages,
            store=object_store(self.case),
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
            self.intake.new_sources.add(source.id)
            self.custody.append(
                "received", source_path=uri, details={"kind": kind, "note": self.note}
            )
            self._commit()
        return source

    def _file(self, source: Source, entry: FileEntry) -> Iterator[ExtractTask]:
        where = Where(source, entry.path, entry.raw_name_hex, mtime=entry.mtime)
        self.progress.advance("files")
        if entry.error is not None:
            self.intake.occurrence(where, None, *entry.error)
            return
        try:
            with open(entry.fs_path, "rb") as fh:
                blob = self.case.blobs.put_stream(fh)
        except StoreError as exc:
            self._store_failed(where, exc)
            return
        except OSError as exc:
            self.intake.occurrence(
                where, None, "unreadable", f"cannot read the file: {exc.strerror or exc}"
            )
            return
        self._store_failures = 0
        yield from self._content(where, blob, Budget(self.limits))

    def _store_failed(self, where: Where, exc: StoreError) -> None:
        """The store failed for this file after its retries: an error occurrence that a
        rerun replaces once the file is stored; a conflict is also a custody alarm. When
        the store fails for several files in a row, the run stops (resume by rerunning)."""
        self.intake.occurrence(where, None, exc.cause, str(exc))
        if isinstance(exc, EvidenceConflict):
            self.custody.append(
                "store_conflict",
                item_sha256=exc.sha256,
                source_path=f"{where.source.uri}:{where.path}",
                details={"key": exc.key, "found": exc.found},
            )
            self._commit()
            return
        self._store_failures += 1
        if self._store_failures >= STORE_FAILURES_TO_STOP:
            self._commit()
            raise StoreUnavailable(
                f"the evidence store failed for {self._store_failures} files in a row, so "
                f"the run stopped; the last: {exc}"
            ) from exc

    def _content(self, where: Where, blob: StoredBlob, budget: Budget) -> Iterator[ExtractTask]:
        """Record one file's content and where it was; expand containers; queue extraction."""
        self.stats.files_seen += 1
        self.stats.bytes_read += blob.size
        item = self.intake.item(blob, where)
        new_occ = self.intake.occurrence(where, item)
        container = is_container(item.mime)
        if item.status == "pending" and container:
            if item.id is None:
                self._commit()  # members need the container's id
            yield from self.expander.expand(item, where, budget, self._content)
        elif (
            self.extract
            and item.status == "pending"
            and item.id is not None
            and item.id not in self._queued
        ):
            yield self._task(item.id, item.sha256, item.mime)  # left pending by an earlier run
        elif new_occ and container and item.status == "ok":
            # the same container at a new path: its members occur at new paths too
            yield from self.expander.expand(item, where, budget, self._content, record=False)
        if new_occ and not container and (embedded := embedded_reader(item.mime)) is not None:
            # images and objects inside a document or slides: members of it, at each path
            yield from self.expander.expand_embedded(item, where, budget, self._content, embedded)
        if self.intake.due():
            self._commit()
        yield from self._drain_ready()

    def _drain_ready(self) -> Iterator[ExtractTask]:
        while self._ready:
            ref = self._ready.pop()
            assert ref.id is not None
            yield self._task(ref.id, ref.sha256, ref.mime)

    def _detect_bug(self, exc: BaseException, blob: StoredBlob, where: Where) -> str:
        self.log.exception("type detection", f"{where.source.uri}:{where.path}", blob.sha256, exc)
        return bug_message("type detection", exc)

    # --- extraction results ----------------------------------------------------------

    def _record(self, outcome: Outcome) -> None:
        self.progress.advance("extracted")
        sha, mime = self._queued.get(outcome.item_id, (None, ""))
        if outcome.traceback:
            self.log.bug(
                f"extractor {outcome.extractor} {outcome.extractor_version}",
                f"item {outcome.item_id}",
                sha,
                outcome.traceback,
            )
        record_outcome(self.intake, outcome, sha, mime)
        if self.intake.due():
            self._commit()

    def _commit(self) -> None:
        """Write what is buffered and commit; new items become ready for extraction."""
        for ref in self.intake.commit():
            if self.extract and ref.status == "pending" and not is_container(ref.mime):
                self._ready.append(ref)


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
