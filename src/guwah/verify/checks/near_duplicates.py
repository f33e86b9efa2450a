"""``near_duplicates``: the same photo twice, resized or re-encoded, above all under two IDs.

Byte-identical copies are already one item (one SHA-256); this check finds different items
that show the same picture. Candidates come from multi-index hashing on 256-bit pHashes;
each is confirmed by the correlation of 16×16 grey signatures; confirmed pairs are joined
into clusters. A cluster whose file names carry different ID numbers is the same photo
filed under different people.
"""

from __future__ import annotations

import time

from guwah.verify.base import Check, register
from guwah.verify.cache import fingerprints
from guwah.verify.context import CheckContext, ImageInfo
from guwah.verify.finding import CheckResult, Finding, Involved
from guwah.verify.hashing import correlation
from guwah.verify.mih import UnionFind, close_pairs

#: 256-bit pHash distance for a candidate pair; resized/re-encoded copies stay within ~12
RADIUS = 16
#: signature correlation that confirms a candidate (different photos of one setting: ≤ 0.98)
MIN_CORRELATION = 0.99


def ids_of(img: ImageInfo) -> set[str]:
    return {n for occ in img.occurrences for n in occ.photo_name.ids}


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

    def run(self, ctx: CheckContext) -> CheckResult:
        out = CheckResult(params={"radius_bits": RADIUS, "min_correlation": MIN_CORRELATION})
        fps = fingerprints(ctx)
        imgs = [i for i in ctx.images if (f := fps.get(i.item_id)) is not None and f.main]
        hashes = [fps[i.item_id].main.phash for i in imgs]  # type: ignore[union-attr]
        t0 = time.perf_counter()
        uf = UnionFind(len(imgs))
        candidates = confirmed = 0
        best: dict[tuple[int, int], tuple[int, float]] = {}
        for i, j, d in close_pairs(hashes, RADIUS):
            candidates += 1
            fi, fj = fps[imgs[i].item_id].main, fps[imgs[j].item_id].main
            assert fi is not None and fj is not None
            corr = correlation(fi.signature, fj.signature)
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
            members = [imgs[k] for k in group]
            in_clusters += len(members)
            finding = self._cluster(members, by_root.get(uf.find(group[0]), {}))
            multi_id += finding.kind == "duplicate_photo"
            out.findings.append(finding)
        for img in ctx.images:  # one identical file under several names
            ids = ids_of(img)
            if len(ids) > 1:
                renamed += 1
                out.findings.append(self._renamed(img, ids))
        out.total("images fingerprinted", len(imgs), len(ctx.images))
        out.total("images with a near-duplicate", in_clusters, len(imgs))
        out.total("near-duplicate clusters under different ID numbers", multi_id, len(clusters))
        out.total("identical files under different ID numbers", renamed, len(ctx.images))
        sizes: dict[int, int] = {}
        for g in clusters:
            sizes[len(g)] = sizes.get(len(g), 0) + 1
        out.distributions["Near-duplicate clusters by size"] = [
            [f"{k} images", v] for k, v in sorted(sizes.items())
        ]
        return out

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
