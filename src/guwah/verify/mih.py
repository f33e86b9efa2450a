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
from collections.abc import Iterator, Sequence


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


def close_pairs_naive(hashes: Sequence[int], radius: int) -> Iterator[tuple[int, int, int]]:
    """The same pairs by comparing all n(n-1)/2 pairs: the baseline the benchmark times."""
    n = len(hashes)
    for i in range(n):
        h = hashes[i]
        for j in range(i + 1, n):
            d = (h ^ hashes[j]).bit_count()
            if d <= radius:
                yield i, j, d


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
