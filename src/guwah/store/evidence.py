"""Open the evidence store a case's settings name: the local ``CASE/evidence`` directory
(the default) or a bucket (``evidence = "s3://bucket/prefix"``, ``objects.py``)."""

from __future__ import annotations

from pathlib import Path

from guwah.config import Settings
from guwah.store.blobs import BlobStore


def open_store(root: Path, settings: Settings) -> BlobStore:
    """The evidence store of the case at ``root``."""
    if not settings.evidence:
        return BlobStore(root / "evidence", root / "tmp")
    from guwah.store.objects import ObjectStore

    return ObjectStore(
        settings.evidence,
        tmp_dir=root / "tmp",
        cache_dir=root / "cache" / "evidence",
        cache_bytes=settings.evidence_cache_bytes,
        endpoint_url=settings.evidence_endpoint_url,
        region=settings.evidence_region,
        profile=settings.evidence_profile,
        timeout_s=settings.evidence_timeout_s,
        retries=settings.evidence_retries,
    )
