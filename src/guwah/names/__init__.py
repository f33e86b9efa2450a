"""Names across scripts: parse, romanise and match Chinese, Uyghur (Arabic, Latin,
Cyrillic) and Latin names, and find one person among many whatever the script.

>>> from guwah.names import score
>>> score("阿不都热依木·吐尔地", "Abdurahim Turdi").match
True
"""

from __future__ import annotations

from .index import NameIndex
from .match import DEFAULT_THRESHOLD, Match, score
from .parse import ParsedName, Part, parse
from .romanise import pinyin, romanise, wade_giles
from .scripts import Script, detect_script

__all__ = [
    "DEFAULT_THRESHOLD",
    "Match",
    "NameIndex",
    "ParsedName",
    "Part",
    "Script",
    "detect_script",
    "parse",
    "pinyin",
    "romanise",
    "score",
    "wade_giles",
]
