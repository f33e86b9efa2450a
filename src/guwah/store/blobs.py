"""Content-addressed, read-only store of originals.

Each original is stored once under ``evidence/ab/cd/<sha256>`` and made read-only. Writing
goes to a temporary file in the same file system, hashed while it is copied, then renamed
into place, so a run killed mid-copy leaves no partial original behind.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    md5: str
    sha1: str
    size: int
    path: Path
    new: bool


class BlobStore:
    def __init__(self, root: Path, tmp_dir: Path) -> None:
        self.root = root
        self.tmp_dir = tmp_dir

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def put_stream(self, stream: BinaryIO) -> StoredBlob:
        """Copy a stream into the store; errors from the stream propagate, leaving nothing."""
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        h256, hmd5, hsha1 = hashlib.sha256(), hashlib.md5(), hashlib.sha1()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp_dir, prefix="blob-")
        try:
            with os.fdopen(fd, "wb") as out:
                while True:
                    chunk = stream.read(CHUNK)
                    if not chunk:
                        break
                    h256.update(chunk)
                    hmd5.update(chunk)
                    hsha1.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            sha = h256.hexdigest()
            final = self.path_for(sha)
            new = not final.exists()
            if new:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(tmp_name, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
                os.replace(tmp_name, final)
            else:
                os.unlink(tmp_name)
            return StoredBlob(sha, hmd5.hexdigest(), hsha1.hexdigest(), size, final, new)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def put_file(self, path: Path) -> StoredBlob:
        with open(path, "rb") as f:
            return self.put_stream(f)

    def iter_stored(self) -> list[Path]:
        """Every file under the store, whatever its name (used to find unexpected files)."""
        return [p for p in self.root.rglob("*") if p.is_file() or p.is_symlink()]

    def clean_tmp(self) -> None:
        """Remove temporaries left by a killed run."""
        if self.tmp_dir.exists():
            for p in self.tmp_dir.glob("blob-*"):
                p.unlink(missing_ok=True)


def hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()
