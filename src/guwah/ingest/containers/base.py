"""What every container reader shares: members, their results, and the bounds.

A *container* is a file that holds other files: an archive, a mailbox, an e-mail with
attachments, a document with embedded files. Its reader runs in the calling process (it
writes to the store) and yields one :class:`MemberResult` per member, each member's content
streamed straight into the content-addressed store: members are never written to disk under
their own names, so absolute paths and ``..`` cannot escape the case. Expansion is bounded
per member (ratio to its compressed size), per container (ratio to the container's size)
and per tree of nested containers (total bytes, member count), so bombs stop early with a
clear error. A reader may also fill ``ctx.out`` (metadata, text pages) for the container
itself: an e-mail's headers and body.
"""

from __future__ import annotations

import zipfile
import zlib
from abc import abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, ClassVar

from guwah.config import Limits
from guwah.ingest.registry import Extraction, Reader
from guwah.store.blobs import BlobStore, BlobWriter, EvidenceConflict, StoredBlob, fill


class ArchiveError(Exception):
    """``stops``: the whole container (or tree) cannot be read further, not just one member."""

    def __init__(
        self,
        cause: str,
        message: str,
        stops: bool = False,
        alarm: EvidenceConflict | None = None,
    ) -> None:
        super().__init__(message)
        self.cause = cause
        self.message = message
        self.stops = stops
        self.alarm = alarm  # the store holds other bytes under this member's key


ContainerError = ArchiveError


@dataclass
class Budget:
    """What one tree of nested containers may still expand to."""

    limits: Limits
    total_bytes: int = 0
    members: int = 0

    def take_member(self) -> None:
        self.members += 1
        if self.members > self.limits.max_archive_members:
            raise ArchiveError(
                "bomb",
                f"more than {self.limits.max_archive_members:,} members in one archive tree; "
                "the rest were not read (raise limits.max_archive_members to read them)",
                stops=True,
            )


@dataclass
class Member:
    name: str | None  # None: the single stream of a .gz/.bz2/.xz file
    raw_name_hex: str | None = None  # the name's bytes, when they were not UTF-8
    kind: str = "file"  # file | dir | link | special
    mtime: datetime | None = None
    declared_size: int | None = None
    encrypted: bool = False
    link_target: str | None = None

    @property
    def unsafe_path(self) -> bool:
        if self.name is None:
            return False
        name = self.name.replace("\\", "/")
        parts = name.split("/")
        return name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in parts


@dataclass
class MemberResult:
    member: Member
    blob: StoredBlob | None = None
    error: ArchiveError | None = None


@dataclass
class ContainerContext:
    """One container being read: where it is, its bounds, and what it says of itself."""

    path: Path
    limits: Limits
    budget: Budget
    store: BlobStore
    name: str = ""  # the file name it was found under (for messages, never for choosing)
    archive_size: int = 0
    whole_archive_ratio: bool = True  # zip bounds each member instead
    expanded: int = 0  # bytes out of this container, for the container-level ratio
    out: Extraction = field(default_factory=Extraction)  # the container's own text, meta

    def scratch(self) -> Path:
        """The store's scratch directory (within the case), for readers that need files."""
        self.store.make_dir(self.store.tmp_dir)
        return self.store.tmp_dir

    def member_cap(self, compressed_size: int) -> int:
        """What one member of this compressed size may expand to."""
        lim = self.limits
        return max(int(compressed_size * lim.max_expansion_ratio), lim.ratio_allowance_bytes)

    def archive_cap(self) -> int:
        lim = self.limits
        return max(int(self.archive_size * lim.max_expansion_ratio), lim.ratio_allowance_bytes)

    def copy(self, stream: IO[bytes], member_cap: int) -> StoredBlob:
        """Stream a member into the store within the bounds."""
        return fill(LimitedWriter(self, member_cap), stream)

    def copy_member(self, member: Member, stream: IO[bytes], cap: int) -> Iterator[MemberResult]:
        """One member streamed into the store: its result; a bound that stops the whole
        container is raised after the member's own result."""
        try:
            blob = self.copy(stream, cap)
        except ArchiveError as exc:
            yield MemberResult(member, error=exc)
            if exc.stops:
                raise
            return
        yield MemberResult(member, blob=blob)

    def store_bytes(self, member: Member, data: bytes) -> MemberResult:
        """A member already in memory (an attachment) stored within the bounds."""
        self.budget.take_member()
        writer = LimitedWriter(self, self.limits.max_member_bytes)
        try:
            writer.write(data)
            return MemberResult(member, blob=writer.commit())
        except ArchiveError as exc:
            writer.abort()
            if exc.stops:
                raise
            return MemberResult(member, error=exc)


class LimitedWriter:
    """A blob writer that stops when a member, the container or the tree grows too large."""

    def __init__(self, reader: ContainerContext, member_cap: int) -> None:
        self.reader = reader
        self.member_cap = min(member_cap, reader.limits.max_member_bytes)
        self.blob: BlobWriter = reader.store.writer()

    def write(self, chunk: bytes | bytearray) -> int:
        r, lim = self.reader, self.reader.limits
        n = len(chunk)
        r.expanded += n
        r.budget.total_bytes += n
        if self.blob.size + n > self.member_cap:
            raise ArchiveError(
                "bomb",
                f"member expands past {self.member_cap:,} bytes "
                f"(expansion ratio over {lim.max_expansion_ratio:g}:1 or over "
                "limits.max_member_bytes); not stored",
            )
        if r.whole_archive_ratio and r.expanded > r.archive_cap():
            raise ArchiveError(
                "bomb",
                f"archive expands past {lim.max_expansion_ratio:g} times its size; reading stopped",
                stops=True,
            )
        if r.budget.total_bytes > lim.max_archive_total_bytes:
            raise ArchiveError(
                "bomb",
                f"nested archives expand past {lim.max_archive_total_bytes:,} bytes in total; "
                "reading stopped (raise limits.max_archive_total_bytes to read on)",
                stops=True,
            )
        return self.blob.write(bytes(chunk))

    def commit(self) -> StoredBlob:
        try:
            return self.blob.commit()
        except EvidenceConflict as exc:  # this member is not stored; the others can be
            raise ArchiveError(exc.cause, str(exc), alarm=exc) from exc

    def abort(self) -> None:
        self.blob.abort()


class Container(Reader):
    """A reader of files that hold files, registered with :func:`registry.register`.

    ``members`` yields every member with its content stored (``ctx.copy`` or
    ``ctx.store_bytes``) or an error; a problem with the whole container (corrupt,
    encrypted, a bomb) is raised as :class:`ArchiveError` after the members read so far.
    Any other exception is a bug in the reader: the container's item records it as
    ``reader_bug`` and the run goes on.
    """

    #: each member must come within ``limits.item_timeout_s`` (off for readers that unpack
    #: the whole container before yielding, like py7zr: the size bounds hold them)
    timed_members: ClassVar[bool] = True

    @abstractmethod
    def members(self, path: Path, mime: str, ctx: ContainerContext) -> Iterator[MemberResult]: ...


def encrypted_member() -> ArchiveError:
    return ArchiveError(
        "encrypted", "encrypted archive member: it cannot be read without the password"
    )


def link_error(target: str | None) -> ArchiveError:
    to = f" to {target!r}" if target else ""
    return ArchiveError("link", f"symbolic link{to} not followed: links can point outside the leak")


ZLIB_ERROR = zlib.error
# What reading one zip member may raise besides a bound: the member is corrupt.
ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
)
