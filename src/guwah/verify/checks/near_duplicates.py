"""``near_duplicates``: the same photo twice, resized or re-encoded, above all under two IDs.

Byte-identical copies are already one item (one SHA-256); this check finds different items
that show the same picture. Candidates come from multi-index hashing on 256-bit pHashes;
each is confirmed by the correlation of 16×16 grey signatures; confirmed pairs are joined
into clusters. A cluster whose file names carry different ID numbers is the same photo
filed under different people.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from sqlalchemy import func, select

from guwah.store.models import ImageHash
from guwah.verify import image_data, scratch
from guwah.verify.base import Check, register
from guwah.verify.cache import ensure_fingerprints
from guwah.verify.context import CheckContext, ImageInfo
from guwah.verify.finding import CheckResult, Finding, Involved
from guwah.verify.hashing import ALGO, correlation, decode_signature
from guwah.verify.mih import BYTES_PER_HASH, SparseUnionFind, close_pairs, close_pairs_sql

#: 256-bit pHash distance for a candidate pair; resized/re-encoded copies stay within ~12
RADIUS = 16
#: signature correlation that confirms a candidate (different photos of one setting: ≤ 0.98)
MIN_CORRELATION = 0.99


def ids_of(img: ImageInfo) -> set[str]:
    return {n for occ in img.occurrences for n in occ.photo_name.ids}


def _chunks(it: Iterable[int], n: int) -> Iterator[list[int]]:
    chunk: list[int] = []
    for x in it:
        chunk.append(x)
        if len(chunk) >= n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@register
class NearDuplicatesCheck(Check):
    name = "near_duplicates"
    title = "Near-duplicate photos"
    compares = (
        "Every pair of images whose 256-bit perceptual hashes (pHash, imagehash hash_size=16) "
        f"are within {RADIUS} bits, found by multi-index hashing rather than comparing all "
        f"pairs, and whose 16×16 grey signatures correlate at {MIN_CORRELATION} or more; and "
        "the ID numbers in the file names of each resulting cluster (and of the several names "
        "of one identical file)."
    )
    why = (
        "Each detainee photo should show one person once. The same picture under two "
        "different ID numbers means a photo was reused for another person, by a clerk or a "
        "forger; copies under one ID are ordinary re-saves, reported for completeness."
    )
    kinds = {
        "duplicate_photo": "the same photo under different ID numbers (error)",
        "near_duplicate": "near-identical images under one ID or none (info)",
    }

    def prepare(self, ctx: CheckContext) -> None:
        image_data.ensure(ctx)
        ensure_fingerprints(ctx)

    def run(self, ctx: CheckContext) -> CheckResult:
        out = ctx.result(params={"radius_bits": RADIUS, "min_correlation": MIN_CORRELATION})
        image_data.ensure(ctx)
        imgs, h = scratch.images, ImageHash
        hashed = (
            select(imgs.c.item_id, h.phash, h.signature)
            .join(h, (h.item_id == imgs.c.item_id) & (h.algo == ALGO))
            .where(imgs.c.status == "ok", h.phash.is_not(None), h.signature.is_not(None))
            .order_by(imgs.c.item_id)
        )
        n_hashed = int(ctx.conn.scalar(select(func.count()).select_from(hashed.subquery())) or 0)
        budget = ctx.bound.index_bytes
        need = n_hashed * BYTES_PER_HASH
        on_disk = need > budget
        out.params["index"] = {
            "where": "database (tmp_mih)" if on_disk else "memory",
            "images": n_hashed,
            "estimated_bytes": need,
            "budget_bytes": budget,
        }
        rows = (
            (item_id, int(ph, 16), decode_signature(sig))
            for item_id, ph, sig in scratch.stream(ctx.conn, hashed)
        )
        t0 = time.perf_counter()
        uf = SparseUnionFind()
        candidates = confirmed = 0
        best: dict[tuple[int, int], tuple[int, float]] = {}
        for i, j, d, si, sj in self._pairs(ctx, rows, on_disk):
            candidates += 1
            corr = correlation(si, sj)
            if corr >= MIN_CORRELATION:
                confirmed += 1
                uf.union(i, j)
                best[(i, j)] = (d, corr)
        out.params["search_seconds"] = round(time.perf_counter() - t0, 3)
        out.params["candidate_pairs"] = candidates
        out.params["confirmed_pairs"] = confirmed
        out.params["fingerprints"] = ctx.stash.get("fingerprint_stats", {})
        clusters = uf.groups()
        by_root: dict[int, dict[tuple[int, int], tuple[int, float]]] = {}
        for pair, v in best.items():
            by_root.setdefault(uf.find(pair[0]), {})[pair] = v
        in_clusters = multi_id = renamed = 0
        for group in clusters:
            members = ctx.images_by_id(group)
            in_clusters += len(members)
            finding = self._cluster(members, by_root.get(uf.find(group[0]), {}))
            multi_id += finding.kind == "duplicate_photo"
            out.findings.append(finding)
        several = scratch.stream(
            ctx.conn, select(imgs.c.item_id).where(imgs.c.n_ids > 1).order_by(imgs.c.item_id)
        )
        for chunk in _chunks((r[0] for r in several), 500):
            for img in ctx.images_by_id(chunk):  # one identical file under several names
                renamed += 1
                out.findings.append(self._renamed(img, ids_of(img)))
        out.total("images fingerprinted", n_hashed, ctx.n_images)
        out.total("images with a near-duplicate", in_clusters, n_hashed)
        out.total("near-duplicate clusters under different ID numbers", multi_id, len(clusters))
        out.total("identical files under different ID numbers", renamed, ctx.n_images)
        sizes: dict[int, int] = {}
        for g in clusters:
            sizes[len(g)] = sizes.get(len(g), 0) + 1
        out.distributions["Near-duplicate clusters by size"] = [
            [f"{k} images", v] for k, v in sorted(sizes.items())
        ]
        return out

    @staticmethod
    def _pairs(
        ctx: CheckContext, rows: Iterator[tuple[int, int, bytes]], on_disk: bool
    ) -> Iterator[tuple[int, int, int, bytes, bytes]]:
        """Candidate pairs (item i < item j, distance, signatures): multi-index hashing in
        memory under the budget, in the database above it."""
        if on_disk:
            yield from close_pairs_sql(ctx.conn, rows, RADIUS)
            return
        nodes: list[int] = []
        hashes: list[int] = []
        sigs: list[bytes] = []
        for node, ph, sig in rows:
            nodes.append(node)
            hashes.append(ph)
            sigs.append(sig)
        for i, j, d in close_pairs(hashes, RADIUS):
            yield nodes[i], nodes[j], d, sigs[i], sigs[j]

    def _cluster(
        self,
        members: list[ImageInfo],
        pairs: dict[tuple[int, int], tuple[int, float]],
    ) -> Finding:
        ids = sorted({n for m in members for n in ids_of(m)})
        worst_d = max((d for d, _ in pairs.values()), default=0)
        worst_c = min((c for _, c in pairs.values()), default=1.0)
        items = [
            Involved(
                m.sha256,
                occ.path,
                m.item_id,
                "photo",
                {"file_name": occ.photo_name.name, "ids": list(occ.photo_name.ids)},
            )
            for m in members
            for occ in (m.occurrences or [])[:5]
        ]
        sizes = ", ".join(f"{m.meta.get('width')}×{m.meta.get('height')}" for m in members)
        measure = (
            f"pHash distance up to {worst_d} of 256 bits, signature correlation at least "
            f"{worst_c:.3f}; sizes {sizes}"
        )
        values = {
            "ids": ids,
            "images": len(members),
            "max_phash_distance": worst_d,
            "min_correlation": round(worst_c, 4),
        }
        if len(ids) > 1:
            return Finding(
                check=self.name,
                kind="duplicate_photo",
                severity="error",
                title="The same photo under different ID numbers",
                explanation=(
                    f"{len(members)} images show the same picture ({measure}) but their file "
                    f"names carry {len(ids)} different ID numbers ({', '.join(ids)}): one "
                    "person's photo was filed under another person's number."
                ),
                items=items,
                values=values,
            )
        under = f"under the ID number {ids[0]}" if ids else "with no ID number in their names"
        return Finding(
            check=self.name,
            kind="near_duplicate",
            severity="info",
            title="Near-identical images",
            explanation=(
                f"{len(members)} different files show the same picture ({measure}), {under}: "
                "re-saved or resized copies."
            ),
            items=items,
            values=values,
        )

    def _renamed(self, img: ImageInfo, ids: set[str]) -> Finding:
        return Finding(
            check=self.name,
            kind="duplicate_photo",
            severity="error",
            title="One photo file under different ID numbers",
            explanation=(
                f"The identical file (SHA-256 {img.sha256[:12]}…) occurs under names carrying "
                f"{len(ids)} different ID numbers ({', '.join(sorted(ids))})."
            ),
            items=[
                Involved(
                    img.sha256,
                    occ.path,
                    img.item_id,
                    "photo",
                    {"file_name": occ.photo_name.name, "ids": list(occ.photo_name.ids)},
                )
                for occ in img.occurrences
            ],
            values={"ids": sorted(ids), "images": 1},
        )
