"""The fingerprint cache: compute what is missing in worker processes, keep it in the case."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, func, insert, select

from guwah.ingest.executor import WorkerCrash
from guwah.store.models import ImageHash, Item
from guwah.verify.context import CheckContext
from guwah.verify.hashing import (
    ALGO,
    Fingerprint,
    HashResult,
    HashTask,
    decode_signature,
    hash_task,
)

# Fingerprints are computed once per run (``ensure_fingerprints``, from ``Check.prepare``)
# and read back by the checks through queries, never held for every image.

BATCH = 500


def _fp(phash: str | None, signature: str | None) -> Fingerprint | None:
    if phash is None or signature is None:
        return None
    return Fingerprint(int(phash, 16), decode_signature(signature))


def _row(r: HashResult) -> dict[str, Any]:
    return {
        "item_id": r.item_id,
        "algo": ALGO,
        "phash": r.main.phash_hex if r.main else None,
        "signature": r.main.signature_b64 if r.main else None,
        "thumb_phash": r.thumb.phash_hex if r.thumb else None,
        "thumb_signature": r.thumb.signature_b64 if r.thumb else None,
        "error": r.error,
    }


def ensure_fingerprints(ctx: CheckContext) -> None:
    """Compute and store the fingerprints of every readable image that has none cached
    (workers; results committed in batches). Runs once per verify run."""
    if "fingerprint_stats" in ctx.stash:
        return
    started = time.perf_counter()
    n_ok = int(
        ctx.session.scalar(
            select(func.count())
            .select_from(Item)
            .where(Item.mime.like("image/%"), Item.status == "ok")
        )
        or 0
    )
    missing = (
        select(Item.id)
        .where(Item.mime.like("image/%"), Item.status == "ok")
        .where(
            ~select(ImageHash.item_id)
            .where(ImageHash.item_id == Item.id, ImageHash.algo == ALGO)
            .exists()
        )
    )
    n_todo = int(ctx.session.scalar(select(func.count()).select_from(missing.subquery())) or 0)
    computed = _compute(ctx, n_todo) if n_todo else 0
    ctx.stash["fingerprint_stats"] = {
        "images": n_ok,
        "computed": computed,
        "cached": n_ok - computed,
        "seconds": round(time.perf_counter() - started, 2),
        "workers": ctx.stash.get("hash_workers", 0),
    }


def _todo(ctx: CheckContext, page: int = 500) -> Iterator[HashTask]:
    """The images without a cached fingerprint, page by page in id order."""
    max_pixels = ctx.case.settings.limits.max_image_pixels
    last = 0
    while True:
        rows = ctx.session.execute(
            select(Item.id, Item.sha256, Item.meta)
            .where(Item.mime.like("image/%"), Item.status == "ok", Item.id > last)
            .where(
                ~select(ImageHash.item_id)
                .where(ImageHash.item_id == Item.id, ImageHash.algo == ALGO)
                .exists()
            )
            .order_by(Item.id)
            .limit(page)
        ).all()
        if not rows:
            return
        for item_id, sha, meta in rows:
            yield HashTask(
                item_id,
                str(ctx.case.blobs.path_for(sha)),
                bool((meta or {}).get("thumbnail")),
                max_pixels,
            )
        last = rows[-1][0]


def fingerprint_of(phash: str | None, signature: str | None) -> Fingerprint | None:
    """A stored fingerprint (hex pHash, base64 signature), None where one is missing."""
    return _fp(phash, signature)


def _compute(ctx: CheckContext, n_todo: int) -> int:
    ctx.progress.total("fingerprints", n_todo)
    executor = ctx.executor()
    ctx.stash["hash_workers"] = executor.workers
    buffer: list[dict[str, Any]] = []
    done = 0
    try:
        for task, result in executor.imap_unordered(hash_task, _todo(ctx)):
            if isinstance(result, WorkerCrash):
                result = HashResult(task.item_id, error="the worker process died on this image")
            done += 1
            buffer.append(_row(result))
            ctx.progress.advance("fingerprints")
            if len(buffer) >= BATCH:
                _store(ctx, buffer)
        _store(ctx, buffer)
    finally:
        executor.close()
    return done


def _store(ctx: CheckContext, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    ids = [r["item_id"] for r in rows]
    ctx.session.execute(
        delete(ImageHash).where(ImageHash.item_id.in_(ids)),
        execution_options={"synchronize_session": False},
    )
    ctx.session.execute(insert(ImageHash), rows)
    ctx.session.commit()
    rows.clear()
