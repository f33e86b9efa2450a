"""Walking a source on disk: a directory tree or a single file, links never followed."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass
class FileEntry:
    path: str  # display path, relative to the source (valid Unicode)
    raw_name_hex: str | None  # the path's bytes, when they were not UTF-8
    fs_path: Path
    size: int = 0
    mtime: datetime | None = None
    error: tuple[str, str] | None = None  # (cause, message): nothing to read


def decode_fs_name(name: str) -> tuple[str, str | None]:
    """A file name as Unicode; names in GBK or broken UTF-8 keep their raw bytes too."""
    return decode_name(os.fsencode(name))


def decode_name(raw: bytes) -> tuple[str, str | None]:
    """Name bytes (a file, an archive member) as Unicode: UTF-8, else GB18030 or escaped,
    with the raw bytes in hex."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), raw.hex()
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace"), raw.hex()


def count_files(root: Path) -> int:
    if not root.is_dir():
        return 1
    return sum(len(files) for _, _, files in os.walk(root))


def walk_source(root: Path) -> Iterator[FileEntry]:
    """Every non-directory entry under ``root`` in a stable order."""
    if not root.is_dir():
        yield _entry(root, root.name)
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        base = Path(dirpath)
        # a symbolic link to a directory is listed in dirnames but never entered
        for name in sorted(dirnames):
            if (base / name).is_symlink():
                yield _entry(base / name, os.path.relpath(base / name, root))
        for name in sorted(filenames):
            yield _entry(base / name, os.path.relpath(base / name, root))


def _entry(path: Path, rel: str) -> FileEntry:
    display, raw_hex = decode_fs_name(rel)
    entry = FileEntry(path=display, raw_name_hex=raw_hex, fs_path=path)
    try:
        st = path.lstat()
    except OSError as exc:
        entry.error = ("unreadable", f"cannot stat the file: {exc.strerror or exc}")
        return entry
    entry.size = st.st_size
    entry.mtime = datetime.fromtimestamp(st.st_mtime, UTC).replace(tzinfo=None)
    if stat.S_ISLNK(st.st_mode):
        target = os.readlink(path)
        entry.error = (
            "link",
            f"symbolic link to {target!r} not followed: links can point outside the leak",
        )
    elif not stat.S_ISREG(st.st_mode):
        entry.error = ("special", "device, FIFO or socket: it holds no content")
    return entry
