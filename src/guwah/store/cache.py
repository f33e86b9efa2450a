"""A local read-through cache of originals kept on object storage, with a size bound.

Extractors, Tesseract and LibreOffice need a real file path; an original on a bucket is
copied here (``CASE/cache/evidence/ab/cd/<sha256>``, read-only) only after it hashed to its
key on the way down, or right after it was uploaded from a copy hashed as it was written.
The least recently used copies are removed once the cache holds more than its bound; a copy
used in the last ``keep_recent_s`` seconds is kept even so (a worker may be about to open
it), so the bound may be passed for that long.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from guwah.store.blobs import READ_ONLY, SHA256

KEEP_RECENT_S = 600.0  # a task queued for a worker holds its copy's path meanwhile
LOW_WATER = 0.9  # a trim goes down to this share of the bound
RESCAN_S = 5.0  # how long an over-full cache of recent copies waits before the next scan


class ReadCache:
    def __init__(self, root: Path, max_bytes: int, keep_recent_s: float = KEEP_RECENT_S) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.keep_recent_s = keep_recent_s
        self._total: int | None = None  # bytes held, by this process's count (None: unknown)
        self._rescan_after = 0.0  # over the bound with nothing old enough to remove: wait

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def get(self, sha256: str) -> Path | None:
        """The cached copy of ``sha256``, marked as just used; None when there is none."""
        path = self.path(sha256)
        try:
            os.utime(path)
        except FileNotFoundError:
            return None
        return path

    def admit(self, sha256: str, verified: Path) -> Path:
        """Move ``verified`` (a file whose SHA-256 is ``sha256``) into the cache."""
        final = self.path(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(verified, READ_ONLY)
        size = verified.stat().st_size
        try:
            os.replace(verified, final)
        except OSError:  # another file system (EXDEV): copy, then rename within the cache
            part = final.with_name(f".{final.name}.part")
            shutil.copyfile(verified, part)
            os.chmod(part, READ_ONLY)
            os.replace(part, final)
            verified.unlink()
        if self._total is not None:
            self._total += size
        self.trim(keep=final)
        return final

    def trim(self, keep: Path | None = None) -> int:
        """Remove the least recently used copies while over the bound; bytes removed."""
        if self._total is not None and self._total <= self.max_bytes:
            return 0
        if time.monotonic() < self._rescan_after:
            return 0
        entries = []
        total = 0
        for path in self.root.glob("*/*/*"):
            try:
                st = path.stat()
            except FileNotFoundError:  # removed by another process meanwhile
                continue
            total += st.st_size
            if SHA256.match(path.name):
                entries.append((st.st_mtime, st.st_size, path))
        removed = 0
        if total > self.max_bytes:
            now = time.time()
            target = int(self.max_bytes * LOW_WATER)
            for mtime, size, path in sorted(entries):
                if total - removed <= target:
                    break
                if path == keep or now - mtime < self.keep_recent_s:
                    continue
                path.unlink(missing_ok=True)
                removed += size
        self._total = total - removed
        if self._total > self.max_bytes:
            self._rescan_after = time.monotonic() + RESCAN_S
        return removed

    def held_bytes(self) -> int:
        """Bytes in the cache now (a scan)."""
        return sum(p.stat().st_size for p in self.root.glob("*/*/*") if p.is_file())
