"""Reading archive members into the store, within hard bounds.

Members are never written to disk under their own names: each one is streamed into the
content-addressed store, so absolute paths and ``..`` in member names cannot escape the
case. Expansion is bounded per member (ratio to its compressed size), per archive (ratio
to the archive's size, for solid and stream-compressed formats) and per tree of nested
archives (total bytes, member count), so zip bombs stop early with a clear error.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import py7zr
import py7zr.exceptions
import py7zr.io

from guwah.config import Limits
from guwah.store.blobs import BlobStore, BlobWriter, StoredBlob, fill


class ArchiveError(Exception):
    """``stops``: the whole archive (or tree) cannot be read further, not just one member."""

    def __init__(self, cause: str, message: str, stops: bool = False) -> None:
        super().__init__(message)
        self.cause = cause
        self.message = message
        self.stops = stops


@dataclass
class Budget:
    """What one tree of nested archives may still expand to."""

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
class _Reader:
    path: Path
    limits: Limits
    budget: Budget
    store: BlobStore
    archive_size: int = 0
    whole_archive_ratio: bool = True  # zip bounds each member instead
    expanded: int = 0  # bytes out of this archive, for the archive-level ratio
    results: list[MemberResult] = field(default_factory=list)

    def archive_cap(self) -> int:
        lim = self.limits
        return max(int(self.archive_size * lim.max_expansion_ratio), lim.ratio_allowance_bytes)

    def copy(self, stream: IO[bytes], member_cap: int) -> StoredBlob:
        return fill(LimitedWriter(self, member_cap), stream)


class LimitedWriter:
    """A blob writer that stops when a member, the archive or the tree grows too large."""

    def __init__(self, reader: _Reader, member_cap: int) -> None:
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
        return self.blob.commit()

    def abort(self) -> None:
        self.blob.abort()


def read_members(
    path: Path, mime: str, limits: Limits, budget: Budget, store: BlobStore
) -> Iterator[MemberResult]:
    """Yield every member of the archive at ``path``, its content stored.

    A problem with one member is on its result; a problem with the whole archive (corrupt,
    encrypted, a bomb) is raised as :class:`ArchiveError` after the members read so far.
    """
    reader = _Reader(path, limits, budget, store, archive_size=path.stat().st_size)
    handlers: dict[str, Callable[[_Reader], Iterator[MemberResult]]] = {
        "application/zip": _zip_members,
        "application/x-tar": _tar_members,
        "application/x-7z-compressed": _7z_members,
        "application/gzip": _compressed_members,
        "application/x-bzip2": _compressed_members,
        "application/x-xz": _compressed_members,
    }
    handler = handlers.get(mime)
    if handler is None:
        raise ArchiveError("unsupported", f"{mime} is not an archive type guwah reads")
    yield from handler(reader)


# --- zip -----------------------------------------------------------------------------


def _decode_zip_name(info: zipfile.ZipInfo) -> tuple[str, str | None]:
    """Names without the UTF-8 flag are often GBK; zipfile decodes them as CP437."""
    if info.flag_bits & 0x800:
        return info.filename, None
    try:
        raw = info.orig_filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename, None
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding), (None if encoding == "utf-8" else raw.hex())
        except UnicodeDecodeError:
            continue
    return raw.decode("cp437"), raw.hex()


def _zip_time(info: zipfile.ZipInfo) -> datetime | None:
    try:
        return datetime(*info.date_time)
    except ValueError:
        return None


def _zip_members(r: _Reader) -> Iterator[MemberResult]:
    r.whole_archive_ratio = False
    try:
        zf = zipfile.ZipFile(r.path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveError("corrupt", f"not a readable zip archive: {exc}") from exc
    with zf:
        infos = zf.infolist()
        n_encrypted = 0
        for info in infos:
            r.budget.take_member()
            name, raw_hex = _decode_zip_name(info)
            unix_mode = info.external_attr >> 16
            kind = (
                "dir"
                if info.is_dir()
                else ("link" if (unix_mode & 0o170000) == 0o120000 else "file")
            )
            member = Member(
                name=name,
                raw_name_hex=raw_hex,
                kind=kind,
                mtime=_zip_time(info),
                declared_size=info.file_size,
                encrypted=bool(info.flag_bits & 0x1),
            )
            if kind == "dir":
                continue
            if member.encrypted:
                n_encrypted += 1
                yield MemberResult(
                    member,
                    error=ArchiveError(
                        "encrypted",
                        "encrypted archive member: it cannot be read without the password",
                    ),
                )
                continue
            if kind == "link":
                member.link_target = zf.read(info)[:4096].decode("utf-8", "replace")
                yield MemberResult(member, error=_link_error(member.link_target))
                continue
            cap = max(
                int(info.compress_size * r.limits.max_expansion_ratio),
                r.limits.ratio_allowance_bytes,
            )
            try:
                with zf.open(info) as stream:
                    blob = r.copy(stream, cap)
                yield MemberResult(member, blob=blob)
            except ArchiveError as exc:
                yield MemberResult(member, error=exc)
                if exc.stops:
                    raise
            except (
                zipfile.BadZipFile,
                OSError,
                EOFError,
                ValueError,
                NotImplementedError,
                RuntimeError,
                zlib_error(),
            ) as exc:
                yield MemberResult(
                    member, error=ArchiveError("corrupt", f"cannot read member: {exc}")
                )
        if infos and n_encrypted == len([i for i in infos if not i.is_dir()]):
            raise ArchiveError(
                "encrypted", "encrypted archive: no member can be read without the password"
            )


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


def _link_error(target: str | None) -> ArchiveError:
    return ArchiveError(
        "link", f"symbolic link to {target!r} not followed: links can point outside the leak"
    )


# --- tar -----------------------------------------------------------------------------


def _tar_members(r: _Reader) -> Iterator[MemberResult]:
    try:
        tf = tarfile.open(r.path, mode="r:*")  # noqa: SIM115 (closed by the with below)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveError("corrupt", f"not a readable tar archive: {exc}") from exc
    with tf:
        try:
            for info in tf:
                r.budget.take_member()
                member = Member(
                    name=info.name,
                    mtime=datetime.fromtimestamp(info.mtime, UTC).replace(tzinfo=None)
                    if info.mtime
                    else None,
                    declared_size=info.size,
                )
                if info.isdir():
                    continue
                if info.issym() or info.islnk():
                    member.kind = "link"
                    member.link_target = info.linkname
                    yield MemberResult(member, error=_link_error(info.linkname))
                    continue
                if not info.isreg():
                    member.kind = "special"
                    yield MemberResult(
                        member,
                        error=ArchiveError(
                            "special", "device, FIFO or other special member: it holds no content"
                        ),
                    )
                    continue
                stream = tf.extractfile(info)
                if stream is None:
                    continue
                try:
                    yield MemberResult(member, blob=r.copy(stream, r.limits.max_member_bytes))
                except ArchiveError as exc:
                    yield MemberResult(member, error=exc)
                    if exc.stops:
                        raise
        except (tarfile.TarError, OSError, EOFError, zlib_error(), lzma.LZMAError) as exc:
            raise ArchiveError("corrupt", f"tar archive is corrupt or truncated: {exc}") from exc


# --- single compressed streams (.gz, .bz2, .xz that are not tars) ----------------------


def _compressed_members(r: _Reader) -> Iterator[MemberResult]:
    if _is_tar(r.path):
        yield from _tar_members(r)
        return
    with open(r.path, "rb") as f:
        head = f.read(2)
    modules = {b"\x1f\x8b": gzip, b"BZ": bz2, b"\xfd7": lzma}
    module = modules.get(head)
    if module is None:
        raise ArchiveError("corrupt", "compressed stream with an unknown header")
    r.budget.take_member()
    member = Member(name=None)
    try:
        with module.open(r.path, "rb") as stream:
            blob = r.copy(stream, r.limits.max_member_bytes)
        yield MemberResult(member, blob=blob)
    except ArchiveError as exc:
        yield MemberResult(member, error=exc)
        raise
    except (OSError, EOFError, zlib_error(), lzma.LZMAError, ValueError) as exc:
        raise ArchiveError("corrupt", f"compressed stream is corrupt or truncated: {exc}") from exc


def _is_tar(path: Path) -> bool:
    try:
        with tarfile.open(path, mode="r:*") as tf:
            return tf.next() is not None
    except (tarfile.TarError, OSError, EOFError, zlib_error(), lzma.LZMAError, ValueError):
        return False


# --- 7z ------------------------------------------------------------------------------


class _SevenZipSink(py7zr.io.Py7zIO):
    """py7zr pushes each member's bytes here; they go straight into the store."""

    def __init__(self, reader: _Reader) -> None:
        self.writer = LimitedWriter(reader, reader.limits.max_member_bytes)
        self.blob: StoredBlob | None = None

    def write(self, s: bytes | bytearray) -> int:
        return self.writer.write(s)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return self.writer.blob.size

    def close(self) -> None:
        if self.blob is None:
            self.blob = self.writer.commit()


class _SevenZipFactory(py7zr.io.WriterFactory):
    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.sinks: dict[str, _SevenZipSink] = {}

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        self.reader.budget.take_member()
        sink = _SevenZipSink(self.reader)
        self.sinks[filename] = sink
        return sink


def _7z_members(r: _Reader) -> Iterator[MemberResult]:
    factory = _SevenZipFactory(r)
    members: dict[str, Member] = {}
    failure: ArchiveError | None = None
    try:
        with py7zr.SevenZipFile(r.path, mode="r") as zf:
            if zf.needs_password():
                raise ArchiveError(
                    "encrypted", "encrypted 7z archive: it cannot be read without the password"
                )
            for info in zf.list():
                if info.is_directory:
                    continue
                members[info.filename] = Member(
                    name=info.filename,
                    mtime=info.creationtime.replace(tzinfo=None) if info.creationtime else None,
                    declared_size=info.uncompressed,
                    encrypted=bool(info.is_encrypted),
                )
            zf.extract(factory=factory)
    except ArchiveError as exc:
        failure = exc
    except py7zr.exceptions.PasswordRequired as exc:
        failure = ArchiveError("encrypted", f"encrypted 7z archive: {exc}")
    except (
        py7zr.exceptions.Bad7zFile,
        py7zr.exceptions.ArchiveError,
        OSError,
        EOFError,
        ValueError,
        KeyError,
        lzma.LZMAError,
    ) as exc:
        failure = ArchiveError("corrupt", f"7z archive is corrupt or truncated: {exc}")
    for name, member in members.items():
        sink = factory.sinks.get(name)
        if sink is not None and sink.blob is not None:
            yield MemberResult(member, blob=sink.blob)
        elif sink is not None:
            sink.writer.abort()
            yield MemberResult(member, error=failure or ArchiveError("corrupt", "member not read"))
        elif failure is not None:
            yield MemberResult(
                member, error=ArchiveError(failure.cause, "not read: " + failure.message)
            )
    if failure is not None:
        raise failure
