"""Archive readers of the standard library and py7zr: zip, tar, 7z, gzip/bzip2/xz streams.

Each is a :class:`Container`; the bounds and the member types are in ``base``.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import struct
import tarfile
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import py7zr
import py7zr.exceptions
import py7zr.io

from guwah.ingest.containers.base import (
    ZIP_READ_ERRORS,
    ZLIB_ERROR,
    ArchiveError,
    Container,
    ContainerContext,
    LimitedWriter,
    Member,
    MemberResult,
    encrypted_member,
    link_error,
)
from guwah.ingest.registry import register
from guwah.store.blobs import StoredBlob

_Reader = ContainerContext
_7Z_MAGIC = b"7z\xbc\xaf\x27\x1c"


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
                yield MemberResult(member, error=encrypted_member())
                continue
            if kind == "link":
                member.link_target = zf.read(info)[:4096].decode("utf-8", "replace")
                yield MemberResult(member, error=link_error(member.link_target))
                continue
            try:
                with zf.open(info) as stream:
                    yield from r.copy_member(member, stream, r.member_cap(info.compress_size))
            except ZIP_READ_ERRORS as exc:
                yield MemberResult(
                    member, error=ArchiveError("corrupt", f"cannot read member: {exc}")
                )
        if infos and n_encrypted == len([i for i in infos if not i.is_dir()]):
            raise ArchiveError(
                "encrypted", "encrypted archive: no member can be read without the password"
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
                    yield MemberResult(member, error=link_error(info.linkname))
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
                yield from r.copy_member(member, stream, r.limits.max_member_bytes)
        except (tarfile.TarError, OSError, EOFError, ZLIB_ERROR, lzma.LZMAError) as exc:
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
    except (OSError, EOFError, ZLIB_ERROR, lzma.LZMAError, ValueError) as exc:
        raise ArchiveError("corrupt", f"compressed stream is corrupt or truncated: {exc}") from exc


def _is_tar(path: Path) -> bool:
    try:
        with tarfile.open(path, mode="r:*") as tf:
            return tf.next() is not None
    except (tarfile.TarError, OSError, EOFError, ZLIB_ERROR, lzma.LZMAError, ValueError):
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
        self.links: set[str] = set()

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        if filename in self.links:  # a link's "content" is its target: never stored
            return py7zr.io.NullIO()
        self.reader.budget.take_member()
        sink = _SevenZipSink(self.reader)
        self.sinks[filename] = sink
        return sink


def _split_volume(r: _Reader) -> ArchiveError | None:
    """A 7z whose header points past its end: a first volume (``.7z.001``) or truncated."""
    with open(r.path, "rb") as f:
        head = f.read(32)
    if len(head) < 32 or not head.startswith(_7Z_MAGIC):
        return None
    offset, size = struct.unpack("<QQ", head[12:28])
    if 32 + offset + size <= r.archive_size:
        return None
    if r.name.lower().rsplit(".", 1)[-1].isdigit():
        return ArchiveError(
            "split_volume",
            f"one volume of a split 7z archive ({r.name}): its members can only be read with "
            f"every volume joined in order (cat {r.name.rsplit('.', 1)[0]}.0* > whole.7z); "
            "this volume is preserved as it is",
        )
    return ArchiveError(
        "corrupt",
        "7z archive is truncated (its header lies past the end of the file) or is the "
        "first volume of a split archive",
    )


def _7z_members(r: _Reader) -> Iterator[MemberResult]:
    split = _split_volume(r)
    if split is not None:
        raise split
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
                    kind="link" if info.is_symlink else "file",
                )
                if info.is_symlink:
                    factory.links.add(info.filename)
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
        if member.kind == "link":
            yield MemberResult(member, error=link_error(None))
        elif sink is not None and sink.blob is not None:
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


# --- the registered readers ----------------------------------------------------------


@register
class ZipReader(Container):
    name = "zip"
    version = "2"
    mimetypes = frozenset({"application/zip"})

    def members(self, path: Path, mime: str, ctx: ContainerContext) -> Iterator[MemberResult]:
        return _zip_members(ctx)


@register
class TarReader(Container):
    name = "tar"
    version = "2"
    mimetypes = frozenset({"application/x-tar"})

    def members(self, path: Path, mime: str, ctx: ContainerContext) -> Iterator[MemberResult]:
        return _tar_members(ctx)


@register
class CompressedReader(Container):
    """gzip, bzip2 and xz: a tar inside is read as a tar, else the one stream is the member."""

    name = "compressed"
    version = "2"
    mimetypes = frozenset({"application/gzip", "application/x-bzip2", "application/x-xz"})

    def members(self, path: Path, mime: str, ctx: ContainerContext) -> Iterator[MemberResult]:
        return _compressed_members(ctx)


@register
class SevenZipReader(Container):
    name = "7z"
    version = "2"
    mimetypes = frozenset({"application/x-7z-compressed"})
    timed_members = False

    def members(self, path: Path, mime: str, ctx: ContainerContext) -> Iterator[MemberResult]:
        return _7z_members(ctx)
