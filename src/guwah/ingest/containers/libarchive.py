"""RAR (rarfile, with Debian's ``unar`` doing the decompression) and the other formats
libarchive reads — ISO 9660, cpio, xar, cab — through one reader each, within the bounds.

libarchive is not used for RAR: libarchive 3.6 cannot read solid RAR 4 archives, which are
common. rarfile calls ``unar`` per member; every member is still streamed into the store.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, cast

import libarchive
import libarchive.exception
import libarchive.ffi
import rarfile

from guwah.ingest.containers.base import (
    ArchiveError,
    Container,
    ContainerContext,
    Member,
    MemberResult,
    encrypted_member,
    link_error,
)
from guwah.ingest.registry import register
from guwah.ingest.sources import decode_name

_ENCRYPTED = ("ncrypt", "passphrase", "password")


def _time(ts: float | int | None) -> datetime | None:
    if not ts:
        return None
    try:
        return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


# --- RAR ------------------------------------------------------------------------------


def _rar_name(info: rarfile.RarInfo) -> tuple[str, str | None]:
    """RAR 4 stores names without the Unicode flag in the archiver's code page (often GBK);
    rarfile decodes those as Windows-1252, which is undone here."""
    name = info.filename
    raw = info.orig_filename
    if (
        not isinstance(info, rarfile.Rar3Info)
        or info.flags & rarfile.RAR_FILE_UNICODE
        or not isinstance(raw, bytes)
    ):
        return name, None
    decoded, raw_hex = decode_name(raw)
    return decoded.replace("\\", "/"), raw_hex


def _rar_failure(exc: Exception) -> ArchiveError:
    if isinstance(exc, rarfile.PasswordRequired | rarfile.NeedFirstVolume):
        if isinstance(exc, rarfile.NeedFirstVolume):
            return ArchiveError(
                "split_volume",
                f"a later volume of a split RAR archive: read it from its first volume ({exc})",
            )
        return ArchiveError("encrypted", "encrypted RAR: it cannot be read without the password")
    if isinstance(exc, rarfile.RarCannotExec):
        return ArchiveError(
            "unsupported", "no RAR tool: install Debian's unar (or libarchive-tools' bsdtar)"
        )
    return ArchiveError("corrupt", f"RAR archive is corrupt or truncated: {exc}")


@register
class RarReader(Container):
    name = "rar"
    version = "1"
    mimetypes = frozenset(
        {"application/x-rar", "application/vnd.rar", "application/x-rar-compressed"}
    )

    def members(self, path: Path, mime: str, ctx: ContainerContext) -> Iterator[MemberResult]:
        try:
            rf = rarfile.RarFile(str(path))
        except (rarfile.Error, OSError, EOFError, ValueError) as exc:
            raise _rar_failure(exc) from exc
        with rf:
            if rf.needs_password() and not rf.infolist():
                raise ArchiveError(
                    "encrypted",
                    "encrypted RAR (names too): nothing can be read without the password",
                )
            if rf.comment:
                ctx.out.meta["comment"] = str(rf.comment)[:4000]
            infos = rf.infolist()
            if infos:
                ctx.out.meta["format"] = (
                    "RAR 5" if isinstance(infos[0], rarfile.Rar5Info) else "RAR 4"
                )
            encrypted = 0
            for info in infos:
                if info.is_dir():
                    continue
                ctx.budget.take_member()
                name, raw_hex = _rar_name(info)
                member = Member(
                    name=name,
                    raw_name_hex=raw_hex,
                    mtime=info.mtime.replace(tzinfo=None) if info.mtime else None,
                    declared_size=info.file_size,
                    encrypted=info.needs_password(),
                )
                if info.is_symlink():
                    member.kind = "link"
                    yield MemberResult(member, error=link_error(None))
                    continue
                if member.encrypted:
                    encrypted += 1
                    yield MemberResult(member, error=encrypted_member())
                    continue
                try:
                    with rf.open(info) as stream:
                        yield from ctx.copy_member(
                            member, stream, ctx.member_cap(info.compress_size)
                        )
                except (
                    rarfile.Error,
                    OSError,
                    EOFError,
                    ValueError,
                    io.UnsupportedOperation,
                ) as exc:
                    yield MemberResult(member, error=_rar_failure(exc))
            files = [i for i in infos if not i.is_dir()]
            if files and encrypted == len(files):
                raise ArchiveError(
                    "encrypted", "encrypted RAR: no member can be read without the password"
                )


# --- libarchive: ISO 9660, cpio, xar, cab ------------------------------------------------


class _Blocks(io.RawIOBase):  # read through IO[bytes]
    """An entry's blocks as a readable stream, for the bounded copy."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self.blocks = blocks
        self.pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if not self.pending:
            self.pending = next(self.blocks, b"")
        if size < 0 or size >= len(self.pending):
            out, self.pending = self.pending, b""
        else:
            out, self.pending = self.pending[:size], self.pending[size:]
        return bytes(out)


def _libarchive_failure(exc: Exception) -> ArchiveError:
    text = str(exc)
    if any(k in text for k in _ENCRYPTED):
        return ArchiveError("encrypted", f"encrypted archive: {text[:300]}")
    return ArchiveError("corrupt", f"archive is corrupt or truncated: {text[:300]}")


@register
class LibarchiveReader(Container):
    """Formats read through libarchive (libarchive-c); the format is recorded as it names it."""

    name = "libarchive"
    version = "1"
    mimetypes = frozenset(
        {
            "application/x-iso9660-image",
            "application/x-cpio",
            "application/x-xar",
            "application/vnd.ms-cab-compressed",
        }
    )

    def members(self, path: Path, mime: str, ctx: ContainerContext) -> Iterator[MemberResult]:
        try:
            with libarchive.file_reader(str(path)) as archive:
                for entry in archive:
                    if entry.isdir:
                        continue
                    ctx.out.meta["format"] = str(
                        libarchive.ffi.format_name(archive._pointer),
                        "ascii",
                        "replace",  # noqa: SLF001
                    )
                    ctx.budget.take_member()
                    raw = libarchive.ffi.entry_pathname(entry._entry_p) or b""  # noqa: SLF001
                    name, raw_hex = decode_name(raw)
                    member = Member(
                        name=name.removeprefix("./"),
                        raw_name_hex=raw_hex,
                        mtime=_time(entry.mtime),
                        declared_size=entry.size,
                    )
                    if entry.issym or entry.islnk:
                        member.kind = "link"
                        yield MemberResult(member, error=link_error(entry.linkpath))
                        continue
                    if not entry.isreg:
                        member.kind = "special"
                        yield MemberResult(
                            member,
                            error=ArchiveError(
                                "special", "device, FIFO or other special member: no content"
                            ),
                        )
                        continue
                    stream = cast(IO[bytes], _Blocks(iter(entry.get_blocks())))
                    yield from ctx.copy_member(member, stream, ctx.limits.max_member_bytes)
        except libarchive.exception.ArchiveError as exc:
            raise _libarchive_failure(exc) from exc
