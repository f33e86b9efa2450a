"""Container expansion: the reader that wins the auction yields members, each of which goes
back through the walk (``content``) as a file of its own, one level deeper.

Depth, expansion ratio, total size and member count bound every container the same way.
Reading one member may take at most ``limits.item_timeout_s``. A container reader that
raises anything but :class:`ArchiveError` has a bug: its item is
an error with cause ``reader_bug``, the traceback goes to the run's log, and the members
read before it stay recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TypeVar

from guwah.config import Limits
from guwah.ingest.containers.base import (
    ArchiveError,
    Budget,
    Container,
    ContainerContext,
    Member,
    MemberResult,
)
from guwah.ingest.detect import describe
from guwah.ingest.intake import Intake, ItemRef, Where
from guwah.ingest.recording import record_container
from guwah.ingest.registry import auction
from guwah.ingest.runlog import RunLog, bug_message
from guwah.ingest.tasks import TaskTimeout, time_limit
from guwah.store.blobs import BlobStore, EvidenceConflict, StoredBlob, StoreError

T = TypeVar("T")
Content = Callable[[Where, StoredBlob, Budget], Iterator[T]]


@dataclass
class Tally:
    members: int = 0
    errors: int = 0
    failure: ArchiveError | None = None


class Expander:
    def __init__(
        self,
        store: BlobStore,
        limits: Limits,
        intake: Intake,
        log: RunLog,
        commit: Callable[[], None],
    ) -> None:
        self.commit = commit  # the walk's commit: new members become ready for extraction
        self.store = store
        self.limits = limits
        self.intake = intake
        self.log = log

    def expand(
        self,
        item: ItemRef,
        where: Where,
        budget: Budget,
        content: Content[T],
        record: bool = True,
    ) -> Iterator[T]:
        """Read the members of the container ``item`` found at ``where``.

        ``record=False`` for a container already read, found again at another path: its
        members are walked for their new paths, but the container itself (status, meta, its
        own text such as a mail's body, custody) was recorded the first time.
        """
        reader = auction(item.mime)
        assert isinstance(reader, Container), item.mime
        who = (reader.name, reader.version)
        if where.depth >= self.limits.max_archive_depth:
            if not record:
                return
            self._finish(
                item,
                who,
                ArchiveError(
                    "bomb",
                    f"archive nested more than {self.limits.max_archive_depth} deep: its "
                    "members were not read (raise limits.max_archive_depth to read them)",
                ),
                {},
            )
            return
        ctx = self._context(item, where, budget)
        tally = yield from self._walk(reader, item, where, ctx, content)
        meta = {"members": tally.members, "member_errors": tally.errors}
        if record:
            self._finish(item, who, tally.failure, meta, ctx)
        else:
            self.commit()

    def expand_embedded(
        self, item: ItemRef, where: Where, budget: Budget, content: Content[T], reader: Container
    ) -> Iterator[T]:
        """The files embedded in a document (``containers.embedded``), walked as members.

        The document itself is read and recorded by its extractor; a failure to read its
        embedded files is an error occurrence at ``<path>!/`` with its cause, so the run's
        summary counts it and the document's own text is unaffected.
        """
        if where.depth >= self.limits.max_archive_depth:
            return
        ctx = self._context(item, where, budget)
        tally = yield from self._walk(reader, item, where, ctx, content)
        if tally.failure is not None:
            if item.id is None:
                self.commit()
            failed = _member_where(where, item, Member(name=""))
            self.intake.occurrence(failed, None, tally.failure.cause, tally.failure.message)

    def _context(self, item: ItemRef, where: Where, budget: Budget) -> ContainerContext:
        path = self.store.path_for(item.sha256)
        return ContainerContext(
            path,
            self.limits,
            budget,
            self.store,
            name=where.name,
            archive_size=path.stat().st_size,
        )

    def _walk(
        self,
        reader: Container,
        item: ItemRef,
        where: Where,
        ctx: ContainerContext,
        content: Content[T],
    ) -> Generator[T, None, Tally]:
        """Each member of ``item`` sent through ``content``; what was read, and why it stopped."""
        tally = Tally()
        results = self._results(reader, ctx.path, item, where, ctx)
        while True:
            try:
                with member_time_limit(self.limits.item_timeout_s, reader.timed_members):
                    result = next(results)
            except StopIteration:
                break
            except ArchiveError as exc:
                tally.failure = exc
                if exc.alarm is not None:
                    self._alarm(_member_where(where, item, Member(name=None)), exc.alarm)
                break
            except TaskTimeout:
                tally.failure = ArchiveError(
                    "timeout",
                    f"reading one member took longer than {self.limits.item_timeout_s:g} s "
                    "(limits.item_timeout_s): reading stopped",
                )
                break
            tally.members += 1
            if item.id is None:
                self.commit()  # members need the container's id
            child = _member_where(where, item, result.member)
            if result.error is not None:
                if result.error.alarm is not None:
                    self._alarm(child, result.error.alarm)
                tally.errors += 1
                self.intake.stats.files_seen += 1
                self.intake.occurrence(child, None, result.error.cause, result.error.message)
                continue
            assert result.blob is not None
            yield from content(child, result.blob, ctx.budget)
        return tally

    def _alarm(self, where: Where, exc: EvidenceConflict) -> None:
        """The store holds other bytes under a member's key: a custody alarm."""
        self.intake.custody.append(
            "store_conflict",
            item_sha256=exc.sha256,
            source_path=f"{where.source.uri}:{where.path}",
            details={"key": exc.key, "found": exc.found},
        )

    def _results(
        self, reader: Container, path: Path, item: ItemRef, where: Where, ctx: ContainerContext
    ) -> Iterator[MemberResult]:
        """The reader's members; an unexpected exception becomes a ``reader_bug``."""
        try:
            yield from reader.members(path, item.mime, ctx)
        except (ArchiveError, StoreError):  # the store failing stops the run: rerun resumes
            raise
        except Exception as exc:
            what = f"container reader {reader.name} {reader.version}"
            self.log.exception(what, f"{where.source.uri}:{where.path}", item.sha256, exc)
            raise ArchiveError("reader_bug", bug_message(what, exc)) from exc

    def _finish(
        self,
        item: ItemRef,
        who: tuple[str, str],
        failure: ArchiveError | None,
        meta: dict[str, int],
        ctx: ContainerContext | None = None,
    ) -> None:
        if item.id is None:
            self.commit()
        try:
            description = describe(self.store.path_for(item.sha256))
        except Exception:  # libmagic's description is a nicety; never a reason to stop
            description = ""
        record_container(
            self.intake,
            item,
            who,
            failure.cause if failure else None,
            failure.message if failure else None,
            meta,
            ctx.out if ctx is not None else None,
            description,
        )
        self.commit()


def member_time_limit(seconds: float, timed: bool = True) -> AbstractContextManager[None]:
    """The per-member wall-clock bound (SIGALRM: only in the main thread, where the walk
    runs; elsewhere none)."""
    if timed and threading.current_thread() is threading.main_thread():
        return time_limit(seconds)
    return nullcontext()


def _member_where(parent: Where, container: ItemRef, member: Member) -> Where:
    if member.name is None:  # the one stream of a .gz/.bz2/.xz
        name = PurePosixPath(parent.name).stem or "content"
    else:
        name = member.name.replace("\\", "/")
    return Where(
        source=parent.source,
        path=f"{parent.path}!/{name}",
        raw_name_hex=member.raw_name_hex,
        parent_item_id=container.id,
        depth=parent.depth + 1,
        mtime=member.mtime,
        unsafe_name=member.unsafe_path,
    )
