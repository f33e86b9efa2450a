"""Find a person by name among hundreds of thousands, whatever the script.

Every distinct name is reduced to its forms (``forms.py``) and indexed under blocking keys of
its parts: the sound key, the pinyin key, their four-letter prefixes and the consonant
skeleton. A query collects the names that share its keys, ranks them by the weight of the
keys they share, and scores only the best ``max_candidates`` in full — never the whole list.
"""

from __future__ import annotations

import heapq
import json
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .forms import Form, forms
from .keys import skeleton
from .match import Held, Match, score, score_held

FULL, PREFIX, SKELETON = 4.0, 1.0, 1.0


def _token_keys(form: Form) -> dict[str, float]:
    keys: dict[str, float] = {}

    def put(k: str, w: float) -> None:
        keys[k] = max(keys.get(k, 0.0), w)

    for t in form.tokens:
        for k in t.sound:
            put("s:" + k, FULL)
            put("s4:" + k[:4], PREFIX)
            put("k:" + skeleton(k)[:4], SKELETON)
        for k in t.pinyin:
            put("p:" + k, FULL)
            put("p4:" + k[:4], PREFIX)
    return keys


def block_keys(name: str, query: bool = False) -> dict[str, float]:
    """Blocking keys of a name with their weights; a query also joins neighbouring parts."""
    keys: dict[str, float] = {}
    for form in forms(name):
        for k, w in _token_keys(form).items():
            keys[k] = max(keys.get(k, 0.0), w)
        if query:  # the other readings of a part: pinyin of a transcription read back
            for t in form.tokens:  # (Xuekelaiti → Shohrat), SASM (Kaxgar → Kashgar)
                for k in t.machine:
                    keys.setdefault("s:" + k, FULL)
                    keys.setdefault("s4:" + k[:4], PREFIX)
        if query and len(form.tokens) > 1:
            toks = form.tokens
            for a, b in zip(toks, toks[1:], strict=False):
                for x in a.pinyin[:2]:
                    for y in b.pinyin[:2]:
                        keys.setdefault("p:" + x + y, FULL)
                for x in a.sound[:2]:
                    for y in b.sound[:2]:
                        keys.setdefault("s:" + x + y, FULL)
    return keys


@dataclass
class SearchStats:
    """What the last search did: candidates gathered, names scored in full."""

    candidates: int = 0
    scored: int = 0


class NameIndex:
    """An in-memory name index: ``add(key, name)``, ``search(query)``.

    >>> ix = NameIndex()
    >>> ix.add(1, "阿不都热依木·吐尔地")
    >>> ix.search("Abdurahim Turdi")[0][0]
    1
    """

    def __init__(self, max_candidates: int = 300, keep_forms: bool = False) -> None:
        self.max_candidates = max_candidates
        #: each name's forms held beside it (a list matcher searched often), not re-read
        #: from the memo cache, which a stream of queries may evict
        self._forms: list[Held] | None = [] if keep_forms else None
        self._name_id: dict[str, int] = {}
        self._names: list[str] = []
        self._keys: list[list[Hashable]] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        self.last = SearchStats()

    def __len__(self) -> int:
        return sum(len(k) for k in self._keys)

    @property
    def distinct_names(self) -> int:
        return len(self._names)

    def add(self, key: Hashable, name: str) -> None:
        """Index ``name`` for the record ``key`` (a person id, a row reference …)."""
        name = name.strip()
        if not name:
            return
        nid = self._name_id.get(name)
        if nid is None:
            nid = self._name_id[name] = len(self._names)
            self._names.append(name)
            self._keys.append([])
            if self._forms is not None:
                self._forms.append(Held(forms(name)))
            for k in block_keys(name):
                self._postings[k].append(nid)
        self._keys[nid].append(key)

    @classmethod
    def build(cls, items: Iterable[tuple[Hashable, str]], **kw: Any) -> NameIndex:
        """An index of every ``(key, name)``."""
        ix = cls(**kw)
        for key, name in items:
            ix.add(key, name)
        return ix

    def held(self, name: str) -> Held:
        """The forms of an indexed ``name`` (kept when built with ``keep_forms``; else read)."""
        nid = self._name_id.get(name.strip())
        if self._forms is not None and nid is not None:
            return self._forms[nid]
        return Held(forms(name.strip()))

    def candidates(self, query: str) -> list[int]:
        """Ids of the names sharing the most key weight with the query, best first."""
        weights: dict[int, float] = defaultdict(float)
        for k, w in block_keys(query, query=True).items():
            for nid in self._postings.get(k, ()):
                weights[nid] += w
        self.last = SearchStats(candidates=len(weights))
        return heapq.nlargest(self.max_candidates, weights, key=weights.__getitem__)

    def _ranked(self, query: str, min_score: float) -> list[tuple[float, int, Match]]:
        scored: list[tuple[float, int, Match]] = []
        cands = self.candidates(query)
        held = self._forms
        for nid in cands:
            m = score(query, self._names[nid]) if held is None else score_held(query, held[nid])
            if m.score >= min_score:
                scored.append((m.score, nid, m))
        self.last.scored = len(cands)
        scored.sort(key=lambda t: (-t[0], t[1]))
        return scored

    def search_names(
        self, query: str, limit: int = 20, min_score: float = 0.5
    ) -> list[tuple[str, Match]]:
        """The distinct indexed names that best match ``query``, best first."""
        return [(self._names[nid], m) for _, nid, m in self._ranked(query, min_score)[:limit]]

    def search(
        self, query: str, limit: int = 20, min_score: float = 0.5
    ) -> list[tuple[Hashable, Match]]:
        """The records whose names best match ``query``, best first, at most ``limit``."""
        out: list[tuple[Hashable, Match]] = []
        for _, nid, m in self._ranked(query, min_score):
            for key in self._keys[nid]:
                out.append((key, m))
                if len(out) >= limit:
                    return out
        return out

    def save(self, path: str | Path) -> None:
        """Write the ``(key, name)`` pairs as JSON lines (keys must be JSON values)."""
        with Path(path).open("w", encoding="utf-8") as fh:
            for name, keys in zip(self._names, self._keys, strict=True):
                for key in keys:
                    fh.write(json.dumps([key, name], ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, path: str | Path, **kw: Any) -> NameIndex:
        """Rebuild an index written by :meth:`save`."""
        with Path(path).open(encoding="utf-8") as fh:
            return cls.build(
                ((tuple(k) if isinstance(k, list) else k, n) for k, n in map(json.loads, fh)), **kw
            )
