"""The evidence store on object storage (``evidence = "s3://bucket/prefix"``), through fsspec.

Any S3-compatible service (AWS S3, MinIO, Ceph RGW, Garage, moto in the tests). Each
original is the object ``prefix/ab/cd/<sha256>`` — the local store's layout, so an
``aws s3 sync CASE/evidence s3://bucket/prefix`` moves a local store there unchanged.

Written once: a new original is hashed into a local temporary file first, then sent in one
PUT (a multipart upload above 100 MiB) with ``If-None-Match: *``. S3 makes an object visible
only when its PUT (or the multipart upload's completion) succeeds, so an endpoint that fails
mid-way leaves no object, never part of one; s3fs aborts a failed multipart upload. A key
that already exists is read back and hashed: the same bytes are a no-op, other bytes are an
alarm (:class:`EvidenceConflict`), and nothing is overwritten.

Read through a local cache (``cache.py``): every copy is hashed on the way down and a copy
that does not hash to its key raises :class:`EvidenceCorrupt` and is never used. Each call
to the service is retried by botocore (``evidence_retries``, standard mode, with
``evidence_timeout_s`` to connect and to read); what still fails is a :class:`StoreError`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from guwah.store.blobs import (
    CHUNK,
    SHA256,
    BlobStore,
    BlobWriter,
    EvidenceConflict,
    EvidenceCorrupt,
    Finding,
    StoredBlob,
    StoreError,
)
from guwah.store.cache import ReadCache

if TYPE_CHECKING:
    from s3fs import S3FileSystem

T = TypeVar("T")
READ_BLOCK = 8 << 20  # one ranged GET when an object is read
#: an upload slower than this on average has failed: an endpoint that takes a PUT and never
#: answers (botocore waits for "100 Continue" with no timeout) must not hang the run
UPLOAD_FLOOR_BYTES_S = 1 << 20
FETCH_PREFIX = "fetch-"  # a download into tmp/, hashed before it enters the cache
STALE_FETCH_S = 3600.0  # a download this old was left by a killed process
VERIFY_THREADS = 8
PRESENT_MAX = 200_000  # keys remembered as checked, then forgotten (memory)  # objects hashed at once by `guwah custody verify`


def split_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix/`` → ``("bucket", "some/prefix")``."""
    rest = url.split("://", 1)[1]
    bucket, _, prefix = rest.partition("/")
    return bucket, prefix.strip("/")


class ObjectWriter(BlobWriter):
    """Hashes an original into a local temporary file; :meth:`commit` uploads it once."""

    store: ObjectStore

    def commit(self) -> StoredBlob:
        self._out.close()
        sha = self._h256.hexdigest()
        tmp = Path(self.tmp_name)
        try:
            new = self.store.put_once(tmp, sha, self.size)
            cached = self.store.cache.get(sha)
            if cached is not None:
                tmp.unlink()
            else:
                cached = self.store.cache.admit(sha, tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return StoredBlob(
            sha, self._md5.hexdigest(), self._sha1.hexdigest(), self.size, cached, new
        )


class ObjectStore(BlobStore):
    """Originals on an S3-compatible bucket; ``path_for`` gives a verified local copy."""

    def __init__(
        self,
        url: str,
        tmp_dir: Path,
        cache_dir: Path,
        *,
        cache_bytes: int,
        endpoint_url: str = "",
        region: str = "",
        profile: str = "",
        timeout_s: float = 30.0,
        retries: int = 4,
    ) -> None:
        super().__init__(cache_dir, tmp_dir)
        self.url = url.rstrip("/")
        self.bucket, self.prefix = split_url(url)
        self.cache = ReadCache(cache_dir, cache_bytes)
        self.retries = max(retries, 1)
        self.timeout_s = timeout_s
        self.part_bytes: int | None = None  # multipart part size (None: s3fs's 50 MiB)
        self._options: dict[str, Any] = {
            "endpoint_url": endpoint_url or None,  # None: botocore's AWS_ENDPOINT_URL*, or AWS
            "client_kwargs": {"region_name": region} if region else {},
            "config_kwargs": {
                "connect_timeout": timeout_s,
                "read_timeout": timeout_s,
                "retries": {"total_max_attempts": self.retries, "mode": "standard"},
            },
            "use_listings_cache": False,
            "skip_instance_cache": True,
            **({"profile": profile} if profile else {}),
        }
        self._fs: S3FileSystem | None = None
        self._present: set[str] = set()  # keys this process wrote or read back whole

    @property
    def fs(self) -> S3FileSystem:
        if self._fs is None:
            import s3fs  # imported on first use: the CLI starts without it

            self._fs = s3fs.S3FileSystem(**self._options)
            self._fs.retries = 1  # botocore retries each call; s3fs would multiply them
        return self._fs

    def __getstate__(self) -> dict[str, Any]:
        """A pickled copy (a Dask worker's) opens its own connection and checks anew."""
        return {**self.__dict__, "_fs": None, "_present": set()}

    @property
    def location(self) -> str:
        return self.url

    def key(self, sha256: str) -> str:
        parts = [self.bucket, self.prefix, sha256[:2], sha256[2:4], sha256]
        return "/".join(p for p in parts if p)

    def object_url(self, sha256: str) -> str:
        return f"s3://{self.key(sha256)}"

    # --- failures --------------------------------------------------------------------

    def _call(self, what: str, sha256: str | None, fn: Callable[[], T], lookup: bool = True) -> T:
        """Run calls to the service; a failure is a StoreError, but for a missing key when
        looking one up (FileNotFoundError) and an existing one when creating it."""
        try:
            return fn()
        except StoreError:
            raise
        except (FileNotFoundError, FileExistsError) as exc:
            if lookup or isinstance(exc, FileExistsError):
                raise
            raise self._failed(what, sha256, exc) from exc
        except Exception as exc:
            raise self._failed(what, sha256, exc) from exc

    def _failed(self, what: str, sha256: str | None, exc: Exception) -> StoreError:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if isinstance(exc, TimeoutError):  # fsspec's FSTimeoutError: the call's deadline
            reason = f"no answer within {self.deadline():g} s: {reason}"
        return StoreError(
            f"the evidence store {self.url} failed {what}"
            f"{f' {sha256}' if sha256 else ''} after {self.retries} "
            f"{'try' if self.retries == 1 else 'tries'} ({reason}); "
            "nothing was half-written. Check the endpoint and its credentials "
            "(evidence_endpoint_url and evidence_profile in guwah.toml, the AWS_* "
            "variables), then run the same command again: it resumes",
            sha256,
        )

    def check_reachable(self) -> None:
        try:
            limit = self.deadline()
            self._call("to answer", None, lambda: self.fs.info(self.bucket, timeout=limit))
        except FileNotFoundError as exc:
            raise StoreError(
                f"the bucket {self.bucket!r} of {self.url} does not exist: create it "
                f"(`aws s3 mb s3://{self.bucket}`) or name another in guwah.toml's evidence"
            ) from exc

    # --- writing ---------------------------------------------------------------------

    def writer(self) -> BlobWriter:
        return ObjectWriter(self)

    def deadline(self, size: int = 0) -> float:
        """The most one call (all its tries) may take, sending ``size`` bytes."""
        return self.timeout_s * self.retries * 2 + size / UPLOAD_FLOOR_BYTES_S

    def size_of(self, sha256: str) -> int | None:
        """The size of the object under ``sha256``'s key; None when there is none."""
        key, limit = self.key(sha256).split("/", 1)[1], self.deadline()
        try:  # one HEAD (s3fs's info would also list the key as a "directory")
            head = self._call(
                "to look up",
                sha256,
                lambda: self.fs.call_s3("head_object", Bucket=self.bucket, Key=key, timeout=limit),
            )
        except FileNotFoundError:
            return None
        return int(head["ContentLength"])

    def exists(self, sha256: str) -> bool:
        return sha256 in self._present or self.size_of(sha256) is not None

    def _remember(self, sha256: str) -> None:
        """Note a key known to hold its original (a bounded shortcut, not a record)."""
        if len(self._present) >= PRESENT_MAX:
            self._present.clear()
        self._present.add(sha256)

    def put_once(self, tmp: Path, sha256: str, size: int) -> bool:
        """Upload ``tmp`` (whose SHA-256 is ``sha256``) unless its key exists; True if it was
        uploaded. An existing key must hold the same bytes, else :class:`EvidenceConflict`."""
        if sha256 in self._present:
            return False
        key, limit = self.key(sha256), self.deadline(size)
        found = self.size_of(sha256)
        if found is None:
            try:
                self._call(
                    "writing",
                    sha256,
                    lambda: self.fs.put_file(
                        str(tmp), key, mode="create", chunksize=self.part_bytes, timeout=limit
                    ),
                    lookup=False,
                )
            except FileExistsError:  # written by someone else since the look-up
                found = self.size_of(sha256)
            else:
                self._remember(sha256)
                return True
        if found != size:
            self._conflict(sha256, size, {"size": found})
        actual = self._read_hash(sha256)
        if actual != sha256:
            self._conflict(sha256, size, {"size": found, "sha256": actual})
        self._remember(sha256)
        return False

    def _conflict(self, sha256: str, size: int, found: dict[str, object]) -> None:
        what = ", ".join(f"{k} {v}" for k, v in found.items())
        raise EvidenceConflict(
            f"ALARM: {self.object_url(sha256)} already holds other bytes ({what}) than the "
            f"original of that SHA-256 ({size:,} bytes). The object was replaced or damaged "
            "in the store; guwah did not overwrite it. Find out who wrote it (the bucket's "
            "access logs, object versions), then run `guwah custody verify`",
            sha256,
            self.key(sha256),
            found,
        )

    # --- reading ---------------------------------------------------------------------

    def path_for(self, sha256: str) -> Path:
        """A local copy of the original, hashed to its key when fetched; a path that does
        not exist when the store has no such object (as for the local store).

        Raises :class:`EvidenceCorrupt` when the object does not hash to its key, and
        :class:`StoreError` when the service cannot be reached.
        """
        if not SHA256.match(sha256):
            return self.root / "not-a-sha256"
        cached = self.cache.get(sha256)
        if cached is not None:
            return cached
        self.make_dir(self.tmp_dir)
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, prefix=FETCH_PREFIX)
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                actual = self._read_hash(sha256, out)
        except FileNotFoundError:
            tmp.unlink()
            return self.cache.path(sha256)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if actual != sha256:
            tmp.unlink()
            raise EvidenceCorrupt(
                f"{self.object_url(sha256)} does not hash to its key (it hashes to {actual}): "
                "the original was altered in the store and was not used. Run `guwah custody "
                "verify` and restore the original from a copy you trust",
                sha256,
            )
        self._remember(sha256)
        return self.cache.admit(sha256, tmp)

    def _read_hash(self, sha256: str, out: Any = None) -> str:
        """The SHA-256 of the object under ``sha256``'s key (copied to ``out`` if given)."""

        def read() -> str:
            h = hashlib.sha256()
            with self.fs.open(self.key(sha256), "rb", block_size=READ_BLOCK) as f:
                while chunk := f.read(CHUNK):
                    h.update(chunk)
                    if out is not None:
                        out.write(chunk)
            return h.hexdigest()

        return self._call("reading", sha256, read)

    # --- verification ----------------------------------------------------------------

    def listing(self) -> dict[str, int]:
        """Every object under the prefix: key → size."""
        root = "/".join(p for p in (self.bucket, self.prefix) if p)
        found = self._call("listing", None, lambda: self.fs.find(root, detail=True, withdirs=False))
        return {k: int(v.get("size", 0)) for k, v in found.items()}

    def check_originals(self, items: Iterable[tuple[str, int]]) -> Iterator[Finding]:
        """Re-hash every original on the bucket (in parallel), never the cached copies."""
        held = self.listing()

        def check(item: tuple[str, int]) -> Finding | None:
            sha, size = item
            missing = Finding(
                "missing",
                sha,
                f"{sha}: the original is missing from the store ({self.object_url(sha)})",
            )
            found = held.get(self.key(sha))
            if found is None:
                return missing
            try:
                actual = self._read_hash(sha) if found == size else f"other bytes ({found:,} bytes)"
            except FileNotFoundError:  # removed since the listing
                return missing
            if actual != sha:
                return Finding(
                    "tampered",
                    sha,
                    f"{sha}: the stored original was changed (it now hashes to {actual}; "
                    f"{self.object_url(sha)})",
                )
            return None

        it = iter(items)
        with ThreadPoolExecutor(VERIFY_THREADS) as pool:
            while batch := list(islice(it, 256)):
                yield from (f for f in pool.map(check, batch) if f is not None)

    def stray_files(self, known: set[str]) -> Iterator[str]:
        for key in sorted(self.listing()):
            name = key.rsplit("/", 1)[-1]
            if name not in known or key != self.key(name):
                yield f"s3://{key}: an object in the store that no item accounts for"

    def clean_tmp(self) -> None:
        """Remove temporaries of killed runs; downloads only when stale (a reader in
        another process, the web workbench, may be fetching now)."""
        super().clean_tmp()
        stale = time.time() - STALE_FETCH_S
        for left in [*self.tmp_dir.glob(f"{FETCH_PREFIX}*"), *self.root.glob("*/*/.*.part")]:
            with contextlib.suppress(FileNotFoundError):
                if left.stat().st_mtime < stale:
                    left.unlink()
