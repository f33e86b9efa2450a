"""Which script a name is written in."""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from functools import lru_cache

from guwah.han import is_han


class Script(StrEnum):
    HAN = "han"
    ARABIC = "arabic"
    CYRILLIC = "cyrillic"
    LATIN = "latin"
    OTHER = "other"


@lru_cache(maxsize=16384)
def char_script(ch: str) -> Script | None:
    """The script of one character; None for spaces, punctuation and digits."""
    cp = ord(ch)
    if is_han(ch):
        return Script.HAN
    if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0xFB50 <= cp <= 0xFEFF:
        return Script.ARABIC if ch.isalpha() else None
    if 0x0400 <= cp <= 0x052F:
        return Script.CYRILLIC
    if ch.isalpha():
        if unicodedata.name(ch, "").startswith("LATIN"):
            return Script.LATIN
        return Script.OTHER
    return None


def detect_script(text: str) -> Script:
    """The script most letters of ``text`` are in (Han wins over Latin noise)."""
    counts: dict[Script, int] = {}
    for ch in text:
        s = char_script(ch)
        if s is not None:
            counts[s] = counts.get(s, 0) + 1
    if not counts:
        return Script.OTHER
    if Script.HAN in counts:
        return Script.HAN
    return max(counts, key=lambda s: counts[s])
