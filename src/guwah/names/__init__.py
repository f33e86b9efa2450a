"""Names across scripts: parse, romanise and match Chinese, Uyghur (Arabic, Latin,
Cyrillic) and Latin names, and find one person among many whatever the script.

May import: the standard library, its own modules and its tables in
``guwah/reference/names``; nothing else of guwah (records, search and verify use it).
``command.py`` is the ``guwah names`` CLI. The names below load on first use.

>>> from guwah.names import score
>>> score("阿不都热依木·吐尔地", "Abdurahim Turdi").match
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guwah.lazy import lazy_package

if TYPE_CHECKING:
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

lazy_package(
    __name__,
    {
        "NameIndex": ".index",
        "DEFAULT_THRESHOLD": ".match",
        "Match": ".match",
        "score": ".match",
        "ParsedName": ".parse",
        "Part": ".parse",
        "parse": ".parse",
        "pinyin": ".romanise",
        "romanise": ".romanise",
        "wade_giles": ".romanise",
        "Script": ".scripts",
        "detect_script": ".scripts",
    },
)
