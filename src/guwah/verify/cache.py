"""The fingerprint cache: compute what is missing in worker processes, keep it in the case."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import delete, insert, select

from guwah.ingest.executor import WorkerCrash
from guwah.store.models import ImageHash
from guwah.verify.context import CheckContext, ImageInfo
from guwah.verify.hashing import (
    ALGO,
    Fingerprint,
    HashResult,
    HashTask,
    decode_signature,
    hash_task,
)

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


def fingerprints(ctx: CheckContext) -> dict[int, HashResult]:
    """Fingerprints of every readable image, by item id; computes and stores missing ones."""
    cached = ctx.stash.get("fingerprints")
    if cached is not None:
        return dict(cached)
    started = time.perf_counter()
    images = [i for i in ctx.images if i.status == "ok"]
    have: dict[int, HashResult] = {}
    for item_id, phash, sig, tph, tsig, err in ctx.session.execute(
        select(
            ImageHash.item_id,
            ImageHash.phash,
            ImageHash.signature,
            ImageHash.thumb_phash,
            ImageHash.thumb_signature,
            ImageHash.error,
        ).where(ImageHash.algo == ALGO)
    ):
        have[item_id] = HashResult(item_id, _fp(phash, sig), _fp(tph, tsig), err)
    todo = [i for i in images if i.item_id not in have]
    computed = _compute(ctx, todo, have) if todo else 0
    wanted = {i.item_id for i in images}
    result = {k: v for k, v in have.items() if k in wanted}
    ctx.stash["fingerprints"] = result
    ctx.stash["fingerprint_stats"] = {
        "images": len(images),
        "computed": computed,
        "cached": len(images) - computed,
        "seconds": round(time.perf_counter() - started, 2),
        "workers": ctx.stash.get("hash_workers", 0),
    }
    return result


def _tasks(ctx: CheckContext, todo: list[ImageInfo]) -> list[HashTask]:
    max_pixels = ctx.case.settings.limits.max_image_pixels
    return [
        HashTask(
            i.item_id,
            str(ctx.case.blobs.path_for(i.sha256)),
            bool(i.meta.get("thumbnail")),
            max_pixels,
        )
        for i in todo
    ]


def _compute(ctx: CheckContext, todo: list[ImageInfo], have: dict[int, HashResult]) -> int:
    ctx.progress.total("fingerprints", len(todo))
    executor = ctx.executor()
    ctx.stash["hash_workers"] = executor.workers
    buffer: list[dict[str, Any]] = []
    try:
        for task, result in executor.imap_unordered(hash_task, _tasks(ctx, todo)):
            if isinstance(result, WorkerCrash):
                result = HashResult(task.item_id, error="the worker process died on this image")
            have[result.item_id] = result
            buffer.append(_row(result))
            ctx.progress.advance("fingerprints")
            if len(buffer) >= BATCH:
                _store(ctx, buffer)
        _store(ctx, buffer)
    finally:
        executor.close()
    return len(todo)


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
