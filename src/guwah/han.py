"""Is this character Han? The one definition, for names, records, search, OCR and the web.

Han ideographs are the CJK Unified Ideographs and their extensions A–H, the compatibility
ideographs and 〇 (U+3007, the ideographic zero of dates such as 二〇一八). Kana, Hangul,
radicals and CJK punctuation are not Han; :data:`CJK_CLASS` adds kana and Hangul for the
places that need "written without spaces".
"""

from __future__ import annotations

import re

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
