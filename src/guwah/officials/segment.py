"""jieba's tagger (its dictionary and HMM model ship inside the package), loaded once, quiet."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any


@cache
def _tagger() -> Any:
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.posseg


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[tuple[str, str], ...]:
    """``(word, part-of-speech tag)`` for ``text``; person names are tagged ``nr``."""
    return tuple((w.word, w.flag) for w in _tagger().cut(text))


def person_starts(text: str) -> set[int]:
    """Where jieba starts a person name (``nr``) in ``text``, line by line."""
    out: set[int] = set()
    pos = 0
    for line in text.split("\n"):
        i = pos
        for word, flag in tokens(line):
            if flag.startswith("nr"):
                out.add(i)
            i += len(word)
        pos += len(line) + 1
    return out
