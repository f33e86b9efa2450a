"""Multi-index hashing: every pair of hashes within a Hamming radius, in sub-quadratic time.

Norouzi, Punjani and Fleet (CVPR 2012): cut each ``bits``-bit hash into ``radius + 1``
disjoint parts; two hashes within ``radius`` of each other agree exactly on at least one
part (pigeonhole). Each part indexes a hash table; a hash's candidates are the hashes that
share one of its parts, and only those are compared. Parts take interleaved bit positions
(bit k, k + m, k + 2m, …), so each mixes low and high DCT frequencies and no part is nearly
constant across similar photos.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from guwah.verify import scratch

#: what one hash costs in :func:`close_pairs` (the int, its 17 table entries and keys) plus
#: its 256-byte signature, measured with tracemalloc on 20,000 random 256-bit hashes
#: (2,832 bytes; similar photos share keys and cost less)
BYTES_PER_HASH = 3_000


def _masks(bits: int, parts: int) -> list[int]:
    return [sum(1 << p for p in range(k, bits, parts)) for k in range(parts)]


def close_pairs(
    hashes: Sequence[int], radius: int, bits: int = 256
) -> Iterator[tuple[int, int, int]]:
    """(i, j, distance) for every i < j with ``popcount(hashes[i] ^ hashes[j]) <= radius``."""
    masks = _masks(bits, radius + 1)
    tables: list[dict[int, list[int]]] = [defaultdict(list) for _ in masks]
    for i, h in enumerate(hashes):
        for table, mask in zip(tables, masks, strict=True):
            table[h & mask].append(i)
    for i, h in enumerate(hashes):
        seen: set[int] = set()
        for table, mask in zip(tables, masks, strict=True):
            for j in table[h & mask]:
                if j > i and j not in seen:
                    seen.add(j)
                    d = (h ^ hashes[j]).bit_count()
                    if d <= radius:
                        yield i, j, d


def close_pairs_sql(
    conn: Connection,
    rows: Iterable[tuple[int, int, bytes]],
    radius: int,
    bits: int = 256,
) -> Iterator[tuple[int, int, int, bytes, bytes]]:
    """Multi-index hashing in the database, for indexes over the memory budget.

    ``rows``: (node, hash, signature), nodes increasing. Each part of each hash is a row of
    ``tmp_mih`` (indexed on part and key); the candidates are the distinct pairs of nodes
    that share a part, found by a self-join, and the same pairs as :func:`close_pairs`
    come out: (i, j, distance, signature i, signature j) for every i < j within
    ``radius``, ordered by (i, j)."""
    masks = _masks(bits, radius + 1)
    scratch.create(conn, scratch.mih_parts, scratch.mih_hashes)
    b_parts = scratch.Batch(conn, scratch.mih_parts, 17 * 1000)
    b_hashes = scratch.Batch(conn, scratch.mih_hashes, 2000)
    for node, h, sig in rows:
        b_hashes.add({"node": node, "phash": format(h, "x"), "signature": sig})
        for k, m in enumerate(masks):
            b_parts.add({"part": k, "key": (h & m).to_bytes(bits // 8, "big"), "node": node})
    b_parts.flush()
    b_hashes.flush()
    a, b = scratch.mih_parts.alias("a"), scratch.mih_parts.alias("b")
    pairs = (
        select(a.c.node.label("i"), b.c.node.label("j"))
        .join(b, (a.c.part == b.c.part) & (a.c.key == b.c.key) & (b.c.node > a.c.node))
        .distinct()
        .subquery()
    )
    ha, hb = scratch.mih_hashes.alias("ha"), scratch.mih_hashes.alias("hb")
    stmt: Any = (
        select(pairs.c.i, pairs.c.j, ha.c.phash, hb.c.phash, ha.c.signature, hb.c.signature)
        .join(ha, ha.c.node == pairs.c.i)
        .join(hb, hb.c.node == pairs.c.j)
        .order_by(pairs.c.i, pairs.c.j)
    )
    try:
        for i, j, pa, pb, sa, sb in scratch.stream(conn, stmt):
            d = (int(pa, 16) ^ int(pb, 16)).bit_count()
            if d <= radius:
                yield i, j, d, bytes(sa), bytes(sb)
    finally:
        scratch.drop(conn, scratch.mih_parts, scratch.mih_hashes)


def close_pairs_naive(hashes: Sequence[int], radius: int) -> Iterator[tuple[int, int, int]]:
    """The same pairs by comparing all n(n-1)/2 pairs: the baseline the benchmark times."""
    n = len(hashes)
    for i in range(n):
        h = hashes[i]
        for j in range(i + 1, n):
            d = (h ^ hashes[j]).bit_count()
            if d <= radius:
                yield i, j, d


class SparseUnionFind:
    """Union-find over the nodes that occur in a pair only (any hashable, ordered ids):
    memory grows with the confirmed pairs, not with the images."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        if x not in parent:
            parent[x] = x
            return x
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        """The components, each sorted, ordered by their smallest node (as
        :meth:`UnionFind.groups` orders them)."""
        out: dict[int, list[int]] = defaultdict(list)
        for x in sorted(self.parent):
            out[self.find(x)].append(x)
        return [g for _, g in sorted(out.items()) if len(g) > 1]


class UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for x in range(len(self.parent)):
            out[self.find(x)].append(x)
        return [g for g in out.values() if len(g) > 1]
