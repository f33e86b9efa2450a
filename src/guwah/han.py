"""Is this character Han? The one definition, for names, records, search, OCR and the web.

Han ideographs are the CJK Unified Ideographs and their extensions A–H, the compatibility
ideographs and 〇 (U+3007, the ideographic zero of dates such as 二〇一八). Kana, Hangul,
radicals and CJK punctuation are not Han; :data:`CJK_CLASS` adds kana and Hangul for the
places that need "written without spaces".

:func:`simplified` turns traditional characters into simplified ones with OpenCC's data (the
``opencc`` package, ``t2s``): names, search and records all compare in simplified characters,
so 陳全國 is 陈全国 before anything else looks at it.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

#: a regular-expression character class (without brackets) of the Han ideographs
HAN_CLASS = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"
#: Han plus kana and Hangul syllables: scripts written without spaces between words
CJK_CLASS = HAN_CLASS + "\u3040-\u30ff\uac00-\ud7af"
HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
_HAN_CHAR = re.compile(f"[{HAN_CLASS}]")


def is_han(ch: str) -> bool:
    """Whether one character is a Han ideograph."""
    return bool(_HAN_CHAR.fullmatch(ch))


def has_han(text: str) -> bool:
    """Whether ``text`` holds at least one Han ideograph."""
    return _HAN_CHAR.search(text) is not None


def all_han(text: str) -> bool:
    """Whether ``text`` is non-empty and Han ideographs only."""
    return bool(HAN_RUN.fullmatch(text))


def han_count(text: str) -> int:
    """How many Han ideographs ``text`` holds."""
    return len(_HAN_CHAR.findall(text))


@cache
def _opencc() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def simplified(text: str) -> str:
    """``text`` with traditional Han characters made simplified (OpenCC ``t2s``), one
    character for one, so that offsets into the text stay right; other text is untouched."""
    if not has_han(text):
        return text
    conv = _opencc()
    out = conv.convert(text)
    if len(out) == len(text):
        return str(out)
    chars = []
    for ch in text:
        one = conv.convert(ch) if is_han(ch) else ch
        chars.append(one if len(one) == 1 else ch)
    return "".join(chars)
