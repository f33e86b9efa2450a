"""Content-addressed, read-only store of originals.

Each original is stored once under ``evidence/ab/cd/<sha256>`` and made read-only. Writing
goes to a temporary file in the same file system, hashed while it is copied, then renamed
into place, so a run killed mid-copy leaves no partial original behind.

This is the default, local store; ``objects.py`` keeps the originals on object storage
(``evidence = "s3://bucket/prefix"``) behind the same interface, and ``evidence.py`` opens
the one a case's settings name.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, Protocol

CHUNK = 1 << 20
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class StoreError(Exception):
    """The evidence store failed (after its retries); nothing was half-written. The message
    names the store, the original and what to do next."""

    cause = "store_failed"

    def __init__(self, message: str, sha256: str | None = None) -> None:
        super().__init__(message)
        self.sha256 = sha256


class EvidenceConflict(StoreError):
    """An alarm: the store already holds other bytes under this original's SHA-256 key.
    The original there was replaced or damaged; guwah never overwrites it."""

    cause = "store_conflict"

    def __init__(self, message: str, sha256: str, key: str, found: dict[str, object]) -> None:
        super().__init__(message, sha256)
        self.key = key
        self.found = found  # what the key holds: its size, and its SHA-256 when read


class EvidenceCorrupt(StoreError):
    """A read from the store did not hash to its key: the bytes were not used."""

    cause = "store_corrupt"


@dataclass(frozen=True)
class Finding:
    """One problem ``guwah custody verify`` found with a stored original."""

    kind: str  # "missing" | "tampered" | "writable"
    sha256: str
    message: str


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    md5: str
    sha1: str
    size: int
    path: Path
    new: bool


class BlobWriter:
    """Receives bytes for one original; :meth:`commit` files it under its hash."""

    def __init__(self, store: BlobStore) -> None:
        self.store = store
        store.make_dir(store.tmp_dir)
        fd, self.tmp_name = tempfile.mkstemp(dir=store.tmp_dir, prefix="blob-")
        self._out = os.fdopen(fd, "wb")
        self._h256, self._md5, self._sha1 = hashlib.sha256(), hashlib.md5(), hashlib.sha1()
        self.size = 0

    def write(self, chunk: bytes) -> int:
        self._h256.update(chunk)
        self._md5.update(chunk)
        self._sha1.update(chunk)
        self._out.write(chunk)
        self.size += len(chunk)
        return len(chunk)

    def commit(self) -> StoredBlob:
        self._out.close()
        sha = self._h256.hexdigest()
        final = self.store.path_for(sha)
        new = not final.exists()
        if new:
            self.store.make_dir(final.parent)
            os.chmod(self.tmp_name, READ_ONLY)
            os.replace(self.tmp_name, final)
        else:
            os.unlink(self.tmp_name)
        return StoredBlob(sha, self._md5.hexdigest(), self._sha1.hexdigest(), self.size, final, new)

    def abort(self) -> None:
        self._out.close()
        if os.path.exists(self.tmp_name):
            os.unlink(self.tmp_name)


class BlobStore:
    """Originals on a local file system; ``path_for`` is where each one lies."""

    def __init__(self, root: Path, tmp_dir: Path) -> None:
        self.root = root
        self.tmp_dir = tmp_dir
        self._made: set[Path] = set()  # fan-out directories known to exist (at most 65,536)

    @property
    def location(self) -> str:
        """Where the originals are, for messages and reports."""
        return str(self.root)

    def check_reachable(self) -> None:
        """Raise :class:`StoreError` if the store cannot be used (a local one always can)."""

    def make_dir(self, path: Path) -> None:
        if path not in self._made:
            path.mkdir(parents=True, exist_ok=True)
            self._made.add(path)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def writer(self) -> BlobWriter:
        return BlobWriter(self)

    def put_stream(self, stream: BinaryIO) -> StoredBlob:
        """Copy a stream into the store; an error from the stream propagates, leaving nothing."""
        return fill(self.writer(), stream)

    def put_file(self, path: Path) -> StoredBlob:
        with open(path, "rb") as f:
            return self.put_stream(f)

    def iter_stored(self) -> list[Path]:
        """Every file under the store, whatever its name (used to find unexpected files)."""
        return [p for p in self.root.rglob("*") if not p.is_dir()]

    def check_originals(self, items: Iterable[tuple[str, int]]) -> Iterator[Finding]:
        """Re-hash the original of every ``(sha256, size)``; yield what is wrong."""
        for sha, size in items:
            path = self.path_for(sha)
            if not path.exists():
                yield Finding(
                    "missing", sha, f"{sha}: the original is missing from the store ({path})"
                )
                continue
            actual = hash_file(path)
            if actual != sha or path.stat().st_size != size:
                yield Finding(
                    "tampered",
                    sha,
                    f"{sha}: the stored original was changed (it now hashes to {actual})",
                )
            elif path.stat().st_mode & 0o222:
                yield Finding(
                    "writable", sha, f"{sha}: the original is writable (expected read-only)"
                )

    def stray_files(self, known: set[str]) -> Iterator[str]:
        """What the store holds that no item accounts for, one message each."""
        for path in self.iter_stored():
            if path.name not in known or path != self.path_for(path.name):
                yield f"{path}: a file in the store that no item accounts for"

    def clean_tmp(self) -> None:
        """Remove temporaries left by a killed run."""
        if self.tmp_dir.exists():
            for p in self.tmp_dir.glob("blob-*"):
                p.unlink(missing_ok=True)


class Writer(Protocol):
    def write(self, chunk: bytes) -> int: ...
    def commit(self) -> StoredBlob: ...
    def abort(self) -> None: ...


def fill(writer: Writer, stream: IO[bytes]) -> StoredBlob:
    """Copy ``stream`` into ``writer`` and commit; on any error abort it, leaving nothing."""
    try:
        while chunk := stream.read(CHUNK):
            writer.write(chunk)
        return writer.commit()
    except BaseException:
        writer.abort()
        raise


def hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()
